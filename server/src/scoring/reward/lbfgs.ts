/**
 * Limited-memory BFGS with a backtracking (Armijo) line search, for smooth convex objectives such as
 * L2-regularised Bradley-Terry. Deterministic: no randomness, fixed iteration order.
 */
export interface LbfgsOptions {
  maxIterations: number
  memory: number
  /** Stop when the gradient's max-norm falls below this. */
  tolerance: number
  onIteration?: (iteration: number, w: Float64Array, f: number) => void
}

export type Objective = (w: Float64Array, grad: Float64Array) => number

function dotv(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number)
  return s
}

export function minimizeLbfgs(objective: Objective, w0: Float64Array, opts: LbfgsOptions): Float64Array {
  const n = w0.length
  let w = Float64Array.from(w0)
  let g = new Float64Array(n)
  let f = objective(w, g)
  const sHist: Float64Array[] = []
  const yHist: Float64Array[] = []
  const rhoHist: number[] = []
  const dir = new Float64Array(n)
  const alpha = new Float64Array(opts.memory)
  for (let iter = 1; iter <= opts.maxIterations; iter++) {
    // Two-loop recursion: dir = -H * g
    dir.set(g)
    for (let k = sHist.length - 1; k >= 0; k--) {
      const a = (rhoHist[k] as number) * dotv(sHist[k] as Float64Array, dir)
      alpha[k] = a
      const y = yHist[k] as Float64Array
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) - a * (y[i] as number)
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1
      const y = yHist[last] as Float64Array
      const gamma = dotv(sHist[last] as Float64Array, y) / dotv(y, y)
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) * gamma
    }
    for (let k = 0; k < sHist.length; k++) {
      const s = sHist[k] as Float64Array
      const b = (rhoHist[k] as number) * dotv(yHist[k] as Float64Array, dir)
      const coef = (alpha[k] as number) - b
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) + coef * (s[i] as number)
    }
    for (let i = 0; i < n; i++) dir[i] = -(dir[i] as number)
    let slope = dotv(g, dir)
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      for (let i = 0; i < n; i++) dir[i] = -(g[i] as number)
      slope = dotv(g, dir)
      sHist.length = 0
      yHist.length = 0
      rhoHist.length = 0
    }
    let step = sHist.length === 0 ? 1 / Math.max(Math.sqrt(dotv(g, g)), 1e-12) : 1
    const wNext = new Float64Array(n)
    const gNext = new Float64Array(n)
    let fNext = f
    let accepted = false
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) wNext[i] = (w[i] as number) + step * (dir[i] as number)
      fNext = objective(wNext, gNext)
      if (fNext <= f + 1e-4 * step * slope) {
        accepted = true
        break
      }
      step *= 0.5
    }
    if (!accepted) break
    const s = new Float64Array(n)
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      s[i] = (wNext[i] as number) - (w[i] as number)
      y[i] = (gNext[i] as number) - (g[i] as number)
    }
    const sy = dotv(s, y)
    if (sy > 1e-12) {
      sHist.push(s)
      yHist.push(y)
      rhoHist.push(1 / sy)
      if (sHist.length > opts.memory) {
        sHist.shift()
        yHist.shift()
        rhoHist.shift()
      }
    }
    w = wNext
    g = gNext
    f = fNext
    opts.onIteration?.(iter, w, f)
    let gmax = 0
    for (let i = 0; i < n; i++) gmax = Math.max(gmax, Math.abs(g[i] as number))
    if (gmax < opts.tolerance) break
  }
  return w
}
