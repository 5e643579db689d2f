// The Distribuidores list with one tab per state and its count (AdminJS bundles this file for the
// browser; it is not type-checked). A tab is the list filtered by `filters.state`; the counts come
// from the resource action `counts`, scoped like the list to the signed-in distributor's subtree.
import React, { useEffect, useState } from 'react'
import { Box, Button } from '@adminjs/design-system'
import { ApiClient, List } from 'adminjs'
import { useLocation, useNavigate } from 'react-router'

const api = new ApiClient()

const DistributorsTabs = (props) => {
  const { resource } = props
  const location = useLocation()
  const navigate = useNavigate()
  const [data, setData] = useState(null)
  const current = new URLSearchParams(location.search).get('filters.state') || ''

  useEffect(() => {
    api.resourceAction({ resourceId: resource.id, actionName: 'counts' }).then((res) => setData(res.data)).catch(() => setData(null))
  }, [resource.id, location.search])

  const go = (state) => {
    const search = new URLSearchParams(location.search)
    for (const k of [...search.keys()]) if (k.startsWith('filters.') || k === 'page') search.delete(k)
    if (state) search.set('filters.state', state)
    navigate({ pathname: location.pathname, search: search.toString() })
  }

  const total = data ? Object.values(data.counts).reduce((a, b) => a + b, 0) : null
  return (
    <Box>
      <Box flex flexDirection="row" flexWrap="wrap" mb="lg" data-testid="distributor-tabs">
        <Button size="sm" mr="sm" mb="sm" variant={current === '' ? 'contained' : 'outlined'} onClick={() => go('')} data-state="">
          Todos{total === null ? '' : ` (${total})`}
        </Button>
        {(data?.order ?? []).map((s) => (
          <Button key={s} size="sm" mr="sm" mb="sm" variant={current === s ? 'contained' : 'outlined'} onClick={() => go(s)} data-state={s}>
            {data.labels[s]} ({data.counts[s]})
          </Button>
        ))}
      </Box>
      <List {...props} />
    </Box>
  )
}

export default DistributorsTabs
