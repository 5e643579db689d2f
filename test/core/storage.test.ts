import test from 'ava'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import { buffer } from 'node:stream/consumers'
import { bootKernel } from '../../core/kernel/boot.js'
import { FileKeyInvalidError, FileTooLargeError } from '../../core/kernel/errors.js'
import { LocalFileStorage } from '../../core/kernel/storage.js'
import { baseKernelConfig, freshDatabase } from '../helpers/db.js'
import { tempDir } from '../helpers/process.js'

// File storage: stream in while hashing, content-addressed, byte ranges out, no path traversal.

const tmp = tempDir()
test.after.always(() => tmp.remove())

/** `size` random bytes in 64 KiB chunks, as a stream, and the same bytes. */
function randomStream(size: number): { stream: Readable, bytes: Buffer } {
  const bytes = randomBytes(size)
  const chunks: Buffer[] = []
  for (let i = 0; i < size; i += 65_536) chunks.push(bytes.subarray(i, i + 65_536))
  return { stream: Readable.from(chunks), bytes }
}

test('a multi-MB stream is stored under its SHA-256; ranges read back exact bytes', async (t) => {
  const storage = new LocalFileStorage(path.join(tmp.dir, 'a'))
  const { stream, bytes } = randomStream(5 * 1024 * 1024 + 123)
  const stored = await storage.put(stream)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  t.deepEqual(stored, { key: sha256, sha256, size: bytes.length })
  t.deepEqual(await storage.stat(stored.key), { size: bytes.length })
  t.true((await buffer(storage.get(stored.key))).equals(bytes))
  t.true((await buffer(storage.get(stored.key, { start: 1_000_000, end: 1_999_999 }))).equals(bytes.subarray(1_000_000, 2_000_000)))
  t.true((await buffer(storage.get(stored.key, { start: bytes.length - 10 }))).equals(bytes.subarray(bytes.length - 10)))
  t.true((await buffer(storage.get(stored.key, { start: 0, end: 0 }))).equals(bytes.subarray(0, 1)))
  // The same content again is the same key; a Buffer works too.
  t.is((await storage.put(bytes)).key, sha256)
  t.deepEqual(readdirSync(path.join(tmp.dir, 'a')), [sha256])
  await storage.delete(stored.key)
  t.is(await storage.stat(stored.key), null)
})

test('keys that are not a SHA-256 in hex are refused: no path traversal', async (t) => {
  const storage = new LocalFileStorage(path.join(tmp.dir, 'b'))
  for (const key of ['../../etc/passwd', '..', '/etc/passwd', 'A'.repeat(64), `${'a'.repeat(64)}/..`, `../${'a'.repeat(62)}`, '']) {
    t.throws(() => storage.get(key), { instanceOf: FileKeyInvalidError }, key)
    await t.throwsAsync(storage.stat(key), { instanceOf: FileKeyInvalidError }, key)
    await t.throwsAsync(storage.delete(key), { instanceOf: FileKeyInvalidError }, key)
  }
})

test('a file over maxBytes fails with file_too_large and leaves nothing behind', async (t) => {
  const dir = path.join(tmp.dir, 'c')
  const storage = new LocalFileStorage(dir)
  const error = await t.throwsAsync(storage.put(randomStream(2 * 1024 * 1024).stream, { maxBytes: 1024 * 1024 }), { instanceOf: FileTooLargeError })
  t.is(error.code, 'file_too_large')
  t.is(error.status, 413)
  t.deepEqual(readdirSync(dir), [])
  await t.throwsAsync(storage.put(Buffer.alloc(11), { maxBytes: 10 }), { instanceOf: FileTooLargeError })
  t.is((await storage.put(Buffer.alloc(10), { maxBytes: 10 })).size, 10)
  t.is(readdirSync(dir).length, 1)
})

test('each plugin stores under CM_DATA_DIR/files/<its id>', async (t) => {
  const db = await freshDatabase()
  const dataDir = path.join(tmp.dir, 'data')
  const kernel = await bootKernel(baseKernelConfig({ ...db.config, dataDir, jobs: false }))
  try {
    const { key } = await kernel.contexts.get('clients')!.storage.put(Buffer.from('hola'))
    t.true(existsSync(path.join(dataDir, 'files', 'clients', key)))
    t.is(await kernel.contexts.get('ledger')!.storage.stat(key), null)
  } finally { await kernel.close(); await db.drop() }
})
