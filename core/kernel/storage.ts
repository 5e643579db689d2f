import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { FileKeyInvalidError, FileTooLargeError } from './errors.js'

export interface StoredFile { key: string, sha256: string, size: number }

/** Content-addressed files of one plugin: the key is the content's SHA-256 (hex). */
export interface FileStorage {
  put(input: Readable | Buffer, options?: { maxBytes?: number }): Promise<StoredFile>
  /** Bytes start..end, both inclusive (as in an HTTP Range header). */
  get(key: string, range?: { start?: number, end?: number }): Readable
  stat(key: string): Promise<{ size: number } | null>
  delete(key: string): Promise<void>
}

/** A local folder (CM_DATA_DIR/files/<plugin>); an object store can implement FileStorage later. */
export class LocalFileStorage implements FileStorage {
  constructor(private readonly dir: string) {}

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new FileKeyInvalidError()
    return path.join(this.dir, key)
  }

  async put(input: Readable | Buffer, { maxBytes = Infinity }: { maxBytes?: number } = {}): Promise<StoredFile> {
    await mkdir(this.dir, { recursive: true })
    const tmp = path.join(this.dir, `.tmp-${randomUUID()}`)
    const hash = createHash('sha256')
    let size = 0
    const measure = new Transform({
      transform(chunk: Buffer, _enc, done) { size += chunk.length; done(size > maxBytes ? new FileTooLargeError(maxBytes) : null, hash.update(chunk) && chunk) },
    })
    try {
      await pipeline(Buffer.isBuffer(input) ? Readable.from([input]) : input, measure, createWriteStream(tmp, { flags: 'wx' }))
      const sha256 = hash.digest('hex')
      await rename(tmp, this.file(sha256))
      return { key: sha256, sha256, size }
    } finally {
      await rm(tmp, { force: true })
    }
  }

  get(key: string, range: { start?: number, end?: number } = {}): Readable { return createReadStream(this.file(key), range) }

  async stat(key: string): Promise<{ size: number } | null> {
    const s = await stat(this.file(key)).catch((e) => { if (e.code === 'ENOENT') return null; throw e })
    return s ? { size: s.size } : null
  }

  async delete(key: string): Promise<void> { await rm(this.file(key), { force: true }) }
}
