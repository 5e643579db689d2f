import Handlebars from 'handlebars'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

const zone = { timeZone: 'America/Mexico_City', day: 'numeric', month: 'short', year: 'numeric' } as const
const DAY = new Intl.DateTimeFormat('es-MX', zone)
const WHEN = new Intl.DateTimeFormat('es-MX', { ...zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/**
 * Handlebars with the theme's layouts and partials and every plugin's views (as `<plugin>/<name>`).
 * Templates use `{{…}}` (escaped) for anything a user typed; `{{{body}}}` in layouts is our own HTML.
 */
export class ViewEngine {
  private readonly hbs = Handlebars.create()
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>()

  constructor(private readonly themeDir: string, views: { prefix: string, dir: string }[]) {
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b)
    this.hbs.registerHelper('json', (v: unknown) => JSON.stringify(v))
    // `{{date x}}` → "4 dic 2026, 12:25", `{{date x "day"}}` → "4 dic 2026", in Mexico City time; "—" when empty.
    this.hbs.registerHelper('date', (v: unknown, ...rest: unknown[]) => {
      const d = v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null
      return d && !Number.isNaN(d.getTime()) ? (rest.length > 1 && rest[0] === 'day' ? DAY : WHEN).format(d) : '—'
    })
    this.loadDir(path.join(themeDir, 'partials'), '', (name, src) => this.hbs.registerPartial(name, src))
    this.loadDir(path.join(themeDir, 'layouts'), 'layouts/', (name, src) => this.templates.set(name, this.hbs.compile(src)))
    for (const v of views) {
      this.loadDir(v.dir, v.prefix ? `${v.prefix}/` : '', (name, src) => {
        this.templates.set(name, this.hbs.compile(src))
        this.hbs.registerPartial(name, src)
      })
    }
  }

  private loadDir(dir: string, prefix: string, add: (name: string, src: string) => void) {
    if (!existsSync(dir)) return
    for (const file of readdirSync(dir)) {
      const full = path.join(dir, file)
      if (statSync(full).isDirectory()) { this.loadDir(full, `${prefix}${file}/`, add); continue }
      if (file.endsWith('.hbs')) add(`${prefix}${file.slice(0, -4)}`, readFileSync(full, 'utf8'))
    }
  }

  has(view: string): boolean { return this.templates.has(view) }

  render(view: string, data: Record<string, unknown> = {}, layout = 'layouts/main'): string {
    const template = this.templates.get(view)
    if (!template) throw new Error(`View not found: ${view}`)
    const body = template(data)
    const wrap = layout ? this.templates.get(layout) : undefined
    return wrap ? wrap({ ...data, body }) : body
  }
}
