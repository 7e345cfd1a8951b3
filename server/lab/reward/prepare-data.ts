import fs from 'node:fs/promises'
import path from 'node:path'
import { benignAnswerPairs, isDerivedDev } from './derived.ts'
import type { PreferencePair } from './pairs.ts'
import { loadDoNotAnswerPairs, rewardSplit } from './splits.ts'

/**
 * Writes the exact training and dev files the shipped weights were trained from (see splits.ts for the
 * split). Only permissively licensed sets: hh-rlhf (MIT), LLMBar (MIT), Do-Not-Answer (Apache-2.0), TruthfulQA
 * (Apache-2.0), plus derived answer-vs-refusal pairs (derived.ts). `leash train reward` trains from these.
 */
export interface PreparedData {
  trainFile: string
  devFile: string
  train: number
  dev: number
  sources: Record<string, number>
}

function toLine(p: PreferencePair): string {
  return JSON.stringify({ messages: p.messages, chosen: p.chosen, rejected: p.rejected, source: p.source })
}

export function countSources(pairs: readonly PreferencePair[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of pairs) out[p.source ?? 'unknown'] = (out[p.source ?? 'unknown'] ?? 0) + 1
  return out
}

export function trainingPairs(dataDir: string): {
  train: PreferencePair[]
  dev: PreferencePair[]
  /** The dev pairs by dimension: harmlessness (hh-rlhf) and answer-vs-refusal (derived). */
  devSets: { harmless: PreferencePair[]; answer: PreferencePair[] }
} {
  const split = rewardSplit(dataDir)
  const derived = benignAnswerPairs(dataDir)
  const answer = derived.filter(isDerivedDev)
  return {
    train: [...split.train, ...loadDoNotAnswerPairs(dataDir), ...derived.filter((p) => !isDerivedDev(p))],
    dev: [...split.dev, ...answer],
    devSets: { harmless: split.dev, answer },
  }
}

export async function prepareRewardData(dataDir: string, outDir: string): Promise<PreparedData> {
  const { train, dev } = trainingPairs(dataDir)
  await fs.mkdir(outDir, { recursive: true })
  const trainFile = path.join(outDir, 'train.jsonl')
  const devFile = path.join(outDir, 'dev.jsonl')
  await fs.writeFile(trainFile, `${train.map(toLine).join('\n')}\n`)
  await fs.writeFile(devFile, `${dev.map(toLine).join('\n')}\n`)
  return { trainFile, devFile, train: train.length, dev: dev.length, sources: countSources(train) }
}
