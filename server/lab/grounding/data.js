import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

function need(path) {
  if (!existsSync(path)) throw new Error(`missing data file ${path}`)
  return readFileSync(path, 'utf8')
}
/** BEGIN CC-BY-4.0 parts only (WoW, CMU-DoG); "Generic" rows are dropped (no claim to attribute). */
export const BEGIN_TRAIN_FILES = ['begin_test_wow.tsv', 'begin_dev_wow.tsv', 'begin_dev_cmu.tsv']
export function loadBegin(dataDir, files = BEGIN_TRAIN_FILES) {
  const out = []
  for (const f of files) {
    const lines = need(join(dataDir, 'begin', f)).split('\n')
    for (const line of lines.slice(1)) {
      const cols = line.split('\t')
      if (cols.length < 6) continue
      const [, , knowledge, , response, label] = cols
      const l = label.trim()
      if (l !== 'Fully attributable' && l !== 'Not fully attributable') continue
      out.push({
        group: knowledge,
        claim: response,
        source: knowledge,
        supported: l === 'Fully attributable',
        label: l,
      })
    }
  }
  return out
}
/** WiCE claim-level dev: supported vs not (partially_supported counts as not supported). */
export function loadWice(dataDir) {
  return need(join(dataDir, 'wice', 'claim_dev.jsonl'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l)
      return {
        group: r.meta.claim_title,
        claim: r.claim,
        source: r.evidence.join('\n'),
        supported: r.label === 'supported',
        label: r.label,
      }
    })
}
export function loadHaluEval(dataDir) {
  return need(join(dataDir, 'halueval', 'general_data.jsonl'))
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const r = JSON.parse(l)
      return {
        id: r.ID,
        query: r.user_query,
        response: r.chatgpt_response,
        hallucination: r.hallucination === 'yes',
      }
    })
}
/** Deterministic split by group: FNV-1a of the group key, so a group never straddles the split. */
export function inHeldOut(group, shareHeldOut, salt = 'leash') {
  let h = 0x811c9dc5
  const s = `${salt}:${group}`
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h / 0x100000000 < shareHeldOut
}
