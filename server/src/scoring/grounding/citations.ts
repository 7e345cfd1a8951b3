import type { Source } from '../../exchange/record.ts'

/**
 * Citation markers: `[1]`, `[s1]`, `[doc-2]`, `[1, 3]`, `[1][2]`, `[^1]`, `【1】`, `【1†source】`, and URLs
 * equal (up to scheme, `www.` and trailing slash) to a supplied source's url.
 */
const BRACKET_RE =
  /\[\^?([A-Za-z0-9_.:-]{1,20}(?:\s*[,;]\s*\^?[A-Za-z0-9_.:-]{1,20})*)\]|【([^】\n]{1,24})】/g
const URL_RE = /https?:\/\/[^\s)\]>"']+/g

export function normalizeUrl(url: string): string {
  return url
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/[.,;:!?]+$/, '')
    .replace(/\/+$/, '')
    .toLowerCase()
}

/** Resolves marker tokens against the sources: exact id, then trailing number (`s2` ~ `2`), then 1-based index. */
export class CitationResolver {
  private readonly byId = new Map<string, number>()
  private readonly byNumber = new Map<string, number>()
  private readonly byUrl = new Map<string, number>()

  constructor(private readonly sources: readonly Source[]) {
    sources.forEach((s, i) => {
      const id = String(s.id).toLowerCase()
      this.byId.set(id, i)
      const num = /(\d+)$/.exec(id)?.[1]
      if (num && !this.byNumber.has(String(Number(num)))) this.byNumber.set(String(Number(num)), i)
      if (s.url) this.byUrl.set(normalizeUrl(s.url), i)
    })
  }

  resolve(token: string): number | null {
    const t = token.trim().replace(/^\^/, '').toLowerCase()
    if (!t) return null
    const exact = this.byId.get(t)
    if (exact !== undefined) return exact
    const num = /(\d+)$/.exec(t)?.[1]
    if (num) {
      const n = String(Number(num))
      const byNum = this.byNumber.get(n)
      if (byNum !== undefined) return byNum
      const idx = Number(num) - 1
      if (/^\d+$/.test(t) && idx >= 0 && idx < this.sources.length) return idx
    }
    return null
  }

  resolveUrl(url: string): number | null {
    return this.byUrl.get(normalizeUrl(url)) ?? null
  }
}

export interface SentenceCitations {
  /** Indices of supplied sources the sentence cites. */
  cited: number[]
  /** Markers that name no supplied source. */
  unresolved: number
}

export function findCitations(text: string, resolver: CitationResolver): SentenceCitations {
  const cited = new Set<number>()
  let unresolved = 0
  for (const m of text.matchAll(BRACKET_RE)) {
    const body = m[1] ?? (m[2] ?? '').split('†')[0] ?? ''
    // "[see above]" or "[citation needed]" are not markers: require id-like tokens.
    for (const token of body.split(/[,;]/)) {
      const t = token.trim()
      if (!/^\^?[A-Za-z]{0,8}[-_]?\d{1,4}$|^\^?[A-Za-z][\w.-]{0,19}$/.test(t)) continue
      const i = resolver.resolve(t)
      if (i === null) {
        if (/\d/.test(t)) unresolved++
      } else cited.add(i)
    }
  }
  for (const m of text.matchAll(URL_RE)) {
    const i = resolver.resolveUrl(m[0])
    if (i !== null) cited.add(i)
  }
  return { cited: [...cited], unresolved }
}
