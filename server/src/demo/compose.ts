import type { Rng } from './hash.ts'

export interface Topic {
  text: string
  /** 'action' for "how do I X" (answer "to X"), 'thing' for "what is X", "write X", "explain X". */
  kind: 'action' | 'thing'
}

const ACTION =
  /^(please |can you |could you |help me |i want to |i need to |i keep )*(how do i |how can i |how should i |how do you |how to |what is the best way to |what's the best way to |what is a good way to |where can i )/i
const THING =
  /^(please |can you |could you |help me )*(explain |write |suggest |recommend |summarize |give me |tell me |what is |what are |what's |what does |what should i |how does |how do |how did |how many |why is |why |who |when |where |is |does |which )?/i

// Second person reads naturally in the answer: "improve your sleep when you work night shifts".
function toSecondPerson(text: string): string {
  return text
    .replace(/\bI'm\b/g, "you're")
    .replace(/\bI\b/g, 'you')
    .replace(/\bmy\b/gi, 'your')
    .replace(/\bme\b/g, 'you')
}

/** Turns "How do I reverse a list in Python?" into the action "reverse a list in Python". */
export function topicOf(prompt: string): Topic {
  const first = (prompt.trim().split(/(?<=[?.!])\s+/)[0] ?? prompt).replace(/[?.!]+$/, '')
  const kind = ACTION.test(first) ? 'action' : 'thing'
  const stripped = first.replace(kind === 'action' ? ACTION : THING, '')
  const text = toSecondPerson(stripped.length > 0 ? stripped : first)
  return { text: text.charAt(0).toLowerCase() + text.slice(1), kind }
}

const OPENERS: Record<Topic['kind'], string[]> = {
  action: [
    'Here is how to {t}.',
    'Sure! To {t}, a few things matter most.',
    'Happy to help you {t}.',
    'Good question. The simplest way to {t} is to take it one step at a time.',
  ],
  thing: [
    'Good question about {t}.',
    'Here is a practical take on {t}.',
    "Sure, let's look at {t}.",
    'Happy to help with {t}.',
  ],
}

const SENTENCES = [
  'Start with the simplest option and check the result before changing anything else.',
  'Most people get good results by being consistent rather than perfect.',
  'If something does not work the first time, change one thing at a time so you can see what helped.',
  'It also helps to write down what you tried, because patterns become obvious after a few attempts.',
  'Budget a little more time than you expect; the first run is always the slowest.',
  'The details depend on your situation, but the same principles apply almost everywhere.',
  'A common mistake is doing too much at once, which makes it hard to tell what matters.',
  'When in doubt, ask someone who has done it before: a five-minute conversation can save hours.',
  'Keep it simple at first and add refinements only once the basics feel routine.',
  'Small, regular steps beat one big effort in almost every case.',
]

const LIST_ITEMS = [
  '**Get the basics right.** Understand the fundamentals before optimizing anything.',
  '**Prepare in advance.** Gather what you need first so you are not interrupted halfway.',
  '**Go step by step.** Finish one part, check it, then move on.',
  '**Watch for common pitfalls.** Rushing and skipping checks cause most problems.',
  '**Ask for feedback.** Someone else will spot issues you have stopped noticing.',
  '**Keep notes.** A short log of what you did makes the next attempt much faster.',
  '**Review the result.** Compare it with what you expected and adjust.',
  '**Make it a routine.** Repeating the process regularly is what makes it stick.',
]

const CLOSERS = [
  'Let me know if you want more detail on any of these.',
  'Hope that helps, and good luck!',
  'If you share more about your situation, I can tailor this further.',
  '',
]

function fill(template: string, topic: string): string {
  return template.replaceAll('{t}', topic)
}

function sentences(rng: Rng, count: number): string {
  const picked = new Set<string>()
  while (picked.size < count) picked.add(rng.pick(SENTENCES))
  return [...picked].join(' ')
}

export type AnswerStyle = 'short' | 'paragraph' | 'list' | 'long'

/** A compliant answer of a chosen style; `verbose` (the pro model) writes more. */
export function composeAnswer(prompt: string, rng: Rng, verbose: boolean): string {
  const topic = topicOf(prompt)
  const style = rng.pick<AnswerStyle>(
    verbose ? ['paragraph', 'list', 'long', 'long'] : ['short', 'paragraph', 'list', 'long'],
  )
  const opener = fill(rng.pick(OPENERS[topic.kind]), topic.text)
  if (style === 'short') return `${opener} ${sentences(rng, 1)}`
  if (style === 'paragraph')
    return `${opener} ${sentences(rng, rng.int(2, 4))}\n\n${rng.pick(CLOSERS)}`.trim()
  const items = rng.shuffle(LIST_ITEMS).slice(0, rng.int(3, verbose ? 8 : 6))
  const list = items.map((item, i) => `${i + 1}. ${fill(item, topic.text)}`).join('\n')
  if (style === 'list') return `${opener}\n\n${list}\n\n${rng.pick(CLOSERS)}`.trim()
  return `${opener} ${sentences(rng, 2)}\n\n${list}\n\n${sentences(rng, rng.int(2, 3))} ${rng.pick(CLOSERS)}`.trim()
}
