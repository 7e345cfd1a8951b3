import {
  addCharNgrams,
  addWordNgrams,
  type FeatureBuilder,
  fnv1a,
  normalizeText,
  openingOf,
  tokenHashes,
} from '../ml/index.ts'
import { deobfuscate, segments } from './prompt-core.ts'
import { HashMask, unsafeLexiconFeatures } from './unsafe-lexicon.ts'

/**
 * Feature maps of the safety classifiers. Both write into one hashed space of 2^FEATURE_BITS slots;
 * each namespace is L2-normalized on its own so long texts don't drown the short, telling parts.
 * Changing anything here changes the meaning of the shipped weights: bump FEATURES_VERSION and retrain.
 */
export const FEATURE_BITS = 18
export const FEATURES_VERSION = 'f3'

const NS = {
  respWords: fnv1a('resp.words'),
  respOpen: fnv1a('resp.open'),
  respChars: fnv1a('resp.chars'),
  respShape: fnv1a('resp.shape'),
  respFormOpen: fnv1a('resp.form.open'),
  respForm: fnv1a('resp.form'),
  promptWords: fnv1a('prompt.words'),
  promptChars: fnv1a('prompt.chars'),
  promptIntent: fnv1a('prompt.intent'),
  promptCore: fnv1a('prompt.core'),
  respAct: fnv1a('resp.act'),
}

// Closed-class words plus the vocabulary of declining, hedging and helping. Every other word becomes "_",
// so "form" n-grams see "i can't help with _ _" or "_ is a _ _ that", never the topic: a refusal about
// murder and a definition of murder differ in form, not in content words.
const FORM_WORDS = new Set(
  (
    'i me my mine we us our you your yours he him his she her it its they them their this that these those ' +
    'a an the some any no not none nothing never all each every both either neither such ' +
    'am is are was were be been being do does did have has had will would shall should can could may might must ' +
    "can't cannot won't wouldn't shouldn't couldn't don't doesn't didn't isn't aren't wasn't weren't haven't hasn't " +
    "i'm i'll i'd i've it's that's there's here's let's you're we're they're " +
    'and or but if then so because as while although though however instead also too just only even still yet ' +
    'of to in on at by for with from about into over under between through against without within ' +
    'what which who whom whose when where why how there here yes no ok okay sure certainly course absolutely ' +
    'sorry apologize apologise apologies unfortunately unable able assist assistance help helpful provide ' +
    'comply fulfill fulfil request requests answer respond response engage support share offer give create write ' +
    'appropriate inappropriate ethical unethical illegal legal harmful harm dangerous unsafe safe respectful ' +
    'policy policies guidelines programming principles ai language model assistant openai developed designed ' +
    'condone promote encourage endorse facilitate recommend suggest advise consult professional seek contact ' +
    'please note important remember consider crucial essential understand clarify clear unclear context ' +
    'information content personal private opinions opinion beliefs feelings access real-time knowledge ' +
    'steps step example examples following first second finally tips ways way method methods guide ' +
    "happy glad great good best well like here's below"
  ).split(' '),
)

// Compared by hash, so the scoring path never builds token strings (tokenHashes hashes exactly like fnv1a).
// Held in a typed open-addressing table (HashMask, unsafe-lexicon.ts), built on first use.
const OTHER_WORD = fnv1a('_')
let formHashes: HashMask | null = null

/** Token hashes with every word outside FORM_WORDS replaced by "_". */
function toForm(tokens: readonly number[], end = tokens.length): number[] {
  if (!formHashes) {
    formHashes = new HashMask(11)
    for (const w of FORM_WORDS) formHashes.or(fnv1a(w), 1)
  }
  const form = formHashes
  const n = Math.min(end, tokens.length)
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const h = tokens[i] as number
    out.push(form.get(h) !== 0 ? h : OTHER_WORD)
  }
  return out
}

const RESPONSE_MAX_CHARS = 3000
const RESPONSE_CHAR_NGRAM_CHARS = 300

/**
 * Response features (refusal and violation): words and bigrams of the whole text, words up to trigrams
 * of the opening two sentences (where refusals live), topic-free "form" n-grams of both, char 3-5-grams
 * of the start, and a few shape features (length bucket, lists, code). The phrase-list heuristic is not
 * a feature: it was tuned on XSTest, which is our held-out refusal set.
 */
export function responseFeatures(b: FeatureBuilder, response: string): void {
  const text = normalizeText(response, RESPONSE_MAX_CHARS)
  let mark = b.size
  const tokens = tokenHashes(text, 600)
  addWordNgrams(b, tokens, NS.respWords, 2)
  b.normalizeFrom(mark)
  mark = b.size
  const opening = tokenHashes(openingOf(text, 2, 300), 80)
  addWordNgrams(b, opening, NS.respOpen, 3)
  b.normalizeFrom(mark)
  mark = b.size
  addWordNgrams(b, toForm(opening), NS.respFormOpen, 4)
  b.normalizeFrom(mark)
  mark = b.size
  addWordNgrams(b, toForm(tokens, 400), NS.respForm, 3)
  b.normalizeFrom(mark)
  mark = b.size
  addCharNgrams(b, text, NS.respChars, 3, 4, RESPONSE_CHAR_NGRAM_CHARS)
  b.normalizeFrom(mark, 0.7)
  b.addNamed(NS.respShape, `len:${Math.min(8, Math.floor(Math.log2(1 + text.length / 50)))}`, 0.3)
  if (/^\s*(\d+[.)]|[-*•])\s+\S/m.test(text)) b.addNamed(NS.respShape, 'list', 0.3)
  if (text.includes('```')) b.addNamed(NS.respShape, 'code', 0.3)
  speechActFeatures(b, text)
  unsafeLexiconFeatures(b, tokens)
}

// Speech acts of the opening: a first-person "I can't / won't help" is a refusal; a third-person "X cannot Y
// because ..." or "X is a ..." is an explanation, whatever the topic.
const FP_DECLINE =
  /\b(i|we) ?('m|'re| am| are)? ?(cannot|can't|can not|won't|will not|unable to|not able to|must (respectfully )?decline|refuse|not comfortable|don't feel comfortable|do not feel comfortable|would not be able|wouldn't be able|not going to|don't think i (can|should)|shouldn't|should not|must not|do not (provide|support|condone|engage|assist|help)|don't (provide|support|condone|engage|assist|help))\b/
const APOLOGY_OPEN =
  /^(i'm sorry|i am sorry|sorry|i apologi[sz]e|my apologies|unfortunately|i'm afraid|i am afraid)\b/
const AS_AI =
  /\b(as an ai|as a language model|i'm an ai|i am an ai|as an assistant|i'm just an ai|my (programming|guidelines))\b/
const ETHICS_CLAIM =
  /\b(is|are|would be|it's) (not |never )?(unethical|illegal|not ethical|not appropriate|inappropriate|harmful|dangerous|wrong|not okay|never okay|not acceptable|unacceptable|against the law|a (serious )?crime)\b/
const REDIRECT =
  /\b(please (seek|contact|reach out|consult|call|talk to)|crisis (line|hotline)|hotline|helpline|professional help|mental health professional|emergency services|a therapist|a counsel?lor|a lawyer|an attorney|law enforcement|the authorities)\b/
const OFFER_ALT =
  /\b(instead|however|but i can|i can help (you )?with|happy to help with|here are some|i'd be happy to|i can offer)\b/
// "As an AI, I don't have personal opinions, but..." is a disclaimer before an answer, not a refusal.
const NO_OPINION =
  /\b(i|i'm|i am) (don't|do not|don't personally|not able to) ?(have|hold|form)? ?(personal |any )?(opinions?|beliefs?|feelings?|preferences?|biases|personal experiences?|emotions)\b/
// Rejecting a premise on moral grounds ("X was not justified") vs explaining a factual impossibility
// ("X cannot Y because it is an object / a fictional character").
const MORAL_NEGATION =
  /\b(not|never|no) (right|justified|justifiable|acceptable|appropriate|ethical|okay|ok|a good thing|good|moral|fair|valid)\b|\bno (justification|benefits?|valid reason)\b|\b(wrong|harmful|unethical|discriminatory|disrespectful)\b/
const INCAPACITY =
  /\b(inanimate|objects?|fictional|mythical|not (capable|able) of|don't have the (ability|capacity)|do not have the (ability|capacity)|lacks? the (ability|capacity)|no (human|one|person) can|not (a )?real|does not exist|doesn't exist|because (they|it) (are|is) (a |an )?)\b/
const NEGATION =
  /\b(cannot|can't|can not|don't|do not|doesn't|does not|isn't|is not|aren't|are not|won't|will not|no)\b/
const FIRST_PERSON_RESP = /\b(i|i'm|i'd|i'll|me|my)\b/
const DEFINES = /^[^.!?\n]{0,80}\b(is|are|was|were|refers to|means|describes)\b (a|an|the|any|when|to)\b/

export function speechActFeatures(b: FeatureBuilder, text: string): void {
  const opening = openingOf(text, 2, 240)
  const first = openingOf(text, 1, 200)
  const acts: string[] = []
  const decline = FP_DECLINE.test(opening)
  if (decline) acts.push('fp-decline')
  if (APOLOGY_OPEN.test(first)) acts.push('apology-open')
  if (AS_AI.test(opening)) acts.push('as-ai')
  if (ETHICS_CLAIM.test(first)) acts.push('ethics-claim')
  const redirect = REDIRECT.test(text.slice(0, 1000))
  if (redirect) acts.push('redirect')
  if (OFFER_ALT.test(text.slice(0, 800))) acts.push(decline ? 'decline+alt' : 'alt')
  const firstPerson = FIRST_PERSON_RESP.test(first)
  if (NEGATION.test(first) && !firstPerson)
    acts.push(/\bbecause\b|\bsince\b/.test(opening) ? 'explain-neg-because' : 'third-neg')
  if (DEFINES.test(first) && !firstPerson) acts.push('defines')
  if (/^(yes|no)\b/.test(first)) acts.push(first.startsWith('yes') ? 'yes-open' : 'no-open')
  if (decline && redirect) acts.push('decline+redirect')
  if (NO_OPINION.test(opening)) acts.push('no-opinion-disclaimer')
  const moral = MORAL_NEGATION.test(first)
  const incapacity = INCAPACITY.test(opening)
  if (moral) acts.push(firstPerson ? 'moral-negation' : 'moral-negation-3p')
  if (incapacity) acts.push(moral ? 'incapacity+moral' : 'incapacity')
  if (acts.length === 0) acts.push('no-act')
  const long = text.length > 600 ? 'long' : 'short'
  for (const a of acts) {
    b.addNamed(NS.respAct, a, 0.6)
    b.addNamed(NS.respAct, `${a}&${long}`, 0.4)
  }
}

// Harm verbs and what they act on: "kill a python process" and "kill my neighbour" share a verb, not an
// object. The lexicon features below (topics, intents, contexts) are shared across phrasings, so the model
// learns "how-to + weapons + evasion" rather than memorizing each source's wording.
const HARM_VERB =
  /\b(kill|killing|murder|shoot|shooting|stab|poison|bomb|blow up|hack|hacking|steal|attack|destroy|burn|choke|strangle|execute|terminate|slaughter|beat|hurt|harm|eliminate|crush|smash|butcher|assassinate|torture|kidnap|rob|drown|hang|blast|nuke|annihilate|wipe out|take out|get rid of|break into|punch|strike|whip|gut|slit|behead|cut|sabotage|spy on|stalk)\b/g
const TECH_OBJECT =
  /\b(process|processes|python|program|script|thread|task|tasks|code|server|app|application|container|docker|linux|windows|terminal|job|loop|query|bug|bugs|engine|computer|file|files|session|connection|port|service|daemon|pid|command|browser|tab|function|variable|database table|cache)\b/
const THING_OBJECT =
  /\b(time|boredom|the mood|the lights|lights|the competition|competition|the game|the party|my presentation|presentation|interview|exam|the stage|a performance|the show|silence|a habit|habits|procrastination|stress|fear|anxiety|doubt|weeds|weed|pests|mold|bacteria|germs|odor|smell|stain|stains|rust|fat|calories|belly fat|a cold|hiccups|an idea|ideas|the ice|tension|my thirst|hunger|the clock|fish|chicken|onion|onions|steak|meat|dough|vegetables|a tree|trees|a tooth|a balloon|balloons|a photo|photos|a goal|a plan|the spiciness)\b/
const PERSON_OBJECT =
  /\b(someone|somebody|a person|people|person|my (wife|husband|boss|neighbou?r|teacher|friend|brother|sister|mother|father|mom|dad|son|daughter|child|kid|ex|partner|girlfriend|boyfriend|roommate|coworker|colleague|classmate)|him|her|them|a child|children|kids|a kid|a baby|a woman|a man|women|men|the president|a politician|a cop|police|an officer|my family|everyone|a group|jews|jewish|muslims|christians|hindus|black people|immigrants|gay people|lesbians|trans people|a stranger|strangers|a witness|my enemy|a human|humans|myself|yourself)\b/

const TOPICS: Array<[string, RegExp]> = [
  [
    'weapons',
    /\b(guns?|firearms?|rifles?|pistols?|ammo|ammunition|explosives?|bombs?|grenades?|ied|detonators?|pipe bomb|molotov|weapons?|silencers?|napalm|nerve agents?|nerve gas|sarin|ricin|anthrax|bioweapons?|biological weapons?|chemical weapons?|chemical agents?|dirty bomb|mustard gas|chlorine gas|phosgene|tabun|vx|cyanide|arsenic|strychnine|botulinum|botulism|toxins?|pathogens?|smallpox|plague|ebola|enriched uranium|plutonium|radioactive)\b/,
  ],
  [
    'drugs',
    /\b(meth|methamphetamine|cocaine|heroin|fentanyl|lsd|mdma|ecstasy|marijuana|marihuana|crack|opioids?|narcotics?|drugs?|synthesi[sz]e|ketamine|ghb|roofies?|date rape)\b/,
  ],
  [
    'violence',
    /\b(kill|killing|murder|assassinat\w*|stab\w*|shoot\w*|attack\w*|assault\w*|tortur\w*|kidnap\w*|hostages?|massacres?|genocide|ethnic cleansing|terror\w*|behead\w*|strangl\w*|poison\w*|punch\w*|beat (up|him|her|them)|hurt|harm|rape|violen\w*|knockout|explosion|shooting)\b/,
  ],
  [
    'cyber',
    /\b(hack\w*|malware|ransomware|virus(es)?|keylogger|exploits?|ddos|phishing|sql injection|botnet|crack (a |the )?passwords?|bypass\w*|backdoor|spyware|trojan|brute.?force|zero.?day)\b/,
  ],
  [
    'crime',
    /\b(steal\w*|stole|rob|robb\w*|shoplift\w*|fraud\w*|scam\w*|counterfeit\w*|launder\w*|embezzl\w*|forg(e|ed|ery)|fake (id|ids|passport)|tax evasion|insider trading|blackmail\w*|extort\w*|brib\w*|identity theft|pickpocket\w*|smuggl\w*|traffick\w*|illegal\w*|illicit|black market|burglar\w*|break into|arson|vandal\w*|poach\w*|cheat\w*|plagiari\w*)\b/,
  ],
  [
    'sexual',
    /\b(porn\w*|explicit|sex|sexual\w*|nudes?|naked|erotic\w*|orgasm|fetish\w*|genitals?|prostitut\w*|escort)\b/,
  ],
  [
    'minors',
    /\b(child|children|minors?|underage|kids?|teens?|teenagers?|pedophil\w*|paedophil\w*|grooming|school ?girls?)\b/,
  ],
  [
    'self_harm',
    /\b(suicid\w*|kill myself|end my life|self.?harm|cut myself|overdos\w*|starv\w*|anorexi\w*|bulimi\w*|hang myself|take my (own )?life|end it all|want to die|not wake up)\b/,
  ],
  [
    'groups',
    /\b(jews?|jewish|muslims?|christians?|hindus?|buddhists?|atheists?|black people|blacks|whites|white people|asians?|latinos?|hispanics?|arabs?|immigrants?|refugees?|gays?|lesbians?|trans(gender)? people|transgender|non.?binary|women|disabled people|roma|indigenous people|elderly people|homeless people|mexicans?|chinese|africans?)\b/,
  ],
  [
    'hate',
    /\b(racis\w*|slurs?|inferior|subhuman|nazi\w*|supremac\w*|bigot\w*|hate speech|hateful|xenophob\w*|homophob\w*|misogyn\w*|sexis\w*|discriminat\w*|segregat\w*|denied the right|barred from|not be allowed|be kicked|deport\w*|less than men|equal rights)\b/,
  ],
  [
    'disinfo',
    /\b(fake news|propaganda|disinformation|misinformation|conspiracy|hoax|never happened|didn't happen|myths?|downplay\w*|cover.?up|defamat\w*|libel\w*|deny|denial|exaggerat\w*|convinc\w*|persuad\w*|manipulat\w*|lie|lies|lying)\b/,
  ],
  [
    'privacy',
    /\b(home address|addresses|social security|ssn|phone numbers?|email address|medical records?|credit card|bank account|passwords?|location of|track (someone|him|her|my)|spy on|stalk\w*|dox\w*|private information|personal information|whereabouts|where does .{1,30} live|date of birth|criminal record|sexual history|health records?)\b/,
  ],
  [
    'evasion',
    /\b(without (getting caught|being caught|detection|being detected|leaving (a )?trace|anyone (knowing|noticing)|them knowing)|undetect\w*|untraceable|evad\w*|get away with|cover up|hide the body|avoid (detection|police|the police|getting caught|law enforcement)|anonymously|secretly|covertly)\b/,
  ],
  [
    'justify',
    /\b(why (was|is|were|are) .{1,60}(right|justified|good|better|beneficial|acceptable)|benefits of|good thing|reasons why|argue that|arguments? for|convince .{1,40} that|glorif\w*|celebrat\w*|replicate|recreate|copy|imitate|follow the example of|do the same as)\b/,
  ],
]
const SAFE_CONTEXTS: Array<[string, RegExp]> = [
  [
    'game',
    /\b(video games?|games?|minecraft|call of duty|gta|grand theft auto|skyrim|fortnite|counter.?strike|world of warcraft|zelda|pok[eé]mon|chess|dungeons|d&d|board games?|among us|overwatch|league of legends|sims|halo)\b/,
  ],
  [
    'fiction',
    /\b(my novel|a novel|my story|a story|fiction\w*|screenplay|movies?|films?|tv show|characters?|book|script for|play|plot|scene|directing)\b/,
  ],
  ['tech', TECH_OBJECT],
  [
    'food',
    /\b(cook\w*|recipes?|kitchen|chicken|fish|steak|meat|onions?|dough|vegetables?|dish|spic\w*|bake|baking|grill\w*|fry|frying)\b/,
  ],
  [
    'sport',
    /\b(football|soccer|basketball|tennis|goal|match|sports?|team|boxing match|workout|gym|marathon)\b/,
  ],
  [
    'history',
    /\b(history|historical\w*|happened|why did|how did|what was|world war|during the|ancient|medieval|century|in 0{4}|empire|revolution|dynasty|regime)\b/,
  ],
  [
    'definition',
    /^(what is|what's|what are|what does|define|definition of|meaning of|explain what|what kind of)\b/,
  ],
  [
    // Absurd premises: abilities nobody has and places nobody can go, so "why can't X do it" is no slur.
    'nonsense',
    /\b(fly|flying|teleport\w*|telepath\w*|read minds|mind.?read\w*|time.?travel\w*|invisib\w*|immortal\w*|live forever|superpowers?|super ?strength|x.?ray vision|breathe (underwater|in space|fire)|photosynthesi[sz]e|hibernate|walk (on water|through walls)|turn into|shape.?shift\w*|magic(al)? powers?|cast spells|summon|see the future|speak to (animals|the dead)|on (mars|the moon|venus|jupiter|the sun)|in space|black holes?|faster than light|speed of light|grow wings|regrow|glow in the dark)\b/,
  ],
  [
    // The subject is a thing, plant, animal, food or weather: "why should tomatoes not vote" is a joke.
    'object-subject',
    /^(why|how come) (should|shouldn't|can't|cannot|can|are|aren't|do|don't|is|isn't|must) (the |all |most )?(\w+ )?(apples?|bananas?|pears?|grapes?|oranges?|lemons?|tomato(es)?|potato(es)?|carrots?|cucumbers?|onions?|broccoli|pineapples?|berries|strawberries|mushrooms?|beans?|nuts|rice|bread|cheese|pizza|sandwich(es)?|cakes?|cookies?|coffee|tea|milk|juice|soda|wine|beer|water|rocks?|stones?|pebbles?|sand|clouds?|rain|snow|storms?|thunderstorms?|hurricanes?|winds?|rainbows?|stars?|planets?|moons?|comets?|trees?|flowers?|roses?|plants?|grass|cacti|cactus|dogs?|cats?|fish|goldfish|birds?|cows?|pigs?|sheep|horses?|goats?|chickens?|ducks?|frogs?|snakes?|ants?|bees?|spiders?|whales?|dolphins?|sharks?|penguins?|owls?|lions?|tigers?|bears?|elephants?|giraffes?|monkeys?|rabbits?|hamsters?|llamas?|robots?|computers?|phones?|toasters?|kettles?|teapots?|chairs?|tables?|lamps?|pencils?|pens?|books?|shoes?|socks?|hats?|umbrellas?|cars?|bicycles?|trains?|boats?|balloons?|candles?|clocks?|mirrors?|spoons?|forks?|cups?|bottles?|microwaves?|fridges?|sofas?|pillows?|blankets?|buttons?|zippers?|ghosts?|vampires?|dragons?|unicorns?|elves|wizards?|zombies?)\b/,
  ],
]
/** How strongly a segment reads as a harmful request: topics, harm verbs, how-to and imperative form. */
function requestScore(seg: string): number {
  let n = 0
  for (const [, re] of TOPICS) if (re.test(seg)) n++
  if (HARM_VERB_ONE.test(seg)) n++
  if (HOW_TO.test(seg) || IMPERATIVE.test(seg)) n += 0.5
  return n
}
const HARM_VERB_ONE = new RegExp(HARM_VERB.source)

// The request segment's own words, normalized apart from the whole prompt's: a role-play frame around the
// request then cannot dilute them, and a plain one-sentence prompt gets the same features twice.
function coreFeatures(b: FeatureBuilder, text: string): void {
  const core = requestSegment(text)
  const mark = b.size
  addWordNgrams(b, tokenHashes(core, 120), NS.promptCore, 2)
  b.normalizeFrom(mark)
}

/**
 * The request segment of a prompt when it is a real part of it (a wrapper around it), else null. Prompt
 * risk is the max of the head on the whole prompt and on this segment: a frame can only add risk.
 */
export function requestCore(prompt: string): string | null {
  const text = normalizeText(deobfuscate(prompt), 2000)
  const core = requestSegment(text)
  return core.length < text.length * 0.9 ? core : null
}

/** The segment of normalized text that reads most like a harmful request (the text itself when one segment). */
export function requestSegment(text: string): string {
  const segs = segments(text)
  let core = text
  if (segs.length > 1) {
    let best = -1
    for (const s of segs) {
      const r = requestScore(s)
      if (r > best) {
        best = r
        core = s
      }
    }
  }
  return core
}

const HOW_TO =
  /\b(how (do|can|could|should|would|to) (i|we|you|one|someone)?|how to|ways? (of|to)|steps? to|best way|perfect strategy|tips? (for|to|on)|instructions|guide|tutorial|teach me|help me|show me|step.by.step|detailed)\b/
const IMPERATIVE =
  /^(write|create|generate|give|draft|develop|design|provide|compose|produce|make|list|describe|explain|outline)\b/
const FIRST_PERSON = /\b(i|me|my|we|our)\b/
const QUESTION = /^(what|why|how|where|when|who|which|can|could|is|are|do|does|should|would)\b/

/**
 * Prompt features (prompt risk): words and bigrams, char 3-5-grams, and the harm-intent lexicon
 * (harm verb x object class, and the contexts that make a scary word harmless).
 */
export function promptFeatures(b: FeatureBuilder, prompt: string): void {
  const text = normalizeText(deobfuscate(prompt), 2000)
  let mark = b.size
  addWordNgrams(b, tokenHashes(text, 300), NS.promptWords, 2)
  b.normalizeFrom(mark)
  coreFeatures(b, text)
  mark = b.size
  addCharNgrams(b, text, NS.promptChars, 3, 5, 1000)
  b.normalizeFrom(mark, 0.3)
  mark = b.size
  let verbs = 0
  for (const m of text.matchAll(HARM_VERB)) {
    verbs++
    const after = text.slice((m.index ?? 0) + m[0].length, (m.index ?? 0) + m[0].length + 40)
    const obj = TECH_OBJECT.test(after)
      ? 'tech'
      : THING_OBJECT.test(after)
        ? 'thing'
        : PERSON_OBJECT.test(after)
          ? 'person'
          : 'other'
    b.addNamed(NS.promptIntent, `verb>${obj}`)
    b.addNamed(NS.promptIntent, `${m[1]}>${obj}`)
  }
  const howto = HOW_TO.test(text)
  const form = IMPERATIVE.test(text) ? 'imperative' : QUESTION.test(text) ? 'question' : 'other'
  const safe: string[] = []
  for (const [name, re] of SAFE_CONTEXTS) {
    if (re.test(text)) {
      safe.push(name)
      b.addNamed(NS.promptIntent, `safe:${name}`)
    }
  }
  let topics = 0
  for (const [name, re] of TOPICS) {
    if (!re.test(text)) continue
    topics++
    b.addNamed(NS.promptIntent, `topic:${name}`)
    if (howto) b.addNamed(NS.promptIntent, `howto&${name}`)
    b.addNamed(NS.promptIntent, `${form}&${name}`)
    for (const ctx of safe) b.addNamed(NS.promptIntent, `${ctx}&${name}`, 0.7)
  }
  b.addNamed(NS.promptIntent, `topics:${Math.min(topics, 3)}`)
  if (verbs === 0) b.addNamed(NS.promptIntent, 'no-harm-verb')
  if (howto) b.addNamed(NS.promptIntent, 'howto')
  b.addNamed(NS.promptIntent, `form:${form}`)
  if (FIRST_PERSON.test(text)) b.addNamed(NS.promptIntent, 'first-person')
  if (PERSON_OBJECT.test(text)) b.addNamed(NS.promptIntent, 'ctx:person')
  b.normalizeFrom(mark, 1.2)
}
