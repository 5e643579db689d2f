/** /api/v1/docs: the OpenAPI document as one readable page, rendered here (no script, no CDN). */
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
const json = (v: unknown) => `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`
type Obj = Record<string, any>

function operationHtml(path: string, method: string, op: Obj): string {
  const id = esc(op.operationId)
  const params = (op.parameters ?? []) as Obj[]
  const body = op.requestBody?.content?.['application/json']
  return `<section class="op" id="${id}">
  <h3><span class="verb ${esc(method)}">${esc(method.toUpperCase())}</span> <code>/api/v1${esc(path)}</code></h3>
  <p class="summary">${esc(op.summary)}${op.security?.length ? ' <span class="auth">token</span>' : ' <span class="auth open">sin token</span>'}</p>
  ${op.description ? `<p>${esc(op.description)}</p>` : ''}
  ${params.length ? `<h4>Parámetros</h4><table><tr><th>nombre</th><th>en</th><th>obligatorio</th><th>descripción</th></tr>${params.map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${p.in === 'path' ? 'ruta' : 'consulta'}</td><td>${p.required ? 'sí' : 'no'}</td><td>${esc(p.description ?? '')}</td></tr>`).join('')}</table>` : ''}
  ${body ? `<h4>Cuerpo (JSON)</h4><details><summary>Esquema</summary>${json(body.schema)}</details>${body.example !== undefined ? `<p>Ejemplo:</p>${json(body.example)}` : ''}` : ''}
  <h4>Respuestas</h4>
  ${Object.entries(op.responses as Obj).map(([status, r]) => {
    const media = Object.entries((r.content ?? {}) as Obj)[0] as [string, Obj] | undefined
    return `<div class="response"><strong>${esc(status)}</strong> ${esc(r.description)}${media ? ` <code>${esc(media[0])}</code>` : ''}
    ${media?.[1].example !== undefined ? json(media[1].example) : ''}</div>`
  }).join('')}
</section>`
}

export function docsPage(doc: Obj): string {
  const ops = Object.entries(doc.paths as Obj).flatMap(([path, item]) => Object.entries(item as Obj).map(([method, op]) => ({ path, method, op: op as Obj })))
  const tags = (doc.tags as { name: string }[]).map((t) => t.name)
  return `<!doctype html>
<html lang="es"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} · referencia</title><link rel="stylesheet" href="/api/v1/docs.css"></head>
<body><header><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
<p>El documento completo, para generar clientes: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p></header>
<nav><ul>${ops.map((o) => `<li><a href="#${esc(o.op.operationId)}"><span class="verb ${esc(o.method)}">${esc(o.method.toUpperCase())}</span> ${esc(o.path)}</a></li>`).join('')}</ul></nav>
<main>${tags.map((tag) => `<h2>${esc(tag)}</h2>${ops.filter((o) => o.op.tags?.[0] === tag).map((o) => operationHtml(o.path, o.method, o.op)).join('\n')}`).join('\n')}</main>
</body></html>`
}

export const docsCss = `
body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: #1f2933; display: grid; grid-template-columns: 22rem 1fr; }
header { grid-column: 1 / 3; padding: 1rem 2rem; background: #0b3d6b; color: #fff; } header a { color: #cde4ff; }
nav { padding: 1rem; border-right: 1px solid #d9e2ec; font-size: 13px; position: sticky; top: 0; max-height: 100vh; overflow: auto; }
nav ul { list-style: none; padding: 0; margin: 0; } nav li { margin: .25rem 0; white-space: nowrap; } nav a { color: inherit; text-decoration: none; }
main { padding: 1rem 2rem; min-width: 0; } h2 { border-bottom: 2px solid #0b3d6b; text-transform: capitalize; }
.op { border: 1px solid #d9e2ec; border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; } .op h3 { margin: .25rem 0; }
.verb { display: inline-block; min-width: 4.2em; text-align: center; border-radius: 4px; color: #fff; font: bold 12px monospace; padding: 2px 4px; }
.get { background: #2f80ed; } .post { background: #27ae60; } .put, .patch { background: #f2994a; } .delete { background: #eb5757; }
.auth { font-size: 12px; background: #e3f0ff; border-radius: 3px; padding: 0 4px; } .auth.open { background: #fdf3d8; }
pre { background: #f5f7fa; padding: .5rem; overflow: auto; font-size: 12px; } table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #d9e2ec; padding: 2px 6px; text-align: left; } .response { margin: .25rem 0; }
`
