import type { ReactNode } from 'react'

/** Fixed-height placeholder so the page does not jump when the data arrives. */
export function Loading({ label = 'Loading…', height = 120 }: { label?: string; height?: number }) {
  return (
    <div className="state-loading muted" style={{ minHeight: height }} aria-busy="true" data-testid="loading">
      {label}
    </div>
  )
}

export function ErrorBanner({
  message,
  prefix = 'Could not load',
  onRetry,
  testId = 'load-error',
}: {
  message: string
  prefix?: string
  onRetry?: (() => void) | undefined
  testId?: string
}) {
  return (
    <div className="banner banner-error banner-row" role="alert" data-testid={testId}>
      <span>
        {prefix}: {message}
      </span>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  )
}

export function Empty({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="state-empty" data-testid={testId}>
      <strong>{title}</strong>
      {children ? <div className="muted">{children}</div> : null}
    </div>
  )
}

/** Page title row with optional controls on the right. */
export function PageHeader({
  title,
  sub,
  children,
}: {
  title: string
  sub?: ReactNode
  children?: ReactNode
}) {
  return (
    <div className="page-head">
      <div>
        <h1>{title}</h1>
        {sub ? <div className="muted page-sub">{sub}</div> : null}
      </div>
      <div className="page-tools">{children}</div>
    </div>
  )
}
