// Compras → Puntos (AdminJS bundles this file for the browser; it is not type-checked). Points are
// bought with money: the distributor orders one of its provider's points packages (a pending order);
// the provider confirms it with the payment's reference, which delivers the points once. Below: the
// distributor's own orders, and, for a seller, its buyers' orders with Confirmar and Cancelar.
import React, { useEffect, useState } from 'react'
import { Box, Button, H4, Input, Label, MessageBox, Text, Table, TableHead, TableBody, TableRow, TableCell, Loader, Badge } from '@adminjs/design-system'
import { ApiClient, useNotice } from 'adminjs'
import PurchasesTabs from './tabs.jsx'
import { pesos, points } from './format.js'

const api = new ApiClient()
const nowrap = { whiteSpace: 'nowrap' }
const right = { whiteSpace: 'nowrap', textAlign: 'right' }
const VARIANT = { pending: 'info', confirmed: 'success', cancelled: 'secondary' }

const State = ({ o }) => <Badge variant={VARIANT[o.state]} style={nowrap}>{o.stateText}</Badge>
const Package = ({ o }) => <Box style={{ minWidth: '170px' }}>{o.description}<Text variant="sm" color="grey60">{o.count === 1 ? '1 paquete' : `${o.count} paquetes`}</Text></Box>
const Figures = ({ o }) => <>{o.pointsText}<Text variant="sm" color="grey60" style={right}>{o.amountText}</Text></>

const PurchasesPoints = ({ resource }) => {
  const [data, setData] = useState(null)
  const [chosen, setChosen] = useState('')
  const [count, setCount] = useState('1')
  const [open, setOpen] = useState(null) // { id, what: 'confirm' | 'cancel' }
  const [reference, setReference] = useState('')
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const notice = useNotice()

  const take = (d) => { setData(d); setChosen((c) => c || (d.packages[0] && d.packages[0].id) || '') }
  useEffect(() => { api.resourceAction({ resourceId: resource.id, actionName: 'list' }).then((res) => take(res.data)) }, [resource.id])
  if (!data) return <Box variant="white"><PurchasesTabs /><Loader /></Box>

  const post = async (actionName, fields) => {
    const form = new FormData()
    for (const [k, v] of Object.entries(fields)) form.set(k, v)
    setBusy(true)
    try {
      const res = await api.resourceAction({ resourceId: resource.id, actionName, data: form })
      if (res.data.notice) notice(res.data.notice)
      if (res.data.notice && res.data.notice.type === 'success') { take(res.data); setOpen(null); setReference(''); setError(''); setCount('1') } else setError(res.data.notice ? res.data.notice.message : 'No se pudo completar la operación.')
    } finally { setBusy(false) }
  }

  const pkg = data.packages.find((p) => p.id === chosen)
  const n = /^\d{1,4}$/.test(String(count).trim()) ? Number(String(count).trim()) : 0
  const valid = pkg && n >= 1 && n <= 1000
  const toggle = (id, what) => { setError(''); setReference(''); setOpen(open && open.id === id && open.what === what ? null : { id, what }) }

  return (
    <Box>
      <PurchasesTabs />
      <Box variant="white" mb="xl" data-testid="purchases-points">
        <Text mb="lg">Sus puntos: <strong style={nowrap}>{data.inventory.pointsText}</strong></Text>
        {error ? <MessageBox mb="lg" variant="danger" message={error} data-testid="points-error" onCloseClick={() => setError('')} /> : null}
        <H4>Comprar puntos</H4>
        {data.noSeller
          ? <MessageBox mb="lg" variant="info" message={data.noSeller} />
          : data.packages.length === 0
            ? <MessageBox mb="lg" variant="info" message="Su proveedor no ofrece paquetes de puntos por ahora." />
            : (
              <>
                <Text mb="default">Los puntos se pagan con dinero: su proveedor, <strong>{data.seller}</strong>, confirma el pedido al recibir el pago y entonces se le abonan.</Text>
                <Box mb="lg"><Table>
                  <TableHead><TableRow><TableCell /><TableCell>Paquete</TableCell><TableCell style={right}>Puntos</TableCell><TableCell style={right}>Precio</TableCell></TableRow></TableHead>
                  <TableBody>
                    {data.packages.map((p) => (
                      <TableRow key={p.id} onClick={() => setChosen(p.id)} style={{ cursor: 'pointer' }}>
                        <TableCell style={{ width: '40px' }}><input type="radio" name="package" aria-label={p.description} checked={chosen === p.id} onChange={() => setChosen(p.id)} /></TableCell>
                        <TableCell>{p.description}</TableCell>
                        <TableCell style={right}>{p.quantityText}</TableCell>
                        <TableCell style={right}>{p.priceText}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table></Box>
                <Box flex flexDirection="row" alignItems="flex-end" mb="lg" style={{ gap: '16px' }}>
                  <Box>
                    <Label htmlFor="order-count">Paquetes</Label>
                    <Input id="order-count" type="number" min="1" max="1000" value={count} onChange={(e) => setCount(e.target.value)} style={{ width: '120px' }} />
                  </Box>
                  <Button variant="contained" disabled={!valid || busy} onClick={() => post('order', { package: pkg.id, count: String(n) })}>Hacer pedido</Button>
                  {valid ? <Text style={nowrap}>Total: <strong>{points(pkg.quantity * n)}</strong> por <strong>{pesos(pkg.price * n)}</strong></Text> : null}
                </Box>
              </>
            )}

        <H4 mt="xl">Sus pedidos</H4>
        {data.mine.length === 0
          ? <Text mb="lg" color="grey60">Aún no ha hecho pedidos de puntos.</Text>
          : (
            <Table mb="lg" data-testid="my-orders">
              <TableHead><TableRow><TableCell>Fecha</TableCell><TableCell>Paquete</TableCell><TableCell style={right}>Puntos e importe</TableCell><TableCell>Estado</TableCell><TableCell>Referencia del pago</TableCell></TableRow></TableHead>
              <TableBody>
                {data.mine.map((o) => (
                  <TableRow key={o.id}>
                    <TableCell style={nowrap}>{o.createdText}</TableCell>
                    <TableCell><Package o={o} /></TableCell>
                    <TableCell style={right}><Figures o={o} /></TableCell>
                    <TableCell><State o={o} /></TableCell>
                    {/* A pending order has no reference yet: its cell holds what can be done with it. */}
                    <TableCell style={nowrap}>
                      {o.state === 'pending'
                        ? (open && open.id === o.id
                          ? <><Button size="sm" variant="danger" mr="sm" disabled={busy} onClick={() => post('cancel', { id: o.id })}>Sí, cancelar</Button><Button size="sm" variant="text" onClick={() => setOpen(null)}>No</Button></>
                          : <Button size="sm" variant="outlined" onClick={() => toggle(o.id, 'cancel')}>Cancelar pedido</Button>)
                        : o.reference}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
      </Box>

      {data.isSeller
        ? (
          <Box variant="white" data-testid="buyers-orders">
            <H4>Pedidos de sus compradores</H4>
            <Text mb="lg">Confirme un pedido cuando reciba el pago, con su referencia: los puntos salen de los suyos y se entregan una sola vez. Un pedido confirmado es definitivo.</Text>
            {data.sold.length === 0
              ? <Text color="grey60">No tiene pedidos de sus compradores.</Text>
              : (
                <Table>
                  <TableHead><TableRow><TableCell>Fecha</TableCell><TableCell>Comprador</TableCell><TableCell>Paquete</TableCell><TableCell style={right}>Puntos e importe</TableCell><TableCell>Estado</TableCell><TableCell>Referencia del pago</TableCell></TableRow></TableHead>
                  <TableBody>
                    {data.sold.map((o) => (
                      <React.Fragment key={o.id}>
                        <TableRow>
                          <TableCell style={nowrap}>{o.createdText}</TableCell>
                          <TableCell style={{ minWidth: '120px' }}>{o.buyer}</TableCell>
                          <TableCell><Package o={o} /></TableCell>
                          <TableCell style={right}><Figures o={o} /></TableCell>
                          <TableCell><State o={o} /></TableCell>
                          {/* A pending order has no reference yet: its cell holds Confirmar and Cancelar. */}
                          <TableCell style={nowrap}>
                            {o.state === 'pending'
                              ? <><Button size="sm" variant="contained" mr="sm" onClick={() => toggle(o.id, 'confirm')}>Confirmar</Button><Button size="sm" variant="outlined" onClick={() => toggle(o.id, 'cancel')}>Cancelar</Button></>
                              : o.reference}
                          </TableCell>
                        </TableRow>
                        {open && open.id === o.id
                          ? (
                            <TableRow>
                              <TableCell colSpan={6}>
                                {open.what === 'confirm'
                                  ? (
                                    <Box as="form" flex flexDirection="row" alignItems="flex-end" style={{ gap: '16px' }} onSubmit={(e) => { e.preventDefault(); post('confirm', { id: o.id, reference }) }}>
                                      <Box>
                                        <Label htmlFor={`ref-${o.id}`}>Referencia del pago (p. ej. la del SPEI)</Label>
                                        <Input id={`ref-${o.id}`} value={reference} maxLength={100} onChange={(e) => setReference(e.target.value)} style={{ width: '320px' }} />
                                      </Box>
                                      <Text mb="sm">Se entregarán <strong style={nowrap}>{o.pointsText}</strong> de los suyos; no se puede deshacer.</Text>
                                      <Button type="submit" variant="contained" disabled={busy || !reference.trim()}>Confirmar pago</Button>
                                    </Box>
                                  )
                                  : (
                                    <Box flex flexDirection="row" alignItems="center" style={{ gap: '16px' }}>
                                      <Text>¿Cancelar este pedido? El comprador tendrá que hacer otro.</Text>
                                      <Button size="sm" variant="danger" disabled={busy} onClick={() => post('cancel', { id: o.id })}>Sí, cancelar</Button>
                                      <Button size="sm" variant="text" onClick={() => setOpen(null)}>No</Button>
                                    </Box>
                                  )}
                              </TableCell>
                            </TableRow>
                          )
                          : null}
                      </React.Fragment>
                    ))}
                  </TableBody>
                </Table>
              )}
          </Box>
        )
        : null}
    </Box>
  )
}

export default PurchasesPoints
