import 'express-session'

/** Who is acting: a member of one distributor (CM, API) — the tenant for every query. */
export interface Actor {
  profileId: string
  email: string
  mobile: string
  name: string
  distributorId: string
  distributorName: string
  distributorParentId: string | null
  distributorState: string
  isStaff: boolean
  tier: string
  /** Plugin ids the distributor's tier enables. */
  plugins: string[]
}

/** What AdminJS reads as currentAdmin (it takes req.session.adminUser). */
export interface AdminUser extends Actor { id: string, title: string }

declare module 'express-session' {
  interface SessionData {
    profileId?: string
    /** The distributor chosen in the switcher for the CM. */
    distributorId?: string
    adminUser?: AdminUser
    flash?: { type: 'error' | 'success' | 'info', message: string }
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request { actor?: Actor }
  }
}
