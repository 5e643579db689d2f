// The Compras tab strip (AdminJS bundles this file for the browser; it is not type-checked). Each tab
// is a CM resource or page; a tab shows only when that resource or page is registered and the
// signed-in distributor may open it (AdminJS gives a resource an href only then). Adding a screen
// under Compras is one line in TABS.
import React from 'react'
import { useSelector } from 'react-redux'
import { useLocation, useNavigate } from 'react-router'
import { Box, Button } from '@adminjs/design-system'

export const TABS = [
  { label: 'Timbres CFDI', resource: 'PurchaseStamps' },
  { label: 'Puntos', resource: 'PurchasePoints' },
  { label: 'MKL', resource: 'PurchaseMkl' },
  { label: 'Suscripciones', resource: 'PurchaseSubscription' },
]

const hrefOf = (tab, resources, pages) => {
  if (tab.resource) return resources.find((r) => r.id === tab.resource)?.href || null
  if (tab.page) return pages.some((p) => p.name === tab.page) ? `/admin/pages/${tab.page}` : null
  return null
}

const PurchasesTabs = () => {
  const resources = useSelector((state) => state.resources) || []
  const pages = useSelector((state) => state.pages) || []
  const location = useLocation()
  const navigate = useNavigate()
  const tabs = TABS.map((t) => ({ ...t, href: hrefOf(t, resources, pages) })).filter((t) => t.href)
  return (
    <Box flex flexDirection="row" flexWrap="wrap" mb="lg" data-testid="purchases-tabs" style={{ gap: '8px' }}>
      {tabs.map((t) => {
        const current = location.pathname === t.href || location.pathname.startsWith(`${t.href}/`)
        return (
          <Button key={t.label} size="sm" variant={current ? 'contained' : 'outlined'} aria-current={current ? 'page' : undefined}
            onClick={() => navigate(t.href)} style={{ whiteSpace: 'nowrap' }}>
            {t.label}
          </Button>
        )
      })}
    </Box>
  )
}

export default PurchasesTabs
