/** One line of the scorer card, printed by `leash eval`. */
export interface EvalResult {
  /** What is measured, e.g. "refusal (any vs compliance)". */
  metric: string
  dataset: string
  /** Which rows, e.g. "held-out models: llama2, gpt4 (trained on others)". */
  split: string
  rows: number
  /** e.g. "F1", "AUC", "pairwise accuracy", "macro-F1", "abs error (points)". */
  measure: string
  value: number
  baseline: { name: string; value: number } | null
  /** The bar, when there is one: value must be >= (or <= for 'max') this. */
  bar: { kind: 'min' | 'max'; value: number } | null
  note?: string
  /** 95% interval of the value (Wilson for proportions, bootstrap otherwise), when computed. */
  ci?: [number, number]
  /** The score this line is evidence for (`reward`, `refusal`, `false_refusal`, ...): card.json groups by it. */
  scorer?: string
}
