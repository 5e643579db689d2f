// The CM's home page (AdminJS bundles this file for the browser; it is not type-checked).
// Lists what the signed-in distributor's tier lets it open, in Spanish, instead of AdminJS's demo page.
import React from 'react'
import { useSelector } from 'react-redux'
import { Box, H2, H5, Text, Link } from '@adminjs/design-system'
import { useTranslation } from 'adminjs'

const Dashboard = () => {
  const { translateLabel } = useTranslation()
  const admin = useSelector((state) => state.session)
  const resources = useSelector((state) => state.resources).filter((r) => r.href)
  const groups = {}
  for (const r of resources) {
    // Like the sidebar: a resource without a navigation group stands as its own entry.
    const group = r.navigation && r.navigation.name ? translateLabel(r.navigation.name) : translateLabel(r.name, r.id)
    ;(groups[group] = groups[group] || []).push(r)
  }
  return (
    <Box variant="grey">
      <Box variant="white" mb="xl">
        <H2>Bienvenido a Cuenta Maestra</H2>
        <Text>{admin && admin.title ? `Está trabajando en ${admin.title}.` : ''}</Text>
        <Text mt="default">Desde aquí administra su cartera de clientes y lo que su nivel de servicio habilita.</Text>
      </Box>
      <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: '16px' }}>
        {Object.entries(groups).map(([group, list]) => (
          <Box key={group} variant="white" style={{ minWidth: '260px' }}>
            <H5>{group}</H5>
            {list.map((r) => (
              <Box key={r.id} mt="default"><Link href={r.href}>{translateLabel(r.name, r.id)}</Link></Box>
            ))}
          </Box>
        ))}
      </Box>
      <Box mt="xl">
        <Text variant="sm">¿Necesitas cambiar de distribuidor o de panel? <Link href="/">Ir al inicio</Link> · <Link href="/profile">Mi perfil</Link></Text>
      </Box>
    </Box>
  )
}

export default Dashboard
