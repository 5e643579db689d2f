import { fileURLToPath } from 'node:url'
import { ScopedResource } from '../../../core/plugin-api-admin.js'
import { isCatalogedError, type AdminContribution, type AdminUser, type PluginContext } from '../../../core/plugin-api.js'
import { NoteSchema, type Note, type NotesService } from '../index.js'

const component = (file: string) => fileURLToPath(new URL(`./components/${file}`, import.meta.url))

/** Notas in the CM: the distributor's own notes, an action with its own component, and a page. */
export function notesAdmin(ctx: PluginContext, notes: NotesService): AdminContribution {
  return {
    components: { NotesPin: component('pin.jsx'), NotesSummary: component('summary.jsx') },
    resources: [{
      resource: new ScopedResource<Note>(ctx.orm, {
        entity: NoteSchema, scope: 'tenant', writable: ['body'],
        create: ({ em, distributorId, params }) => notes.add(em, distributorId, params.body),
      }),
      options: {
        navigation: { name: 'Clientes', icon: 'Users' },
        listProperties: ['body', 'pinned', 'createdAt'],
        properties: { id: { isVisible: false }, distributorId: { isVisible: false }, customerId: { isVisible: false } },
        actions: {
          // A data-changing action has a component (AdminJS calls a component-less action with GET),
          // and the handler changes nothing unless the request is a POST.
          pin: {
            actionType: 'record', icon: 'Star', component: 'NotesPin',
            handler: async (request: any, _response: any, context: any) => {
              const { record, currentAdmin } = context as { record: any, currentAdmin: AdminUser }
              if (request.method !== 'post') return { record: record.toJSON(currentAdmin) }
              try {
                const note = await notes.pin(ctx.em(), currentAdmin.distributorId, String(record.params.id), !record.params.pinned)
                record.params.pinned = note.pinned
                return { record: record.toJSON(currentAdmin), notice: { message: note.pinned ? 'Nota fijada.' : 'Nota desfijada.', type: 'success' } }
              } catch (e) {
                if (!isCatalogedError(e)) throw e
                return { record: record.toJSON(currentAdmin), notice: { message: e.message, type: 'error' } }
              }
            },
          },
        },
      },
    }],
    pages: {
      notesSummary: {
        label: 'Resumen de notas', component: 'NotesSummary', icon: 'FileText',
        handler: async (_request: any, _response: any, context: any) => {
          const em = ctx.em()
          const mine = await em.count(NoteSchema, { distributorId: (context.currentAdmin as AdminUser).distributorId })
          return { total: mine }
        },
      },
    },
    locale: {
      labels: { Note: 'Notas' },
      resources: { Note: { properties: { body: 'Nota', pinned: 'Fijada', createdAt: 'Fecha' }, actions: { pin: 'Fijar o desfijar', list: 'Notas', new: 'Agregar nota' } } },
    },
  }
}
