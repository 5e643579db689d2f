import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Logger } from '../kernel/logger.js'
import type { Message, Transport } from '../kernel/plugin.js'

/** Default delivery: a line in the log and a JSON file per message in CM_DATA_DIR/outbox. */
export class OutboxTransport implements Transport {
  private readonly dir: string
  constructor(dataDir: string, private readonly log: Logger) { this.dir = path.join(dataDir, 'outbox') }

  async send(message: Message): Promise<void> {
    mkdirSync(this.dir, { recursive: true })
    const file = path.join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`)
    writeFileSync(file, JSON.stringify({ ...message, at: new Date().toISOString() }, null, 2))
    this.log.info(`${message.channel} to ${message.to}: ${message.subject}`, { file })
  }
}
