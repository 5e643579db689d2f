#!/usr/bin/env bash
# Regenerates the README's screenshots (docs/*.png) from the browser tests: Chromium at 1440×900,
# on the embedded database. `npm run screenshots`; needs /usr/bin/chromium (or CM_CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL
npx ava test/e2e/browser.test.ts test/e2e/stamping-browser.test.ts test/e2e/api-docs-browser.test.ts test/e2e/distributors-browser.test.ts
S=.tmp/screenshots
cp "$S/embedded/07-clientes-list-several.png" docs/cm.png
cp "$S/stamping-embedded/01-timbrado-list.png" docs/cm-timbrado.png
cp "$S/stamping-embedded/05-pcc-timbrado.png" docs/pcc.png
cp "$S/api-docs-embedded/02-docs-mass-transfer.png" docs/api-docs.png
cp "$S/distributors-embedded/03-tab-sin-activar.png" docs/cm-distribuidores.png
echo "docs/cm.png, docs/cm-timbrado.png, docs/pcc.png, docs/api-docs.png, docs/cm-distribuidores.png regenerated"
