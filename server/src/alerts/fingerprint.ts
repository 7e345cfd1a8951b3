import { createHash } from 'node:crypto'

/** Stable id of one rule instance: hash of the rule id and its label set (sorted by key). */
export function fingerprint(ruleId: string, labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((k) => [k, labels[k]])
  return createHash('sha256')
    .update(`${ruleId}\n${JSON.stringify(sorted)}`)
    .digest('hex')
    .slice(0, 16)
}

export function labelsKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  )
}
