/** The node arguments package.json `start` runs server.ts with. */
export function startNodeArgs(): string[]
