// The CM's home page, supplied by the theme (AdminJS bundles this file for the browser; it is not
// type-checked). Shows the figures ('cm.dashboard') the plugins of the distributor's tier contribute,
// each linking to its list: the kernel computes them, this file only lays them out.
import React, { useEffect, useState } from 'react'
import { useSelector } from 'react-redux'
import { Box, H2, Text, Link, Loader } from '@adminjs/design-system'
import { ApiClient } from 'adminjs'

const card = { display: 'block', textDecoration: 'none', color: 'inherit' }

const Dashboard = () => {
  const admin = useSelector((state) => state.session)
  const [figures, setFigures] = useState(null)
  useEffect(() => {
    new ApiClient().getDashboard().then((res) => setFigures(res.data.figures || []), () => setFigures([]))
  }, [])
  return (
    <Box variant="grey">
      <Box variant="white" mb="xl">
        <H2>Bienvenido a Cuenta Maestra</H2>
        <Text>{admin && admin.title ? `Está trabajando en ${admin.title}.` : ''}</Text>
        <Text mt="default">Desde aquí administra su cartera de clientes y lo que su nivel de servicio habilita.</Text>
      </Box>
      {figures === null ? <Loader /> : (
        <Box style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))', gap: '16px' }}>
          {figures.map((f) => (
            <a key={f.key} href={f.href} style={card} data-figure={f.key}>
              <Box variant="white" style={{ height: '100%' }}>
                <Text variant="sm" color="grey60">{f.label}</Text>
                <Text style={{ fontSize: '28px', fontWeight: 600, marginTop: '8px', whiteSpace: 'nowrap' }}>{f.value}</Text>
              </Box>
            </a>
          ))}
        </Box>
      )}
      <Box mt="xl">
        <Text variant="sm">¿Necesita cambiar de distribuidor o de panel? <Link href="/">Ir al inicio</Link> · <Link href="/profile">Mi perfil</Link></Text>
      </Box>
    </Box>
  )
}

export default Dashboard
