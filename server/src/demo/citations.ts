import type { Source } from '../exchange/record.ts'
import type { Rng } from './hash.ts'

const LEADS = [
  'According to the documentation, ',
  'The sources say that ',
  '',
  'Based on the provided material, ',
]

// Claims no source backs: the hallucinations the citation scorers should flag.
const UNSUPPORTED = [
  'This policy was last changed in 2021 and applies worldwide.',
  'Most customers find this resolves the issue within a day.',
  'This is also the industry standard across all major providers.',
]

function firstSentence(text: string): string {
  const s = text.trim().split(/(?<=[.!?])\s+/)[0] ?? text
  return /[.!?]$/.test(s) ? s : `${s}.`
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/**
 * An answer grounded in the supplied sources. Most of the time every sentence cites its source as
 * `[1]` or `[s1]`; sometimes citations are dropped, point at the wrong source, or a claim is made up.
 * `decay` (the citation-decay scenario) makes all three much more frequent.
 */
export function composeCitedAnswer(sources: Source[], rng: Rng, decay = false): string {
  const style = rng.chance(0.7) ? 'number' : 'source'
  const cites = rng.chance(decay ? 0.45 : 0.82)
  const wrong = rng.chance(decay ? 0.75 : 0.1)
  const used = sources.slice(0, Math.max(1, rng.int(1, sources.length)))
  const sentences = used.map((source, i) => {
    const lead = i === 0 ? rng.pick(LEADS) : ''
    const body = firstSentence(source.text)
    const sentence = lead ? `${lead}${lowerFirst(body)}` : body
    if (!cites) return sentence
    const n = wrong && i === 0 && sources.length > 1 ? sources.length : i + 1
    const mark = style === 'number' ? `[${n}]` : `[s${n}]`
    return `${sentence.replace(/[.!?]$/, '')} ${mark}.`
  })
  if (rng.chance(decay ? 0.7 : 0.15)) sentences.push(rng.pick(UNSUPPORTED))
  if (rng.chance(0.4)) sentences.push('Let me know if you need anything else.')
  return sentences.join(' ')
}
