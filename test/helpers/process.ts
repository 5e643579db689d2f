import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startNodeArgs } from '../../scripts/start-command.mjs'

export const repoRoot = path.resolve(import.meta.dirname, '..', '..')

export interface RunResult { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/** Environment for child processes: the parent's, minus settings that would leak into them. */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const k of ['DATABASE_URL', 'CM_DATA_DIR', 'PORT', 'CM_ADMIN_EMAIL', 'CM_ADMIN_PASSWORD', 'CM_ADMIN_MOBILE', 'NODE_OPTIONS']) delete env[k]
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v
  return env
}

/** `node --import tsx <script> …args` from the repository root; resolves when it exits. */
export function runNode(script: string, args: string[], env: Record<string, string | undefined>, timeoutMs = 120_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: repoRoot, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = '', stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${script} ${args.join(' ')} timed out\n${stderr}`)) }, timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

/** The CLI (`npm run cm -- …`) as a child process. */
export const runCli = (args: string[], env: Record<string, string | undefined>) => runNode('cli.ts', args, env)

/** A long-running child (the server) whose output is collected as it arrives. */
export interface Spawned { child: ChildProcess, output(): string, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }> }
export function spawnNode(script: string, env: Record<string, string | undefined>): Spawned {
  // The server as `npm start` runs it (its node flags and preload); anything else with tsx alone.
  const args = script === 'server.ts' ? startNodeArgs() : ['--import', 'tsx']
  const child = spawn(process.execPath, [...args, script], { cwd: repoRoot, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d) => { out += d })
  child.stderr!.on('data', (d) => { out += d })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, output: () => out, exited }
}

/** A temporary directory, removed by the returned function. */
export function tempDir(prefix = 'cm-test-'): { dir: string, remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}
