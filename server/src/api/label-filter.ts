import { LABEL_NAMES, LabelValues } from '@leash/shared'
import type { Db } from '../db/postgres/index.ts'
import { LeashError } from '../errors.ts'
import { labelledEventIds } from '../labels/index.ts'
import type { LabelFilter } from './exchange-query.ts'

/**
 * The event ids carrying every asked label (`label.refusal=full`, `label.prompt_harmful=true`), for the
 * exchange filters: one lookup per label in PostgreSQL, intersected. A label name or value the labels
 * API would refuse is a 400 naming the parameter.
 */
export async function eventIdsWithLabels(
  ctx: { db: Db },
  input: { projectId: string; labels: LabelFilter[] },
): Promise<string[]> {
  let ids: Set<string> | undefined
  for (const { name, label } of input.labels) {
    if (!(LABEL_NAMES as readonly string[]).includes(name))
      throw new LeashError('bad_request', `label.${name}: unknown label (one of ${LABEL_NAMES.join(', ')})`)
    const value = parseValue(name, label)
    const found = await labelledEventIds(ctx, { projectId: input.projectId, name, value })
    ids = ids ? new Set(found.filter((id) => ids?.has(id))) : new Set(found)
    if (ids.size === 0) break
  }
  return [...(ids ?? [])]
}

function parseValue(name: string, text: string): unknown {
  const candidates: unknown[] = [text]
  if (text === 'true' || text === 'false') candidates.push(text === 'true')
  if (/^\d+$/.test(text)) candidates.push(Number(text))
  for (const v of candidates) {
    if (LabelValues.safeParse({ [name]: v }).success) return v
  }
  throw new LeashError('bad_request', `label.${name}: '${text}' is not a value of this label`)
}
