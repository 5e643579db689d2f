// Figures as the CM writes them (browser code, shared by the Compras components): "$1,500.00",
// "1,200.00 puntos", "1,000 timbres". Amounts and points arrive in hundredths (whole numbers).
const grouped = (hundredths) => {
  const n = Math.round(Number(hundredths))
  const int = Math.floor(n / 100).toLocaleString('en-US')
  return `${int}.${String(n % 100).padStart(2, '0')}`
}
export const pesos = (hundredths) => `$${grouped(hundredths)}`
export const points = (hundredths) => `${grouped(hundredths)} puntos`
export const stamps = (n) => `${Number(n).toLocaleString('en-US')} ${Number(n) === 1 ? 'timbre' : 'timbres'}`
export const newKey = () => (window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`)
