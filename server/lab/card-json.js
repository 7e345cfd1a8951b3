/** The score a card line is evidence for; lines of reference models (tiny-rm) belong to none. */
export function scorerOf(r) {
  if (r.scorer) return r.scorer
  const m = r.metric
  if (m.includes('onnx')) return null
  if (m.startsWith('false-refusal')) return 'false_refusal'
  if (m.startsWith('refusal')) return 'refusal'
  if (m.startsWith('prompt risk')) return 'prompt_risk'
  if (m.startsWith('violation')) return 'violation'
  if (m.startsWith('reward')) return 'reward'
  if (m.startsWith('citation support')) return 'citation_support'
  if (m.startsWith('unsupported claims')) return 'unsupported_claims'
  return null
}
function met(r) {
  if (!r.bar) return true
  return r.bar.kind === 'min' ? r.value >= r.bar.value : r.value <= r.bar.value
}
function short(v) {
  return Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(3)
}
function describe(l) {
  return `${l.dataset}: ${l.measure} ${short(l.value)} (bar ${l.bar?.kind === 'min' ? '>=' : '<='} ${short(l.bar?.value ?? 0)})`
}
export function cardJson(rows, command, commit) {
  const scorers = {}
  const groups = new Map()
  for (const r of rows) {
    const s = scorerOf(r)
    if (s) groups.set(s, [...(groups.get(s) ?? []), r])
  }
  for (const [name, lines] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const withBar = lines.filter((l) => l.bar)
    const misses = withBar.filter((l) => !met(l))
    const summary =
      withBar.length === 0
        ? 'no bar set; see the scorer card'
        : misses.length === 0
          ? `meets all ${withBar.length} bars on held-out data`
          : `misses ${misses.length} of ${withBar.length} bars on held-out data, e.g. ${describe(misses[0])}; see docs/scorer-card.md`
    scorers[name] = {
      barMet: withBar.length === 0 ? null : misses.length === 0,
      bars: withBar.length,
      met: withBar.length - misses.length,
      summary,
      misses: misses.map((l) => ({
        metric: l.metric,
        dataset: l.dataset,
        value: l.value,
        bar: l.bar?.value ?? Number.NaN,
        kind: l.bar?.kind ?? 'min',
      })),
    }
  }
  return { generatedBy: command, commit, scorers }
}
