// CM "Compras › MKL / Suscripciones" (AdminJS bundles this file for the browser; it is not
// type-checked). The offers of the tab's kind with today's prorated charge and "Contratar" (one
// confirmation: irreversible, the points to charge), the distributor's own contracts, and, for a
// seller, its buyers' contracts with "Cancelar" (effective at expiry). Every write is one POST of
// the list action; a GET changes nothing.
import React, { useEffect, useState } from 'react'
import { useLocation } from 'react-router-dom'
import { Box, Button, H3, MessageBox, Text, Table, TableHead, TableBody, TableRow, TableCell } from '@adminjs/design-system'
import { ApiClient } from 'adminjs'
import PurchasesTabs from '../../admin/components/tabs.jsx'

const api = new ApiClient()

const ContractsPage = ({ resource }) => {
  const [data, setData] = useState(null)
  const [confirm, setConfirm] = useState(null)
  const [busy, setBusy] = useState(false)
  const location = useLocation()
  const load = async () => setData((await api.resourceAction({ resourceId: resource.id, actionName: 'list' })).data)
  useEffect(() => { load() }, [resource.id, location.key])
  const post = async (form) => {
    if (busy) return
    setBusy(true)
    try {
      const body = new FormData()
      for (const [k, v] of Object.entries(form)) body.set(k, v)
      const res = await api.resourceAction({ resourceId: resource.id, actionName: 'list', method: 'post', data: body })
      setData(res.data)
      setConfirm(null)
    } finally { setBusy(false) }
  }
  if (!data) return <Box variant="white"><PurchasesTabs /><Text>Cargando…</Text></Box>
  const empty = (text) => <Text color="grey60" mb="xl">{text}</Text>
  return (
    <Box>
      {data.isStaff ? null : <PurchasesTabs />}
      {data.notice ? <MessageBox mb="lg" variant={data.notice.type === 'error' ? 'danger' : 'success'} message={data.notice.message} data-testid="contracts-notice" /> : null}
      {data.isStaff ? null : (
        <Box variant="white" mb="xl">
          <H3>{data.kind === 'mkl' ? 'Contratar MKL' : 'Contratar suscripciones'}</H3>
          <Text mb="lg">Son contratos de pago anual que se renuevan con su Cuenta Maestra: hoy se cobra la parte proporcional a los meses que faltan para su vencimiento, y al renovarla se cobra el precio anual completo.</Text>
          {data.balance ? <Text mb="lg" data-testid="contracts-balance">Sus puntos: <strong style={{ whiteSpace: 'nowrap' }}>{data.balance}</strong></Text> : null}
          {data.offers.length ? (
            <Table>
              <TableHead><TableRow><TableCell>Oferta</TableCell><TableCell>Precio anual</TableCell><TableCell>Cargo hoy</TableCell><TableCell /></TableRow></TableHead>
              <TableBody>
                {data.offers.map((o) => (
                  <TableRow key={o.id}>
                    <TableCell>{o.name}</TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>{o.yearly}</TableCell>
                    <TableCell style={{ whiteSpace: 'nowrap' }}>{o.charge ? `${o.charge} (${o.months} ${o.months === 1 ? 'mes' : 'meses'})` : 'Renueve su Cuenta Maestra primero'}</TableCell>
                    <TableCell>
                      {o.contracted ? <Text>Contratada</Text> : o.charge ? <Button size="sm" variant="contained" onClick={() => setConfirm(o)} data-testid="contract-offer">Contratar</Button> : null}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : empty('No hay ofertas a la venta.')}
          {confirm ? (
            <Box mt="xl" data-testid="contract-confirm">
              <MessageBox variant="warning" mb="lg" message={`Al pulsar «Confirmar la contratación» se cobran ahora ${confirm.charge} de sus ${data.balance} por ${confirm.name} (${confirm.months} ${confirm.months === 1 ? 'mes' : 'meses'} hasta el vencimiento de su Cuenta Maestra). Esta operación no se puede cancelar ni deshacer.`} />
              <Button variant="contained" disabled={busy} onClick={() => post({ op: 'contract', offer: confirm.id })}>Confirmar la contratación</Button>
              <Button variant="text" ml="lg" onClick={() => setConfirm(null)}>Volver</Button>
            </Box>
          ) : null}
        </Box>
      )}
      {data.isStaff ? null : (
        <Box variant="white" mb="xl">
          <H3>Sus contratos</H3>
          {data.mine.length ? (
            <Table>
              <TableHead><TableRow><TableCell>Contrato</TableCell><TableCell>Vence</TableCell><TableCell>Precio anual</TableCell><TableCell>Estado</TableCell></TableRow></TableHead>
              <TableBody>{data.mine.map((c) => (<TableRow key={c.id}><TableCell>{c.offer}</TableCell><TableCell>{c.expiresAt}</TableCell><TableCell>{c.yearly}</TableCell><TableCell>{c.state}</TableCell></TableRow>))}</TableBody>
            </Table>
          ) : empty('Aún no tiene contratos de este tipo.')}
        </Box>
      )}
      {data.sold.length || data.isStaff ? (
        <Box variant="white">
          <H3>Contratos de sus distribuidores</H3>
          {data.sold.length ? (
            <Table>
              <TableHead><TableRow><TableCell>Distribuidor</TableCell><TableCell>Contrato</TableCell><TableCell>Vence</TableCell><TableCell>Estado</TableCell><TableCell /></TableRow></TableHead>
              <TableBody>{data.sold.map((c) => (
                <TableRow key={c.id}>
                  <TableCell>{c.buyer}</TableCell><TableCell>{c.offer}</TableCell><TableCell>{c.expiresAt}</TableCell><TableCell>{c.state}</TableCell>
                  <TableCell>{c.cancellable ? <Button size="sm" variant="outlined" disabled={busy} data-testid="cancel-contract"
                    onClick={() => { if (window.confirm(`El contrato de ${c.offer} de ${c.buyer} terminará al vencer (${c.expiresAt}) y no se renovará. ¿Cancelarlo?`)) post({ op: 'cancel', contract: c.id }) }}>Cancelar</Button> : null}</TableCell>
                </TableRow>))}</TableBody>
            </Table>
          ) : empty('Ninguno de sus distribuidores tiene contratos de este tipo.')}
        </Box>
      ) : null}
    </Box>
  )
}

export default ContractsPage
