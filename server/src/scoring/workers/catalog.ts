import type { Scorer } from '../scorer.ts'

/**
 * The built-in synchronous scorers, by name. Worker threads and the in-process registry load them the
 * same way, so a scorer behaves identically on and off the main thread. Safety and the built-in
 * reward model are imported lazily (their weights load only where they run) and a module that fails
 * to load fails with a message naming it.
 */
export const BUILTIN_SCORER_NAMES = ['safety', 'grounding', 'tools', 'style'] as const
export type BuiltinScorerName = (typeof BUILTIN_SCORER_NAMES)[number] | 'reward-builtin'

async function importModule<T>(load: () => Promise<T>, what: string): Promise<T> {
  try {
    return await load()
  } catch (err) {
    throw new Error(`${what} could not be loaded: ${(err as Error).message}`)
  }
}

export async function loadBuiltinScorer(name: BuiltinScorerName): Promise<Scorer> {
  switch (name) {
    case 'grounding':
      return (await import('../grounding/scorer.ts')).groundingScorer
    case 'tools':
      return (await import('../tools/index.ts')).toolsScorer
    case 'style':
      return (await import('../style/index.ts')).styleScorer
    case 'safety': {
      const mod = await importModule(() => import('../safety/index.ts'), 'the safety scorer')
      return mod.safetyScorer
    }
    case 'reward-builtin': {
      const mod = await importModule(() => import('../reward/index.ts'), 'the built-in reward model')
      return mod.createRewardScorer({ kind: 'builtin' })
    }
    default:
      throw new Error(`unknown built-in scorer '${name as string}'`)
  }
}

/** Like `loadBuiltinScorer`, but a scorer that cannot load becomes one whose every batch fails loudly. */
export async function loadBuiltinScorerOrFailing(name: BuiltinScorerName): Promise<Scorer> {
  try {
    return await loadBuiltinScorer(name)
  } catch (err) {
    const reason = (err as Error).message
    return {
      name,
      version: 'unavailable',
      scoreBatch: async () => {
        throw new Error(`scorer ${name} is unavailable: ${reason}`)
      },
    }
  }
}
