/**
 * Child process for the kill -9 test and benchmark: appends exchanges to a spool as fast as the group
 * commit allows and prints `ack <n>` after every fsync (records 0..n-1 are durable), until killed.
 * Event ids are derived from the sequence number, so the parent knows exactly which ones to expect.
 *
 *   node --import tsx server/test/support/spool-child.ts <spoolDir> [projectId] [ratePerTick]
 */

import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ExchangeRecord } from '../../src/exchange/record.ts'
import { Spool } from '../../src/ingest/spool/index.ts'
import { exchange } from './ingest-fixtures.ts'

export function childEventId(seq: number): string {
  const hex = seq.toString(16).padStart(12, '0')
  return `00000000-0000-7000-8000-${hex}`
}

const CHILD = fileURLToPath(new URL('./spool-child.ts', import.meta.url))

/** Spawns the spool writer (one process: node + the tsx loader) and collects its `ack <n>` lines. */
export function spawnSpoolChild(
  dir: string,
  projectId: string,
  extraEnv: Record<string, string> = {},
): { child: ChildProcess; acks: () => number } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, projectId], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...extraEnv },
  })
  let maxAck = 0
  let buf = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buf += chunk.toString()
    const lines = buf.split('\n')
    buf = lines.pop() ?? ''
    for (const line of lines) {
      const m = /^ack (\d+)$/.exec(line)
      if (m) maxAck = Math.max(maxAck, Number(m[1]))
    }
  })
  return { child, acks: () => maxAck }
}

async function main(): Promise<void> {
  const [dir, projectId = 'proj-kill', perTick = '200'] = process.argv.slice(2)
  if (!dir) throw new Error('usage: spool-child.ts <spoolDir> [projectId] [ratePerTick]')
  const spool = await Spool.open<ExchangeRecord>({ dir, log: (l, m) => process.stderr.write(`${l} ${m}\n`) })
  spool.onSync((durable) => process.stdout.write(`ack ${durable}\n`))
  let seq = 0
  const tick = () => {
    for (let i = 0; i < Number(perTick); i++) {
      spool.append(exchange({ projectId, eventId: childEventId(seq), time: Date.now() }, seq))
      seq++
    }
    setImmediate(tick)
  }
  process.stdout.write('ready\n')
  tick()
}

if (process.argv[1]?.endsWith('spool-child.ts')) void main()
