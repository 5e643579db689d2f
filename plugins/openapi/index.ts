// The API reference: /api/v1/openapi.json (OpenAPI 3.1) assembled from the `doc` each plugin's route
// carries where it is declared, and /api/v1/docs, a page that reads it (served here, no CDN). The
// kernel only records each mounted route with its doc (ctx.http.operations()); this plugin names no
// other plugin.
import { definePlugin } from '../../core/plugin-api.js'
import { openapiDocument } from './document.js'
import { docsCss, docsPage } from './page.js'

export default definePlugin({
  id: 'openapi',
  version: '0.1.0',
  apiPaths: ['/openapi.json', '/docs'],
  routes: (ctx) => {
    const pub = ctx.http.publicRouter()
    // Built at the first request: by then /api/v1 is assembled. The routes do not change while running.
    let doc: Record<string, unknown> | undefined
    const document = () => (doc ??= openapiDocument(ctx.http.operations(), '1.0.0'))
    pub.get('/openapi.json', { doc: { summary: 'Este documento (OpenAPI 3.1)', responses: { 200: { description: 'El documento OpenAPI', type: 'application/json' } } } }, (_req, res) => {
      res.json(document())
    })
    pub.get('/docs', { doc: { summary: 'La referencia de la API, legible (HTML)', responses: { 200: { description: 'Página HTML', type: 'text/html' } } } }, (_req, res) => {
      res.type('html').send(docsPage(document()))
    })
    pub.get('/docs.css', { doc: { summary: 'Estilos de la página de referencia', responses: { 200: { description: 'CSS', type: 'text/css' } } } }, (_req, res) => {
      res.type('css').set('cache-control', 'public, max-age=3600').send(docsCss)
    })
    return { public: pub }
  },
})
