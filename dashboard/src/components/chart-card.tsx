import type { ReactNode } from 'react'

interface ChartCardProps {
  title: string
  unit: string
  testId: string
  empty: boolean
  children: ReactNode
}

/** A titled frame for one chart; says "no data" instead of drawing an empty axis as zero. */
export function ChartCard({ title, unit, testId, empty, children }: ChartCardProps) {
  return (
    <section className="card chart-card" data-testid={testId}>
      <header className="card-head">
        <h2>{title}</h2>
        <span className="muted">{unit}</span>
      </header>
      <div className="chart-body">
        {children}
        {empty ? <div className="chart-empty">no data in this range</div> : null}
      </div>
    </section>
  )
}
