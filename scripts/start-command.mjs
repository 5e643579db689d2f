// The node arguments `npm start` runs server.ts with (package.json `start`), so that the tests and
// the benches start the server as users do, flags and preload included.
import { readFileSync } from 'node:fs'
import path from 'node:path'

export function startNodeArgs() {
  const start = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'package.json'), 'utf8')).scripts.start
  const words = start.trim().split(/\s+/).filter((w) => w !== 'exec')
  if (words[0] !== 'node' || words.at(-1) !== 'server.ts') throw new Error(`package.json start is not 'node … server.ts': ${start}`)
  return words.slice(1, -1)
}
