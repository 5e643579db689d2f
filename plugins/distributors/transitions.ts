import type { DirectoryEntry } from '../../core/plugin-api.js'

export type State = DirectoryEntry['state']
export type TransitionName = 'activate' | 'suspend' | 'reactivate' | 'renew' | 'cancel'

export interface Transition {
  /** States the action starts from. */
  from: readonly State[]
  to: State
  /** The CM action's label and its one confirmation (what will happen), in Spanish. */
  label: string
  confirm: string
  /** Success notice. */
  done: string
}

/**
 * The CM manual's states and transitions ("Activar / Suspender / Renovar / Cancelar una cuenta"): the
 * one table every path (CM action, API route) goes through. An active account is not cancelled
 * directly: it is suspended first, as the manual's steps go. `expired` is reached only by the
 * expiry job (CM expiry passed); `unvalidated` → `inactive` when the invited profile is verified.
 */
export const TRANSITIONS: Readonly<Record<TransitionName, Transition>> = {
  activate: {
    from: ['inactive'], to: 'active', label: 'Activar',
    confirm: 'La cuenta pasará a Activa: sus usuarios podrán entrar a su Cuenta Maestra y usar la API.',
    done: 'Cuenta activada',
  },
  suspend: {
    from: ['active'], to: 'suspended', label: 'Suspender',
    confirm: 'La cuenta quedará Suspendida: sus usuarios no podrán entrar a su Cuenta Maestra ni usar la API, ni vender o transferir timbres. Sus clientes seguirán timbrando con los timbres que ya tienen.',
    done: 'Cuenta suspendida',
  },
  reactivate: {
    from: ['suspended'], to: 'active', label: 'Reactivar',
    confirm: 'La cuenta volverá a estar Activa con la misma fecha de vencimiento.',
    done: 'Cuenta reactivada',
  },
  renew: {
    from: ['expired', 'suspended'], to: 'active', label: 'Renovar',
    confirm: 'La cuenta volverá a estar Activa y su vigencia se extenderá un año.',
    done: 'Cuenta renovada',
  },
  cancel: {
    from: ['unvalidated', 'inactive', 'suspended', 'expired'], to: 'cancelled', label: 'Cancelar',
    confirm: 'La cuenta quedará Cancelada de forma definitiva. A los 30 días naturales se eliminarán sus datos personales y sus clientes, subdistribuidores, timbres y puntos pasarán a su distribuidor. Esta acción no se puede deshacer.',
    done: 'Cuenta cancelada',
  },
}

export const TRANSITION_NAMES = Object.keys(TRANSITIONS) as TransitionName[]

/** API names of the states (the kernel's names) → the CM's tabs, in the manual's order. */
export const STATE_LABELS: Readonly<Record<State, string>> = {
  unvalidated: 'Sin validar', inactive: 'Sin activar', active: 'Activos', suspended: 'Suspendidos', expired: 'Vencidos', cancelled: 'Cancelados',
}
export const STATE_ORDER: readonly State[] = ['unvalidated', 'inactive', 'active', 'suspended', 'expired', 'cancelled']
/** One distributor's state, singular. */
export const STATE_NAME: Readonly<Record<State, string>> = {
  unvalidated: 'Sin validar', inactive: 'Sin activar', active: 'Activo', suspended: 'Suspendido', expired: 'Vencido', cancelled: 'Cancelado',
}

export const allows = (name: TransitionName, state: State) => TRANSITIONS[name].from.includes(state)

/** A year after the later of today and the current expiry ('YYYY-MM-DD'). */
export function renewedExpiry(current: string | null, now: Date): string {
  const today = now.toISOString().slice(0, 10)
  const base = current && current > today ? current : today
  const d = new Date(`${base}T00:00:00Z`)
  d.setUTCFullYear(d.getUTCFullYear() + 1)
  return d.toISOString().slice(0, 10)
}
