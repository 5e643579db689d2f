// AdminJS bundles this file for the browser (not type-checked). It wraps AdminJS's ActionHeader so a
// record's pages are titled with the record, not the action: "Distribuidora Hija SA de CV" instead of
// "Ver", "Editar datos · Distribuidora Hija SA de CV" instead of "Editar datos".
import React from 'react'
import { useTranslation } from 'adminjs'

const ActionHeader = ({ OriginalComponent, ...props }) => {
  const { i18n, translateAction } = useTranslation()
  const { record, resource, action } = props
  if (!record?.title || !action || action.actionType !== 'record') return <OriginalComponent {...props} />
  const title = action.name === 'show' ? record.title : `${translateAction(action.label, resource.id)} · ${record.title}`
  // AdminJS translates the label it shows (a missing key would come back in startCase): the title is
  // added to the locale under a key of its own and the action passed on with that key as its label.
  const key = `recordTitle-${action.name}-${record.id}`
  i18n.addResource(i18n.language, 'translation', `resources.${resource.id}.actions.${key}`, title)
  return <OriginalComponent {...props} action={{ ...action, label: key }} />
}

export default ActionHeader
