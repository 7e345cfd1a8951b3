import type { RedactionKind } from '@leash/shared'

/**
 * Masks personal data and secrets in text before a record is stored. Patterns favour precision:
 * a card must pass Luhn with a card-network first digit, a phone needs phone-like grouping, and a
 * generic secret must follow a key/token word and look random. The caller's response is never touched.
 */

export const MASK: Record<RedactionKind, string> = {
  email: '[REDACTED_EMAIL]',
  phone: '[REDACTED_PHONE]',
  card: '[REDACTED_CARD]',
  api_key: '[REDACTED_KEY]',
}

const EMAIL = /[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24}\b/g

const CARD = /(?<![\w.,/:-])(?:\d[ -]?){12,18}\d(?![\w.,/:-]?\d)/g

const PHONE =
  /(?<![\w.+/:-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]\d{2,4}){1,4}(?![\w/:]|[.-]\d)/g

const KEY_PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{16,}/g, // OpenAI / Anthropic (sk-proj-..., sk-ant-...)
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key id
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}\b|\bgithub_pat_[A-Za-z0-9_]{20,}/g, // GitHub
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\bBearer\s+[A-Za-z0-9._~+/-]{16,}=*/g,
]

/** `api_key: 9f8e...`, `token="..."`: the value is masked when it looks random. */
const NAMED_SECRET =
  /\b((?:api[_-]?)?(?:key|token|secret|password|passwd|credential)s?["']?\s*[:=]\s*["']?)([A-Za-z0-9._~+/=-]{20,})/gi

export function luhn(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

function isCard(match: string): boolean {
  const digits = match.replace(/[ -]/g, '')
  if (digits.length < 13 || digits.length > 19) return false
  if (!'23456'.includes(digits.charAt(0))) return false // Mastercard 2-series, Amex/Diners/JCB, Visa, MC, Discover
  if (/^(\d)\1+$/.test(digits)) return false
  // Grouped numbers must look like card grouping: groups of 4 (or Amex 4-6-5).
  if (digits.length !== match.length && !/^\d{4}([ -])\d{4,6}\1\d{4,5}(?:\1\d{1,4})?$/.test(match))
    return false
  return luhn(digits)
}

const DATE_LIKE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/

function isPhone(match: string): boolean {
  const digits = match.replace(/\D/g, '')
  if (digits.length < 8 || digits.length > 15) return false
  if (DATE_LIKE.test(match)) return false
  const international = match.startsWith('+') || match.includes('(')
  if (!international && match.includes('.') && !/^\d{3}\.\d{3}\.\d{4}$/.test(match)) return false
  if (!international && digits.length < 10) return false
  return true
}

function entropy(s: string): number {
  const counts = new Map<string, number>()
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1)
  let h = 0
  for (const c of counts.values()) {
    const p = c / s.length
    h -= p * Math.log2(p)
  }
  return h
}

function looksRandom(s: string): boolean {
  return /\d/.test(s) && /[A-Za-z]/.test(s) && entropy(s) >= 3.5
}

export type Redactor = (text: string) => string

/** A text redactor for these kinds (cards before phones, so a card number is never half a phone). */
export function createRedactor(kinds: readonly RedactionKind[]): Redactor {
  const on = new Set(kinds)
  return (text) => {
    if (text === '') return text
    let out = text
    if (on.has('api_key')) {
      for (const re of KEY_PATTERNS) out = out.replace(re, MASK.api_key)
      out = out.replace(NAMED_SECRET, (m, name: string, value: string) =>
        looksRandom(value) ? name + MASK.api_key : m,
      )
    }
    if (on.has('email')) out = out.replace(EMAIL, MASK.email)
    if (on.has('card')) out = out.replace(CARD, (m) => (isCard(m) ? MASK.card : m))
    if (on.has('phone')) out = out.replace(PHONE, (m) => (isPhone(m) ? MASK.phone : m))
    return out
  }
}

/** Redacts every string inside a JSON value (object keys stay), returning a new value. */
export function redactDeep(value: unknown, redact: Redactor): unknown {
  if (typeof value === 'string') return redact(value)
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact)
    return out
  }
  return value
}

/**
 * JSON text (e.g. tool-call arguments): redacted through its parsed strings when it parses; kept
 * byte for byte (spacing and key order as the model wrote it) when nothing in it was masked.
 */
export function redactJsonText(text: string, redact: Redactor): string {
  try {
    const parsed: unknown = JSON.parse(text)
    const masked = JSON.stringify(redactDeep(parsed, redact))
    return masked === JSON.stringify(parsed) ? text : masked
  } catch {
    return redact(text)
  }
}
