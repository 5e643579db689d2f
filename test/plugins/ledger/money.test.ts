import test from 'ava'
import { formatHundredths, parseHundredths } from '../../../core/kernel/money.js'

test('decimal strings become whole hundredths, exactly', (t) => {
  t.is(parseHundredths('150.00'), 15000)
  t.is(parseHundredths('150'), 15000)
  t.is(parseHundredths('150.5'), 15050)
  t.is(parseHundredths('0.01'), 1)
  t.is(parseHundredths(' 0.10 '), 10)
  t.is(parseHundredths('1.15'), 115)      // 1.15 * 100 in floats is 114.99999999999999
  t.is(parseHundredths('9999999999999.99'), 999999999999999)
  for (const bad of ['', '.5', '1.', '1.234', '-1', '+1', '1e3', '12,50', '1 000', 'abc', '0x10', '99999999999999']) {
    t.is(parseHundredths(bad), null, bad)
  }
})

test('hundredths format with two decimals', (t) => {
  t.is(formatHundredths(15000), '150.00')
  t.is(formatHundredths(1), '0.01')
  t.is(formatHundredths(0), '0.00')
  t.is(formatHundredths(-5), '-0.05')
  t.is(formatHundredths(123456789), '1234567.89')
  t.throws(() => formatHundredths(1.5))
})
