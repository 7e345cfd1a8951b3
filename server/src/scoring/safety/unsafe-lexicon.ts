import { type FeatureBuilder, fnv1a, mixHash } from '../ml/index.ts'

const RESP_LEX = fnv1a('resp.lex')

// A small curated unsafe-content lexicon (the keyword baseline's signal, split by category), so the
// violation heads see it even where their few training positives never used the word. Matched on token
// hashes (words and bigrams), one pass over the tokens the word features already computed.
const UNSAFE_LEXICON: Record<string, string> = {
  profanity:
    'fuck fucking fucked fucker fuckers fucks shit shitty shits bitch bitches bitching cunt cunts asshole assholes bastard bastards dick dicks piss pissed crap damn motherfucker',
  slur: 'nigger niggers nigga niggas fag fags faggot faggots retard retards retarded tranny trannies kike kikes spic spics chink chinks wetback wetbacks dyke dykes towelhead towelheads savages subhuman subhumans vermin',
  sexual:
    'sex sexy sexual sexually porn porno pornography nude nudes naked horny cock cocks pussy pussies cum cumming orgasm orgasms boobs tits blowjob blowjobs erotic masturbate masturbating masturbation dildo penis vagina fetish kinky slut sluts whore whores',
  young:
    'child children kid kids teen teens teenager teenagers underage minor minors schoolgirl schoolgirls schoolboy loli daughter son toddler preteen|little_girl little_boy young_girl young_boy 0_year 00_year year_old',
  violence:
    'kill kills killed killing murder murdered murdering shoot shooting shot stab stabbed stabbing punch punched punching hurt hurting attack attacked attacking bomb bombs bombing gun guns knife knives strangle strangled choke choking destroy rape raped raping assault assaulted torture tortured|beat_you beat_him beat_her beat_them',
  gore: 'blood bloody gore gory guts dismember dismembered decapitate decapitated mutilate mutilated mutilation entrails severed corpse corpses flesh|bones_crack',
  self_harm:
    'suicide suicidal selfharm overdose overdosing starve starving starved razor anorexia bulimia|kill_myself kill_yourself cut_myself cutting_myself self_harm end_my want_to to_die my_life',
  hate: 'hate hating hateful inferior scum filth filthy exterminate extermination disgusting parasites invaders|go_back white_power master_race race_traitor deport_them ban_all',
  insult:
    'stupid idiot idiots dumb moron morons loser losers ugly worthless pathetic trash freak freaks fat|shut_up',
  threat:
    "|i'll_kill i'll_hurt i'll_find i'll_beat gonna_kill going_to you're_dead you_die watch_your where_you",
}

const LEX_CATEGORIES = Object.keys(UNSAFE_LEXICON)
/** Set on a word that starts a lexicon bigram, so the bigram is hashed only after such a word. */
const BIGRAM_START = 1 << 15

/**
 * uint32 hash -> category bitmask, open addressing in typed arrays: this runs once per response token,
 * where a Map keyed by (mostly non-Smi) numbers costs several times more.
 */
export class HashMask {
  private readonly keys: Uint32Array
  private readonly masks: Uint16Array
  private readonly used: Uint8Array
  private readonly mask: number
  constructor(bits: number) {
    this.keys = new Uint32Array(1 << bits)
    this.masks = new Uint16Array(1 << bits)
    this.used = new Uint8Array(1 << bits)
    this.mask = (1 << bits) - 1
  }
  private slot(h: number): number {
    let i = Math.imul(h, 0x9e3779b1) >>> 0
    i &= this.mask
    while (this.used[i] === 1 && this.keys[i] !== h) i = (i + 1) & this.mask
    return i
  }
  or(h: number, m: number): void {
    const i = this.slot(h)
    this.used[i] = 1
    this.keys[i] = h
    this.masks[i] = (this.masks[i] as number) | m
  }
  get(h: number): number {
    return this.masks[this.slot(h)] as number
  }
}

const LEX_WORDS = new HashMask(12)
const LEX_BIGRAMS = new HashMask(10)
LEX_CATEGORIES.forEach((cat, k) => {
  const [words = '', bigrams = ''] = (UNSAFE_LEXICON[cat] ?? '').split('|')
  for (const w of words.split(' ').filter(Boolean)) LEX_WORDS.or(fnv1a(w), 1 << k)
  for (const g of bigrams.split(' ').filter(Boolean)) {
    const [a = '', c = ''] = g.split('_')
    LEX_WORDS.or(fnv1a(a), BIGRAM_START)
    LEX_BIGRAMS.or(mixHash(fnv1a(a), fnv1a(c)), 1 << k)
  }
})
const LEX_BIT = Object.fromEntries(LEX_CATEGORIES.map((c, k) => [c, 1 << k])) as Record<string, number>

export function unsafeLexiconFeatures(b: FeatureBuilder, tokens: readonly number[]): void {
  let mask = 0
  for (let i = 0; i < tokens.length; i++) {
    const h = tokens[i] as number
    const m = LEX_WORDS.get(h)
    if (m === 0) continue
    mask |= m & ~BIGRAM_START
    if (m & BIGRAM_START && i + 1 < tokens.length)
      mask |= LEX_BIGRAMS.get(mixHash(h, tokens[i + 1] as number))
  }
  let hits = 0
  for (let k = 0; k < LEX_CATEGORIES.length; k++) {
    if (mask & (1 << k)) {
      hits++
      b.addNamed(RESP_LEX, `lex:${LEX_CATEGORIES[k]}`, 0.7)
    }
  }
  const both = (x: string, y: string) => (mask & (LEX_BIT[x] ?? 0)) !== 0 && (mask & (LEX_BIT[y] ?? 0)) !== 0
  if (both('sexual', 'young')) b.addNamed(RESP_LEX, 'lex:sexual&young', 0.7)
  if (both('violence', 'gore')) b.addNamed(RESP_LEX, 'lex:violence&gore', 0.7)
  b.addNamed(RESP_LEX, `lex:count:${Math.min(hits, 3)}`, 0.5)
}
