import { Link } from '../components/link.tsx'
import { Empty } from '../components/states.tsx'
import type { Route } from '../lib/router.ts'
import { hrefWithSticky } from '../lib/router.ts'

export function NotFoundPage({ route }: { route: Route }) {
  return (
    <section className="card" data-testid="not-found">
      <Empty title="No such page">
        {route.page === 'not_found' ? <code>{route.path}</code> : null} is not a page of this dashboard.{' '}
        <Link href={hrefWithSticky('/')}>Go to the overview</Link>
      </Empty>
    </section>
  )
}
