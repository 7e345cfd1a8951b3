import type { DemoPrompt } from '../types.ts'

const CONVERSATIONS: string[][] = [
  [
    'I want to learn to cook. Where should I start?',
    'What five tools should I buy first?',
    'Give me one easy recipe that uses all of them.',
  ],
  [
    'My laptop is running slowly.',
    'It is a three-year-old Windows machine with 8 GB of RAM.',
    'Would upgrading the RAM help?',
  ],
  [
    'Help me plan a birthday party for my 8-year-old.',
    'About 12 kids are coming.',
    'What games work indoors?',
  ],
  [
    'I am writing a cover letter for a data analyst role.',
    'I have two years of Excel and SQL experience.',
    'Make the opening paragraph stronger.',
  ],
  ['Explain what a REST API is.', 'How is that different from GraphQL?'],
  ['I keep procrastinating on my thesis.', 'I have four months left.', 'Can you make me a weekly schedule?'],
  ['What is a good beginner houseplant?', 'My apartment has little sunlight.', 'How often do I water it?'],
  [
    'I need to write a Python script that renames files.',
    'They should get a date prefix like 2024-05-01.',
    'Now make it skip hidden files.',
  ],
  ['How do I kill a stuck process on my Mac?', 'Activity Monitor does not respond either.'],
  ['I want to run my first 10k.', 'I can run 3 km now without stopping.', 'How many weeks do I need?'],
  ['What is the difference between a stock and a bond?', 'Which is riskier?', 'What is an index fund then?'],
  [
    'Can you help me respond to an angry customer email?',
    'They were double charged for their subscription.',
    'Make it shorter and warmer.',
  ],
]

export const multiTurnPrompts: DemoPrompt[] = CONVERSATIONS.map((turns, i) => ({
  id: `multi-${i + 1}`,
  category: 'multi-turn',
  feature: 'support-bot',
  turns,
}))
