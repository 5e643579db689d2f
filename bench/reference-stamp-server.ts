// The reference for bench/stamp.ts: only the unavoidable work of a stamp — parse the JSON, decode
// the base64, sign a TFD 1.1 with an RSA key, encode the answer — with no database and no
// validation, run as the portal is: one process per core (CM_WORKERS overrides). PORT from the environment.
import cluster from 'node:cluster'
import { createPrivateKey, randomUUID, sign } from 'node:crypto'
import http from 'node:http'
import { generateSandboxKeys } from '../plugins/stamping/cfdi/sandbox-pac.js'
import { tfdElement, tfdOriginalString } from '../plugins/stamping/cfdi/tfd.js'
import { mexicoCityNow } from '../plugins/stamping/cfdi/validate.js'
import { workerCount } from '../supervisor.js'

const workers = workerCount(process.env, 'postgresql')
if (cluster.isPrimary && workers > 1) {
  let listening = 0
  for (let i = 0; i < workers; i++) cluster.fork().once('listening', () => { if (++listening === workers) process.send?.('ready') })
  process.on('SIGTERM', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM')
    cluster.on('exit', () => { if (!Object.keys(cluster.workers ?? {}).length) process.exit(0) })
  })
} else {
  const keys = generateSandboxKeys()
  const key = createPrivateKey(keys.privateKeyPem)
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') { res.end('{"status":"ok"}'); return }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { xml: string }
      const xml = Buffer.from(body.xml, 'base64').toString('utf8')
      const base = { uuid: randomUUID().toUpperCase(), fechaTimbrado: mexicoCityNow(), rfcProvCertif: 'SPR190613I52', selloCfd: 'U2VsbG8=', noCertificadoSat: keys.noCertificado }
      const selloSat = sign('sha256', Buffer.from(tfdOriginalString(base), 'utf8'), key).toString('base64')
      const at = xml.lastIndexOf('</')
      const stamped = xml.slice(0, at) + tfdElement({ ...base, selloSat }) + xml.slice(at)
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ uuid: base.uuid, xml: Buffer.from(stamped, 'utf8').toString('base64'), stampedAt: new Date().toISOString(), balance: 0, replayed: false }))
    })
  })
  server.keepAliveTimeout = 60_000
  server.listen(Number(process.env.PORT ?? 3999), '127.0.0.1', () => { if (cluster.isPrimary) process.send?.('ready') })
  process.on('SIGTERM', () => server.close(() => process.exit(0)))
}
