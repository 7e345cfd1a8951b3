import { createHash } from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ClickHouseClient } from '@clickhouse/client'
import { z } from 'zod'
import { defineInsert, defineQuery } from './query.ts'

const DEFAULT_DIR = fileURLToPath(new URL('../../../../migrations/clickhouse', import.meta.url))
const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/

export interface MigrationFile {
  version: number
  name: string
  checksum: string
  statements: string[]
}

export class MigrationError extends Error {
  override name = 'MigrationError'
}

const AppliedRow = z.object({ version: z.coerce.number(), name: z.string(), checksum: z.string() })
type AppliedRow = z.infer<typeof AppliedRow>

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32 COMMENT 'Number prefix of the migration file (NNN)',
  name String COMMENT 'File name without the number and extension',
  checksum String COMMENT 'sha256 of the file text when it was applied; a later change is refused',
  applied_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the migration finished'
)
ENGINE = MergeTree
ORDER BY version
COMMENT 'ClickHouse migrations applied from migrations/clickhouse'`

/** Splits on `;` at the end of a line; chunks holding only `--` comments are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;[ \t]*$/m)
    .map((chunk) => chunk.trim())
    .filter((chunk) => chunk.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('--')))
}

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const files: MigrationFile[] = []
  for (const file of (await fs.readdir(dir)).sort()) {
    const match = FILE_NAME.exec(file)
    if (!match) continue
    const text = await fs.readFile(path.join(dir, file), 'utf8')
    const version = Number(match[1])
    if (files.some((f) => f.version === version))
      throw new MigrationError(`duplicate migration number ${match[1]}`)
    files.push({
      version,
      name: match[2] ?? '',
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitStatements(text),
    })
  }
  return files
}

const appliedRows = defineQuery({
  name: 'schema_migrations_applied',
  params: z.object({}),
  row: AppliedRow,
  sql: 'SELECT version, any(name) AS name, any(checksum) AS checksum FROM schema_migrations GROUP BY version',
})

const recordMigration = defineInsert({
  name: 'schema_migrations_record',
  table: 'schema_migrations',
  row: (r: AppliedRow) => AppliedRow.parse(r),
})

async function appliedMigrations(ch: ClickHouseClient): Promise<Map<number, AppliedRow>> {
  const rows = await appliedRows(ch)({})
  return new Map(rows.map((r) => [r.version, r]))
}

/** Applies pending `NNN_name.sql` files in order; an applied file whose text changed stops the start. */
export async function migrateClickHouse(
  ch: ClickHouseClient,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {})
  const files = await readMigrations(opts.dir ?? DEFAULT_DIR)
  await ch.command({ query: CREATE_MIGRATIONS_TABLE })
  const done = await appliedMigrations(ch)
  const applied: string[] = []
  for (const file of files) {
    const label = `${String(file.version).padStart(3, '0')}_${file.name}`
    const previous = done.get(file.version)
    if (previous) {
      if (previous.checksum !== file.checksum) {
        throw new MigrationError(
          `ClickHouse migration ${label} was changed after it was applied ` +
            `(checksum ${previous.checksum.slice(0, 12)} != ${file.checksum.slice(0, 12)}); ` +
            'add a new numbered migration instead of editing an applied one',
        )
      }
      continue
    }
    for (const statement of file.statements) await ch.command({ query: statement })
    await recordMigration(ch)([{ version: file.version, name: file.name, checksum: file.checksum }])
    log(`clickhouse migration applied: ${label}`)
    applied.push(label)
  }
  return { applied }
}
