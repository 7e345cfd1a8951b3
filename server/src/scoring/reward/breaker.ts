/**
 * A circuit breaker: closed until `failureThreshold` consecutive failures, then open (calls refused at once)
 * for `cooldownMs`, then half-open: one probe call goes through; its success closes the circuit, its
 * failure opens it again for another cooldown.
 */
export type BreakerState = 'closed' | 'open' | 'half-open'

export interface BreakerOptions {
  failureThreshold: number
  cooldownMs: number
  now?: () => number
}

export class CircuitBreaker {
  private failures = 0
  private openedAt = 0
  private probing = false
  private state: BreakerState = 'closed'
  private readonly now: () => number

  constructor(private readonly opts: BreakerOptions) {
    this.now = opts.now ?? Date.now
  }

  /** The state a call made now would see. */
  get current(): BreakerState {
    if (this.state === 'open' && this.now() - this.openedAt >= this.opts.cooldownMs) return 'half-open'
    return this.state
  }

  /** Whether a call may go out now; in half-open, only one probe at a time. */
  tryAcquire(): { ok: true; probe: boolean } | { ok: false; retryInMs: number } {
    const state = this.current
    if (state === 'closed') return { ok: true, probe: false }
    if (state === 'half-open' && !this.probing) {
      this.state = 'half-open'
      this.probing = true
      return { ok: true, probe: true }
    }
    return { ok: false, retryInMs: Math.max(this.opts.cooldownMs - (this.now() - this.openedAt), 0) }
  }

  success(): void {
    this.failures = 0
    this.probing = false
    this.state = 'closed'
  }

  failure(): void {
    this.failures++
    if (this.state === 'half-open' || this.failures >= this.opts.failureThreshold) {
      this.state = 'open'
      this.openedAt = this.now()
    }
    this.probing = false
  }
}
