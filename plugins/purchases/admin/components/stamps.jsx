// Compras → Timbres CFDI (AdminJS bundles this file for the browser; it is not type-checked). The
// distributor picks one of its provider's stamps packages and a count; "Comprar" shows the one
// confirmation (it cannot be cancelled or reversed: total stamps and points); "Confirmar compra" is
// the one POST, carrying the idempotency key of this page, so a double click buys once.
import React, { useEffect, useState } from 'react'
import { Box, Button, Input, Label, MessageBox, Text, Table, TableHead, TableBody, TableRow, TableCell, Loader } from '@adminjs/design-system'
import { ApiClient, useNotice } from 'adminjs'
import PurchasesTabs from './tabs.jsx'
import { points, stamps } from './format.js'

const api = new ApiClient()
const nowrap = { whiteSpace: 'nowrap' }
const right = { whiteSpace: 'nowrap', textAlign: 'right' }

const Balances = ({ inventory, label }) => (
  <Text mb="lg" data-testid="purchases-balances">{label || 'Su inventario'}: <strong style={nowrap}>{inventory.stampsText}</strong> · Sus puntos: <strong style={nowrap}>{inventory.pointsText}</strong></Text>
)

const PurchasesStamps = ({ resource }) => {
  const [data, setData] = useState(null)
  const [chosen, setChosen] = useState('')
  const [count, setCount] = useState('1')
  const [step, setStep] = useState('choose')
  const [error, setError] = useState('')
  const [result, setResult] = useState(null)
  const [busy, setBusy] = useState(false)
  const notice = useNotice()

  const load = () => api.resourceAction({ resourceId: resource.id, actionName: 'list' }).then((res) => {
    setData(res.data)
    setChosen((c) => c || (res.data.packages[0] && res.data.packages[0].id) || '')
  })
  useEffect(() => { load() }, [resource.id])
  if (!data) return <Box variant="white"><PurchasesTabs /><Loader /></Box>

  const pkg = data.packages.find((p) => p.id === chosen)
  const n = /^\d{1,4}$/.test(String(count).trim()) ? Number(String(count).trim()) : 0
  const valid = pkg && n >= 1 && n <= 1000
  const total = valid ? { stamps: pkg.quantity * n, points: pkg.price * n } : null

  const buy = async () => {
    const form = new FormData()
    form.set('package', pkg.id)
    form.set('count', String(n))
    form.set('idempotencyKey', data.idempotencyKey)
    setBusy(true)
    try {
      const res = await api.resourceAction({ resourceId: resource.id, actionName: 'buy', data: form })
      if (res.data.notice) notice(res.data.notice)
      if (res.data.result) { setResult(res.data.result); setStep('done'); setError('') } else { setError(res.data.notice ? res.data.notice.message : 'No se pudo completar la compra.'); setStep('choose') }
    } finally { setBusy(false) }
  }
  const again = async () => { setResult(null); setStep('choose'); setCount('1'); setData(null); await load() }

  return (
    <Box>
      <PurchasesTabs />
      <Box variant="white" data-testid="purchases-stamps">
        {data.noSeller
          ? <MessageBox variant="info" message={data.noSeller} />
          : step === 'done'
            ? (
              <Box data-testid="purchase-result">
                <MessageBox mb="xl" variant="success" message={result.replayed ? 'Esta compra ya se había hecho; no se cobró otra vez.' : 'Compra hecha'}>
                  <Text>Recibió <strong style={nowrap}>{result.stampsText}</strong> ({result.description} × {result.count}) y pagó <strong style={nowrap}>{result.pointsText}</strong>, el {result.at}.</Text>
                </MessageBox>
                <Balances inventory={result.inventory} label="Su inventario ahora" />
                <Button variant="outlined" onClick={again}>Hacer otra compra</Button>
              </Box>
            )
            : (
              <Box>
                <Text mb="lg">Compre timbres a su proveedor, <strong>{data.seller}</strong>, con sus puntos (1 punto = 1 peso, IVA incluido).</Text>
                <Balances inventory={data.inventory} />
                {error ? <MessageBox mb="lg" variant="danger" message={error} data-testid="purchase-error" /> : null}
                {data.packages.length === 0
                  ? <MessageBox variant="info" message="Su proveedor no ofrece paquetes de timbres por ahora." />
                  : (
                    <>
                      <Box mb="xl"><Table>
                        <TableHead><TableRow><TableCell /><TableCell>Paquete</TableCell><TableCell style={right}>Timbres</TableCell><TableCell style={right}>Precio</TableCell></TableRow></TableHead>
                        <TableBody>
                          {data.packages.map((p) => (
                            <TableRow key={p.id} onClick={() => step === 'choose' && setChosen(p.id)} style={{ cursor: step === 'choose' ? 'pointer' : 'default' }}>
                              <TableCell style={{ width: '40px' }}><input type="radio" name="package" aria-label={p.description} checked={chosen === p.id} disabled={step !== 'choose'} onChange={() => setChosen(p.id)} /></TableCell>
                              <TableCell>{p.description}</TableCell>
                              <TableCell style={right}>{p.quantityText}</TableCell>
                              <TableCell style={right}>{points(p.price)}</TableCell>
                            </TableRow>
                          ))}
                        </TableBody>
                      </Table></Box>
                      {step === 'choose'
                        ? (
                          <Box flex flexDirection="row" alignItems="flex-end" style={{ gap: '16px' }}>
                            <Box>
                              <Label htmlFor="purchase-count">Paquetes</Label>
                              <Input id="purchase-count" type="number" min="1" max="1000" value={count} onChange={(e) => setCount(e.target.value)} style={{ width: '120px' }} />
                            </Box>
                            <Button variant="contained" disabled={!valid} onClick={() => { setError(''); setStep('confirm') }}>Comprar</Button>
                          </Box>
                        )
                        : (
                          <Box data-testid="purchase-confirm">
                            <MessageBox mb="lg" variant="warning" message="Esta compra no se puede cancelar ni revertir.">
                              <Text>Recibirá <strong style={nowrap}>{stamps(total.stamps)}</strong> ({pkg.description} × {n}) de su proveedor y pagará <strong style={nowrap}>{points(total.points)}</strong> de sus {data.inventory.pointsText}.</Text>
                            </MessageBox>
                            <Button variant="contained" mr="default" disabled={busy} onClick={buy}>Confirmar compra</Button>
                            <Button variant="outlined" disabled={busy} onClick={() => setStep('choose')}>Volver</Button>
                          </Box>
                        )}
                    </>
                  )}
              </Box>
            )}
      </Box>
    </Box>
  )
}

export default PurchasesStamps
