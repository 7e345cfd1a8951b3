import fs from 'node:fs/promises'
import path from 'node:path'
import type { PreferencePair } from './pairs.ts'
import { loadDoNotAnswerPairs, rewardSplit } from './splits.ts'

/**
 * Writes the exact training and dev files the shipped weights were trained from (see splits.ts for the
 * split). Only permissively licensed sets: hh-rlhf (MIT), LLMBar (MIT), Do-Not-Answer (Apache-2.0).
 *   npm run leash -- train reward-data --data-dir ../shared/data --out-dir /tmp/reward-data
 *   npm run leash -- train reward --pairs /tmp/reward-data/train.jsonl --dev /tmp/reward-data/dev.jsonl --out server/models/reward
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

export function trainingPairs(dataDir: string): { train: PreferencePair[]; dev: PreferencePair[] } {
  const split = rewardSplit(dataDir)
  return { train: [...split.train, ...loadDoNotAnswerPairs(dataDir)], dev: split.dev }
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
