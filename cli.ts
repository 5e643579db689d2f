// The command line (`npm run -s cm -- <command>`): boots the kernel with this installation's
// configuration (config/app.ts), as server.ts does, and runs a core or plugin command. Beside
// server.ts, not in core/: the kernel never imports the installation.
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'
import { appSettings } from './config/app.js'
import { FULL_TIER } from './config/tiers.js'
import { bootKernel, type Kernel } from './core/kernel/boot.js'
import { createLogger } from './core/kernel/logger.js'
import { isCatalogedError, FieldValidationError } from './core/kernel/errors.js'
import { createStaff, ensureRootDistributor } from './core/identity/bootstrap.js'
import { ApiTokenSchema } from './core/identity/entities.js'
import { IdentityService, hashPassword, randomToken } from './core/identity/service.js'
import type { CliCommand } from './core/kernel/plugin.js'

const io = { out: (l: string) => process.stdout.write(`${l}\n`), err: (l: string) => process.stderr.write(`${l}\n`) }
const identity = new IdentityService()

/** Logs go to stderr so that `--json` output on stdout stays clean. */
async function boot(): Promise<Kernel> {
  const settings = appSettings()
  return bootKernel({ ...settings.kernel, jobs: false, log: createLogger('cm', process.env.CM_LOG === 'silent', true) })
}

const coreCommands: Record<string, CliCommand & { boot?: false }> = {
  migrate: {
    description: 'Apply pending migrations of the core and every installed plugin',
    async run() { return 0 /* bootKernel already migrated */ },
  },
  'create-staff': {
    description: '--email E --mobile M --password P [--name N]: a platform staff profile',
    async run(args) {
      const { values } = parseArgs({ args, options: { email: { type: 'string' }, mobile: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } } })
      if (!values.email || !values.mobile || !values.password) { io.err('usage: create-staff --email E --mobile M --password P'); return 2 }
      const p = await createStaff(kernel!.orm.em.fork(), { email: values.email, mobile: values.mobile, password: values.password, name: values.name })
      io.out(`staff profile ${p.email} created`)
      return 0
    },
  },
  token: {
    description: 'create --login <e-mail or mobile> [--distributor ID] [--label L] | revoke --id TOKEN_ID',
    async run(args) {
      const [sub, ...rest] = args
      const { values } = parseArgs({ args: rest, options: { login: { type: 'string' }, distributor: { type: 'string' }, label: { type: 'string' }, id: { type: 'string' } } })
      const em = kernel!.orm.em.fork()
      if (sub === 'create' && values.login) {
        const { token, id } = await identity.createApiToken(em, values.login, values.distributor, values.label ?? 'CLI')
        io.out(token)
        // stdout stays just the token (for scripts); the id is what `token revoke` needs.
        io.err(`token id ${id} (revoke: token revoke --id ${id})`)
        return 0
      }
      if (sub === 'revoke' && values.id) {
        const n = await em.nativeUpdate(ApiTokenSchema, { id: values.id, revokedAt: null }, { revokedAt: new Date() })
        io.out(n ? 'revoked' : 'no such active token')
        return n ? 0 : 1
      }
      io.err('usage: token create --login X [--distributor ID] | token revoke --id ID')
      return 2
    },
  },
  job: {
    description: 'run <plugin>.<name>: run a scheduled job now (unless another process is running it)',
    async run(args) {
      if (args[0] !== 'run' || !args[1]) { io.err(`usage: job run <name>; jobs: ${kernel!.jobs.names().join(', ') || 'none'}`); return 2 }
      const outcome = await kernel!.jobs.run(args[1])
      if (!outcome.ran) { io.err('not run: another process is running it'); return 1 }
      if (outcome.error) { io.err(`failed: ${outcome.error}`); return 1 }
      io.out(outcome.result ?? 'done')
      return 0
    },
  },
  'seed-demo': {
    description: '[--customers N] [--json]: one staff profile and two distributors with members, tokens and N customers each',
    async run(args) {
      const { values } = parseArgs({ args, options: { customers: { type: 'string', default: '20' }, json: { type: 'boolean', default: false } } })
      const customers = Number(values.customers)
      if (!Number.isInteger(customers) || customers < 0 || customers > 1_000_000) { io.err('--customers must be an integer from 0 to 1000000'); return 2 }
      const started = performance.now()
      const run = randomBytes(4).toString('hex')
      const em = kernel!.orm.em.fork()
      const root = await ensureRootDistributor(em)
      const password = `demo-${randomToken(9)}`
      const hash = await hashPassword(password)
      const mobile = () => `+52 55 ${String(10_000_000 + (randomBytes(4).readUInt32BE() % 89_999_999))}`
      const staffEmail = `staff-${run}@demo.cuentamaestra.mx`
      await createStaff(em, { email: staffEmail, mobile: mobile(), password })
      const out: Record<string, unknown>[] = []
      for (const letter of ['a', 'b']) {
        const login = `distribuidor-${letter}-${run}@demo.cuentamaestra.mx`
        const d = await em.fork().transactional(async (tx) => {
          const d = await kernel!.directory.create(tx, { name: `Distribuidor Demo ${letter.toUpperCase()} ${run}`, tier: FULL_TIER, parentId: root.id })
          const p = await identity.createProfile(tx, { email: login, mobile: mobile(), name: `Usuario ${letter.toUpperCase()} ${run}`, password }, { verified: true, passwordHash: hash })
          await identity.addMember(tx, d.id, p.id)
          return d
        })
        const { token } = await identity.createApiToken(em.fork(), login, d.id, 'demo')
        const entry: Record<string, unknown> = { id: d.id, login, password, token }
        for (const { plugin } of kernel!.plugins) {
          const seeder = plugin.demo?.(kernel!.contexts.get(plugin.id)!)
          if (seeder) Object.assign(entry, await seeder.seed(em.fork(), { id: d.id }, { customers }))
        }
        out.push(entry)
      }
      // The demo is a bulk load in every plugin's tables: the planner counts their rows before this returns.
      await em.fork().getConnection().execute('analyze')
      const result = { staff: { login: staffEmail, password }, distributors: out }
      if (values.json) io.out(JSON.stringify(result))
      else {
        io.out(`staff: ${staffEmail} / ${password}`)
        for (const { id, login, password, token, customers: nics, ...more } of out) {
          io.out(`distributor ${id}: ${login} / ${password}  token ${token}  customers ${(nics as unknown[] | undefined)?.length ?? 0}`)
          for (const [k, v] of Object.entries(more)) io.out(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)   // what the plugins' seeders added
        }
      }
      io.err(`seed-demo finished in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      return 0
    },
  },
}

let kernel: Kernel | undefined

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === 'help' || name === '--help') {
    io.out('usage: npm run cm -- <command> [options]')
    for (const [n, c] of Object.entries(coreCommands)) io.out(`  ${n.padEnd(14)} ${c.description}`)
    // The plugins' commands too, without a database: their factories get an inert context, only read for descriptions.
    const inert: any = new Proxy(function () {}, { get: (_t, k) => (k === 'then' ? undefined : inert), apply: () => inert })
    for (const { plugin } of appSettings().kernel.plugins) {
      try { for (const [n, c] of Object.entries(plugin.commands?.(inert) ?? {})) io.out(`  ${n.padEnd(14)} ${c.description}`) } catch { io.out(`  (${plugin.id}: its commands are listed once the database is open)`) }
    }
    return name ? 0 : 2
  }
  kernel = await boot()
  try {
    const commands: Record<string, CliCommand> = { ...coreCommands }
    for (const { plugin } of kernel.plugins) {
      for (const [n, c] of Object.entries(plugin.commands?.(kernel.contexts.get(plugin.id)!) ?? {})) {
        if (commands[n]) throw new Error(`CLI command '${n}' of plugin '${plugin.id}' clashes with another`)
        commands[n] = c
      }
    }
    const command = commands[name]
    if (!command) { io.err(`unknown command '${name}'; try: ${Object.keys(commands).join(', ')}`); return 2 }
    return await command.run(args, io)
  } finally {
    await kernel.close()
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (e) => {
  if (e instanceof FieldValidationError) io.err(`invalid: ${Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`).join('; ')}`)
  else if (isCatalogedError(e)) io.err(`${e.code}: ${e.message}`)
  else io.err(String(e?.stack ?? e))
  process.exitCode = 1
})
