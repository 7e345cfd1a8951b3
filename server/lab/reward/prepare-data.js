import fs from 'node:fs/promises'
import path from 'node:path'
import { benignAnswerPairs, isDerivedDev } from './derived.js'
import { loadDoNotAnswerPairs, rewardSplit } from './splits.js'

function toLine(p) {
  return JSON.stringify({ messages: p.messages, chosen: p.chosen, rejected: p.rejected, source: p.source })
}
export function countSources(pairs) {
  const out = {}
  for (const p of pairs) out[p.source ?? 'unknown'] = (out[p.source ?? 'unknown'] ?? 0) + 1
  return out
}
export function trainingPairs(dataDir) {
  const split = rewardSplit(dataDir)
  const derived = benignAnswerPairs(dataDir)
  const answer = derived.filter(isDerivedDev)
  return {
    train: [...split.train, ...loadDoNotAnswerPairs(dataDir), ...derived.filter((p) => !isDerivedDev(p))],
    dev: [...split.dev, ...answer],
    devSets: { harmless: split.dev, answer },
  }
}
export async function prepareRewardData(dataDir, outDir) {
  const { train, dev } = trainingPairs(dataDir)
  await fs.mkdir(outDir, { recursive: true })
  const trainFile = path.join(outDir, 'train.jsonl')
  const devFile = path.join(outDir, 'dev.jsonl')
  await fs.writeFile(trainFile, `${train.map(toLine).join('\n')}\n`)
  await fs.writeFile(devFile, `${dev.map(toLine).join('\n')}\n`)
  return { trainFile, devFile, train: train.length, dev: dev.length, sources: countSources(train) }
}
