// The README's "Writing a plugin" walkthrough, whole: notes about customers, kept by each
// distributor. It uses only the kernel's public API (core/plugin-api.ts) and the clients plugin's
// index.ts. config/app.ts does not install it; test/plugins/notes/ and the CI's fixture run do.
import { fileURLToPath } from 'node:url'
import { EntitySchema, type EntityManager } from '@mikro-orm/postgresql'
import { z } from 'zod'
import { definePlugin, FieldValidationError, NotFoundError, sql, sqlMigration } from '../../core/plugin-api.js'
import { CUSTOMER_FIGURES } from '../clients/index.js'

export interface Note { id: string, distributorId: string, customerId: string | null, body: string, pinned: boolean, createdAt: Date }

export const NoteSchema = new EntitySchema<Note>({
  name: 'Note', tableName: 'notes_note',               // entity name = AdminJS resource id; table prefixed by the plugin id
  properties: {
    id: { type: 'uuid', primary: true, defaultRaw: 'gen_random_uuid()' },
    distributorId: { type: 'uuid', index: 'notes_note_distributor_id_index' },   // the tenant
    customerId: { type: 'uuid', nullable: true, index: 'notes_note_customer_id_index' },   // an id owned by clients, not a relation into its tables
    body: { type: 'text' },
    pinned: { type: 'boolean', default: false },
    createdAt: { type: 'datetime', defaultRaw: 'now()' },
  },
})

const migrations = [sqlMigration('notes_0001_note', `
create table "notes_note" ("id" uuid not null default gen_random_uuid() primary key, "distributor_id" uuid not null, "customer_id" uuid null, "body" text not null, "pinned" boolean not null default false, "created_at" timestamptz not null default now());
create index "notes_note_distributor_id_index" on "notes_note" ("distributor_id");
create index "notes_note_customer_id_index" on "notes_note" ("customer_id");
`)]

export class NotesService {
  constructor(private readonly maxLength: number) {}

  async add(em: EntityManager, distributorId: string, body: unknown, customerId: string | null = null): Promise<Note> {
    if (typeof body !== 'string' || !body.trim() || body.length > this.maxLength || body.includes('\0')) {
      throw new FieldValidationError({ body: `La nota debe tener entre 1 y ${this.maxLength} caracteres` })   // → 422
    }
    const note = em.create(NoteSchema, { distributorId, customerId, body: body.trim(), pinned: false } as Note)
    await em.flush()
    return note
  }

  /** Pins or unpins one of the distributor's notes; another distributor's note is "not found". */
  async pin(em: EntityManager, distributorId: string, id: string, pinned: boolean): Promise<Note> {
    const note = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(NoteSchema, { id, distributorId }) : null
    if (!note) throw new NotFoundError('Nota')
    note.pinned = pinned
    await em.flush()
    return note
  }

  /** Deletes unpinned notes older than `days` (the job below). */
  async purge(em: EntityManager, now: Date, days: number): Promise<number> {
    const rows = await sql<{ id: string }[]>(em, `delete from notes_note where not pinned and created_at < ?::timestamptz - ?::int * interval '1 day' returning id`, [now.toISOString(), days])
    return rows.length
  }
}

declare module '../../core/plugin-api.js' {
  interface PluginServices { notes: { notes: NotesService } }
}

export default definePlugin({
  id: 'notes',
  title: 'Notas',
  version: '0.1.0',
  dependsOn: ['clients'],
  options: z.object({ maxLength: z.number().int().positive().default(2000), keepDays: z.number().int().positive().default(365) }),   // validated at boot
  entities: [NoteSchema],
  migrations,
  views: fileURLToPath(new URL('./views', import.meta.url)),    // views/list.hbs is rendered as 'notes/list'
  services: (ctx) => ({ notes: new NotesService(ctx.options.maxLength) }),
  bootstrap(ctx) {
    // Runs inside the transaction that creates the customer: both commit, or neither.
    ctx.events.on('clients.customerCreated', async ({ customer }, em) => {
      await ctx.use('notes').notes.add(em, customer.distributorId, `Alta del cliente ${customer.nic}`, customer.id)
    })
    // A column of the Clientes list (CM and API), shown only to distributors whose tier has 'notes'.
    ctx.extensions.contribute('notes', CUSTOMER_FIGURES, {
      relation: '(select customer_id, distributor_id, count(*) as n from notes_note where customer_id is not null group by customer_id, distributor_id)',
      figures: [{ key: 'noteCount', column: 'n', kind: 'integer', label: 'Notas' }],
    })
  },
  // No apiPaths: the routes live under /api/v1/notes.
  routes: (ctx) => {
    const api = ctx.http.apiRouter()                  // behind a bearer token and the tier gate
    // `doc` puts a route in /api/v1/openapi.json: zod schemas, and examples that tests check against them.
    const note = z.looseObject({ id: z.uuid(), body: z.string(), pinned: z.boolean(), createdAt: z.string() })
    api.get('/', { doc: { summary: 'Las notas del distribuidor', responses: { 200: { description: 'Las 100 más recientes', schema: z.object({ items: z.array(note) }) } } } }, async (req, res) => {
      const items = await ctx.em().find(NoteSchema, { distributorId: req.actor!.distributorId }, { orderBy: { createdAt: 'desc' }, limit: 100 })
      res.json({ items })
    })
    const add = { summary: 'Agrega una nota', body: z.object({ body: z.string().min(1) }), bodyExample: { body: 'Llamar el lunes' }, responses: { 201: { description: 'La nota', schema: note } } }
    api.post('/', { doc: add }, async (req, res) => {
      res.status(201).json(await ctx.use('notes').notes.add(ctx.em(), req.actor!.distributorId, req.body?.body))
    })
    return { api }
  },
  jobs: (ctx) => ({
    // One process at a time runs it (the kernel's advisory lock); its result shows in the staff console.
    purge: {
      everyMs: 24 * 3600_000,
      run: async ({ em, now }) => `${await ctx.use('notes').notes.purge(em, now, ctx.options.keepDays)} notas eliminadas`,
    },
  }),
  admin: async (ctx) => (await import('./admin/note.resource.js')).notesAdmin(ctx, ctx.use('notes').notes),
  pcc: (ctx) => ({
    pages: [{
      path: 'notas', title: 'Notas',                   // /pcc/<nic>/notas
      async get(_req, pcc) {
        const notes = await pcc.em.find(NoteSchema, { customerId: pcc.customerId, distributorId: pcc.distributorId }, { orderBy: { createdAt: 'desc' } })
        return { view: 'notes/list', data: { notes } }
      },
    }],
  }),
})
