import type { Rng } from './hash.ts'

/** Turns "How do I reverse a list in Python?" into "reverse a list in Python" for templated answers. */
export function topicOf(prompt: string): string {
  const first = prompt.trim().split(/(?<=[?.!])\s+/)[0] ?? prompt
  const stripped = first
    .replace(/[?.!]+$/, '')
    .replace(
      /^(please |can you |could you |help me |give me |tell me |i want to |i need to |i keep )*(explain |write |suggest |recommend |summarize |what is |what are |what's |what should i |how do i |how can i |how should i |how do |how does |how did |how to |why is |why |who |when |where |is |does |which )?/i,
      '',
    )
  const topic = stripped.length > 0 ? stripped : first
  return topic.charAt(0).toLowerCase() + topic.slice(1)
}

const OPENERS = [
  'Good question. Here is how to approach {t}.',
  'Here is a practical way to think about {t}.',
  'Sure! {T} is easier than it looks once you break it down.',
  'Happy to help with {t}.',
  'Short version: {t} comes down to a few habits and one or two key ideas.',
]

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
  '**Get the basics right.** Make sure you understand what {t} involves before optimizing anything.',
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
  const upper = topic.charAt(0).toUpperCase() + topic.slice(1)
  return template.replaceAll('{t}', topic).replaceAll('{T}', upper)
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
  const style = rng.pick<AnswerStyle>(verbose ? ['paragraph', 'list', 'long', 'long'] : ['short', 'paragraph', 'list', 'long'])
  const opener = fill(rng.pick(OPENERS), topic)
  if (style === 'short') return `${opener} ${sentences(rng, 1)}`
  if (style === 'paragraph') return `${opener} ${sentences(rng, rng.int(2, 4))}\n\n${rng.pick(CLOSERS)}`.trim()
  const items = rng.shuffle(LIST_ITEMS).slice(0, rng.int(3, verbose ? 8 : 6))
  const list = items.map((item, i) => `${i + 1}. ${fill(item, topic)}`).join('\n')
  if (style === 'list') return `${opener}\n\n${list}\n\n${rng.pick(CLOSERS)}`.trim()
  return `${opener} ${sentences(rng, 2)}\n\n${list}\n\n${sentences(rng, rng.int(2, 3))} ${rng.pick(CLOSERS)}`.trim()
}
