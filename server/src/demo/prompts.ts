import { codingPrompts } from './prompt-sets/coding.ts'
import { everydayPrompts } from './prompt-sets/everyday.ts'
import { harmfulPrompts } from './prompt-sets/harmful.ts'
import { multiTurnPrompts } from './prompt-sets/multi-turn.ts'
import { retrievalPrompts } from './prompt-sets/retrieval.ts'
import { scaryBenignPrompts } from './prompt-sets/scary-benign.ts'
import { toolUsePrompts } from './prompt-sets/tool-use.ts'
import type { DemoCategory, DemoPrompt } from './types.ts'

export type { DemoCategory, DemoPrompt, DemoTool } from './types.ts'

/** Leash's own demo prompts, written for the product; each carries its category. */
export const demoPrompts: readonly DemoPrompt[] = [
  ...everydayPrompts,
  ...codingPrompts,
  ...scaryBenignPrompts,
  ...harmfulPrompts,
  ...retrievalPrompts,
  ...toolUsePrompts,
  ...multiTurnPrompts,
]

export function promptsByCategory(category: DemoCategory): DemoPrompt[] {
  return demoPrompts.filter((p) => p.category === category)
}
