import type { EntityManager } from '@mikro-orm/postgresql'
/**
 * Named extension points. A plugin that owns a list declares a point (e.g. 'clients.customerFigures');
 * plugins that depend on it contribute values. Contributions are read at use time, so the order of
 * boot between owner and contributors does not matter.
 */
/** 'cm.dashboard' (declared by the kernel): a figure on the CM's home page, linking to its list. */
export interface DashboardFigure { key: string, label: string, href: string, value(em: EntityManager, distributorId: string): Promise<string | number> }
/** 'kernel.stateChange': asked before staff set a distributor's state by hand; a Spanish reason refuses it (e.g. the distributors plugin's transition table). */
export type StateChangeGuard = (from: string, to: string) => string | null
export interface ExtensionPointTypes { 'cm.dashboard': DashboardFigure, 'kernel.stateChange': StateChangeGuard }

type Value<K extends string> = K extends keyof ExtensionPointTypes ? ExtensionPointTypes[K] : unknown

export class Extensions {
  private readonly points = new Map<string, { owner: string, values: { from: string, value: unknown }[] }>()

  declare(owner: string, point: string): void {
    if (this.points.has(point)) throw new Error(`Extension point '${point}' is declared twice`)
    this.points.set(point, { owner, values: [] })
  }

  contribute<K extends string>(from: string, point: K, value: Value<K>): void {
    const entry = this.points.get(point)
    if (!entry) throw new Error(`Plugin '${from}' contributes to unknown extension point '${point}'`)
    entry.values.push({ from, value })
  }

  /**
   * The values contributed to a point. Pass the plugins a distributor's tier enables
   * (`ctx.pluginsOf(distributorId)`) to get only what those plugins contributed: a contribution is
   * used only for distributors whose tier enables its plugin.
   */
  list<K extends string>(point: K, enabled?: readonly string[]): Value<K>[] {
    return (this.points.get(point)?.values ?? []).filter((v) => !enabled || enabled.includes(v.from)).map((v) => v.value as Value<K>)
  }
}
