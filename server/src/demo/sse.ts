import type { ServerResponse } from 'node:http'
import { demoHeaders, sleep } from './http-util.ts'

/** Splits text into stream pieces of one to three words, as token streams look on the wire. */
export function splitPieces(text: string, next: () => number): string[] {
  const words = text.match(/\S+\s*|\s+/g) ?? []
  const pieces: string[] = []
  let i = 0
  while (i < words.length) {
    const n = 1 + Math.floor(next() * 3)
    pieces.push(words.slice(i, i + n).join(''))
    i += n
  }
  return pieces
}

export class SseWriter {
  private closed = false

  constructor(private readonly res: ServerResponse) {
    res.on('close', () => {
      this.closed = true
    })
  }

  get isClosed(): boolean {
    return this.closed || this.res.destroyed
  }

  open(): void {
    this.res.writeHead(
      200,
      demoHeaders({
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      }),
    )
    this.res.flushHeaders()
  }

  send(data: unknown): void {
    if (!this.isClosed) this.res.write(`data: ${JSON.stringify(data)}\n\n`)
  }

  async pause(ms: number): Promise<void> {
    if (!this.isClosed) await sleep(ms)
  }

  done(): void {
    if (this.isClosed) return
    this.res.write('data: [DONE]\n\n')
    this.res.end()
  }
}
