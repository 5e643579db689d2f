// AdminJS bundles this file for the browser (not type-checked). It wraps AdminJS's NoticeBox.
import React from 'react'
import { useTranslation } from 'adminjs'

// Notices AdminJS writes in English in its code, not as translation keys (its record form, when a
// save fails): each becomes a key of the locale's `messages`, so the notice reads the Spanish one.
const HARD_CODED = { 'There was an error updating record, Check out console to see more information.': 'saveFailed' }

const NoticeBox = ({ OriginalComponent, ...props }) => {
  const { i18n } = useTranslation()
  for (const [english, key] of Object.entries(HARD_CODED)) {
    // The English text holds a dot, AdminJS's key separator: added as one literal key.
    if (!i18n.exists(`messages.${english}`, { keySeparator: false })) {
      i18n.addResource(i18n.language, 'translation', `messages.${english}`, i18n.t(`messages.${key}`), { keySeparator: false })
    }
  }
  return <OriginalComponent {...props} />
}

export default NoticeBox
