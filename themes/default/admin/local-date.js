// Dates as a person in Mexico reads them: "4 dic 2026" for a date, "4 dic 2026, 12:25" for a date and
// time, in Mexico City time; "—" when there is none. Shared by the theme's date cells (browser code).
const zone = { timeZone: 'America/Mexico_City' }
const DATE = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', year: 'numeric', ...zone })
const DATE_TIME = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, ...zone })

export const localDate = (value, type) => {
  if (value === null || value === undefined || value === '') return '—'
  // A date without time is a calendar day: read at noon UTC so no zone moves it to the day before.
  const d = new Date(type === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? `${value}T12:00:00Z` : value)
  if (Number.isNaN(d.getTime())) return String(value)
  return (type === 'date' ? DATE : DATE_TIME).format(d).replace('.', '')
}
