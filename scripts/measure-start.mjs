#!/usr/bin/env node
// Start-up time and idle memory of ONE portal process (issue 15): starts server.ts as `npm start`
// does (package.json's `start`: its node flags and preload), one process (CM_WORKERS=1), so the
// pid is the server's; times spawn → first 200 from /healthz, lets it sit idle, reads VmRSS from
// /proc/<pid>/status, sends SIGTERM and waits for a clean exit. Runs a fresh then a warm start on the
// embedded database (a new temp data dir) and, with DATABASE_URL (any database of that server: a
// database is created beside it and dropped) or --pg, on PostgreSQL. Timings vary with the machine's
// load: use --runs 3 and compare the best. Goals (issue 15): ≤ 250 MB PostgreSQL, ≤ 400 MB embedded,
// warm start ≤ 3 s.
//
//   npm run bench:start -- [--only embedded|pg] [--pg] [--idle 10] [--port 3950] [--runs 1]
//                          [--node-args '--import tsx']   (compare another command line)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startNodeArgs } from './start-command.mjs'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def }
const only = arg('only')
const idleSeconds = Number(arg('idle', '10'))
const port = Number(arg('port', process.env.PORT ?? '3950'))
const runs = Number(arg('runs', '1'))
const nodeArgs = arg('node-args')?.split(/\s+/) ?? startNodeArgs()
const pgBase = process.env.DATABASE_URL ?? (process.argv.includes('--pg') ? 'postgres://postgres@127.0.0.1:5432/postgres' : undefined)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const mb = (kb) => (kb / 1024).toFixed(0)

function status(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (k) => Number(s.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN)
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') }
}

/** user + system CPU time of the process (all its threads) so far: less sensitive to a busy machine. */
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) / 100
}

async function once(label, env) {
  const t0 = performance.now()
  const child = spawn(process.execPath, [...nodeArgs, 'server.ts'], {
    cwd: root, env: { ...process.env, CM_WORKERS: '1', PORT: String(port), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (d) => { out += d }); child.stderr.on('data', (d) => { out += d })
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })))
  let gone = false
  exited.then(() => { gone = true })
  let ready, cpu
  while (!gone && performance.now() - t0 < 180_000) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`)
      await res.arrayBuffer()
      if (res.status === 200) { ready = performance.now() - t0; cpu = cpuSeconds(child.pid); break }
    } catch {}
    await sleep(25)
  }
  if (ready === undefined) {
    child.kill('SIGKILL'); await exited
    throw new Error(`${label}: no 200 from /healthz\n${out.slice(-3000)}`)
  }
  await sleep(idleSeconds * 1000)
  const st = status(child.pid)
  const t1 = performance.now()
  child.kill('SIGTERM')
  const { code, signal } = await exited
  const stop = performance.now() - t1
  if (code !== 0) console.error(`${label}: exit ${code ?? signal}\n${out.slice(-2000)}`)
  return { label, ready, cpu, stop, ...st }
}

async function withDatabase(fn) {
  const name = `cm_measure_${process.pid}`
  const admin = new pg.Client({ connectionString: pgBase })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(pgBase); url.pathname = `/${name}`
  try { return await fn(url.toString()) } finally {
    await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
  }
}

const rows = []
for (let r = 0; r < runs; r++) {
  if (only !== 'pg') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cm-measure-'))
    const env = { CM_DATA_DIR: dir, DATABASE_URL: '' }
    try {
      rows.push(await once('embedded fresh', env))
      rows.push(await once('embedded warm', env))
    } finally { rmSync(dir, { recursive: true, force: true }) }
  }
  if (only !== 'embedded' && pgBase) {
    await withDatabase(async (url) => {
      rows.push(await once('postgres fresh', { DATABASE_URL: url }))
      rows.push(await once('postgres warm', { DATABASE_URL: url }))
    })
  }
}

console.log(`\nnode ${nodeArgs.join(' ')} server.ts — idle ${idleSeconds} s after the first /healthz 200; RSS of that process (MB)`)
console.log('run             | to /healthz | CPU to 200 | VmRSS | RssAnon | RssFile | peak (VmHWM) | SIGTERM→exit')
for (const r of rows) {
  console.log(`${r.label.padEnd(15)} | ${(r.ready / 1000).toFixed(2).padStart(9)} s | ${r.cpu.toFixed(2).padStart(8)} s | ${mb(r.rss).padStart(5)} | ${mb(r.anon).padStart(7)} | ${mb(r.file).padStart(7)} | ${mb(r.hwm).padStart(12)} | ${(r.stop / 1000).toFixed(2).padStart(10)} s`)
}
if (runs > 1) {
  const med = (xs) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
  console.log(`over ${runs} runs: best time to /healthz, best CPU to 200, median VmRSS`)
  for (const label of [...new Set(rows.map((r) => r.label))]) {
    const rs = rows.filter((r) => r.label === label)
    console.log(`${label.padEnd(15)} | ${(Math.min(...rs.map((r) => r.ready)) / 1000).toFixed(2).padStart(9)} s | ${Math.min(...rs.map((r) => r.cpu)).toFixed(2).padStart(8)} s | ${mb(med(rs.map((r) => r.rss))).padStart(5)}`)
  }
}
