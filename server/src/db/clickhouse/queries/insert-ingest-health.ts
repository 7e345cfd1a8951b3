import { z } from 'zod'
import { defineInsert } from '../query.ts'

/** An `ingest_health_v1` row as inserted (migration 014). */
export const IngestHealthRow = z.object({
  project_id: z.string(),
  time: z.number().int().nonnegative(),
  replica: z.string().min(1),
  interval_ms: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  dropped_spool: z.number().int().nonnegative(),
  dropped_disk_full: z.number().int().nonnegative(),
  dead_lettered: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  spooled: z.number().int().nonnegative(),
})
export type IngestHealthRow = z.infer<typeof IngestHealthRow>

export const insertIngestHealth = defineInsert({
  name: 'insert_ingest_health',
  table: 'ingest_health_v1',
  row: (r: IngestHealthRow) => IngestHealthRow.parse(r),
})
