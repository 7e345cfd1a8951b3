import { Rng } from './hash.ts'

/** Time to first token and per-token pacing, drawn per request and scaled (0 in tests). */
export interface Pacing {
  ttftMs: number
  perTokenMs: number
}

export function drawPacing(key: number, model: string, scale: number): Pacing {
  const rng = new Rng(key ^ 0x5bd1e995)
  const slow = model.includes('pro') ? 1.4 : 1
  return {
    ttftMs: Math.round((50 + rng.next() * 350) * slow * scale),
    perTokenMs: (4 + rng.next() * 10) * slow * scale,
  }
}
