// Self-service for a profile: create one, verify its e-mail and mobile, reset a forgotten password,
// and change its own name, password, e-mail or mobile. Sign-in, sign-out and the portal switcher are
// the kernel's; these pages use its sessions, CSRF tokens, sign-in throttle and theme through `site`.
import { fileURLToPath } from 'node:url'
import { definePlugin } from '../../core/plugin-api.js'
import { accountPages } from './pages.js'

export default definePlugin({
  id: 'accounts',
  title: 'Perfil y acceso',
  version: '1.0.0',
  pagePaths: ['/signup', '/verify', '/forgot', '/reset', '/profile'],
  views: fileURLToPath(new URL('./views', import.meta.url)),
  routes: (ctx, site) => ({ pages: accountPages(ctx, site) }),
})

export { FORGOT_PER_ACCOUNT, FORGOT_PER_IP } from './pages.js'
