import test from 'ava'
import { installedPlugins } from '../../config/app.js'
import { definePlugin } from '../../core/kernel/plugin.js'
import { startTestApp } from '../helpers/app.js'

// A plugin may add actions to another plugin's admin resource, but never replace one.
const adding = (actions: Record<string, Record<string, unknown>>) => definePlugin({
  id: 'probe', version: '1.0.0', dependsOn: ['clients'],
  admin: () => ({ actionsFor: actions }),
})

const boot = (actions: Record<string, Record<string, unknown>>) =>
  startTestApp({ admin: true, kernel: { plugins: [...installedPlugins, { plugin: adding(actions) }] } })

test('adding an action that the resource already has (its own or a built-in) fails naming both', async (t) => {
  await t.throwsAsync(boot({ Customer: { list: { actionType: 'resource', handler: () => ({}) } } }), { message: /Plugin 'probe' adds action 'list' to 'Customer', which already has one/ })
  await t.throwsAsync(boot({ StampingAccount: { transfer: { actionType: 'record', handler: () => ({}) } } }), { message: /adds action 'transfer' to 'StampingAccount'/ })
})

test('adding actions to a resource nobody defines fails naming it', async (t) => {
  await t.throwsAsync(boot({ Nope: { x: { actionType: 'record', handler: () => ({}) } } }), { message: /Plugin 'probe' adds actions to 'Nope', which no installed plugin defines/ })
})
