import test from 'ava'
import { demoCustomers, demoRfc } from '../../../plugins/clients/demo.js'
import { isValidRfc, normalizeRfc, withCheckDigit } from '../../../plugins/clients/rfc.js'
import { parseCustomer } from '../../../plugins/clients/services/customers.js'
import { FieldValidationError } from '../../../core/kernel/errors.js'

test('valid RFCs: legal entities (12), natural persons (13), SAT generic ones', (t) => {
  for (const rfc of ['EKU9003173C9', 'COSC8001137NA', 'XAXX010101000', 'XEXX010101000', withCheckDigit('GODE561231GR0'), withCheckDigit('ABC010101AB0')]) {
    t.true(isValidRfc(rfc), rfc)
  }
})

test('invalid RFCs: format, date, length, check digit', (t) => {
  for (const rfc of ['', 'EKU9003173C', 'EKU9003173C99', 'EKU9013173C9', 'EKU9002303C9', '1KU9003173C9', 'EKU9003173C8', 'COSC8001137NB', 'EKU-900317-3C9']) {
    t.false(isValidRfc(rfc), rfc)
  }
  // Users type spaces, hyphens and lower case: normalisation fixes those before validation.
  t.is(normalizeRfc(' eku-900317 3c9 '), 'EKU9003173C9')
  t.true(isValidRfc(normalizeRfc('eku-900317-3c9')))
})

test('demoRfc yields valid RFCs for many n, and demo customers pass the API\'s validation', (t) => {
  const seen = new Set<string>()
  for (let n = 0; n < 50_000; n++) {
    const rfc = demoRfc(n)
    if (!isValidRfc(rfc)) { t.fail(`demoRfc(${n}) = ${rfc} is invalid`); return }
    seen.add(rfc)
  }
  for (const n of [123_456, 999_999, 1_000_000, 17_576, 2 ** 31 - 1]) t.true(isValidRfc(demoRfc(n)), String(n))
  t.true(seen.size > 45_000)
  for (const c of demoCustomers(300, 987_654)) t.notThrows(() => parseCustomer(c), c.legalName)
})

test('parseCustomer: required fields on create, only what is sent on update', (t) => {
  const e = t.throws(() => parseCustomer({}), { instanceOf: FieldValidationError })
  t.deepEqual(Object.keys(e.fields).sort(), ['legalName', 'rfc'])
  t.deepEqual(parseCustomer({}, true), {})
  t.deepEqual(parseCustomer({ phone: null }, true), { phone: null })
  t.deepEqual(parseCustomer({ tradeName: '  Tienda  ' }, true), { tradeName: 'Tienda' })
  t.throws(() => parseCustomer({ legalName: null }, true), { instanceOf: FieldValidationError })
  t.throws(() => parseCustomer({ rfc: 'nope' }, true), { instanceOf: FieldValidationError })
  t.deepEqual(parseCustomer({ legalName: ' A ', rfc: 'xaxx010101000' }), { legalName: 'A', rfc: 'XAXX010101000' })
})
