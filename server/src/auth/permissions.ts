import type { Permission } from './access.ts'

/**
 * Who may call each `/api` route, keyed `METHOD path` exactly as in Hono's route table. A route
 * missing here is refused with 500 at run time and fails `server/test/auth/route-table.test.ts`:
 * whoever adds a route adds its line here.
 */
export const ROUTE_PERMISSIONS: Record<string, Permission> = {
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': 'public',
  'GET /api/auth/me': 'login',
  'POST /api/feedback': 'key',
  // Project key (own project) or a person: the handlers authenticate and check the role themselves.
  'POST /api/ingest/exchanges': 'key',
  'POST /api/labels': 'key',
  'GET /api/labels': 'key',
  'DELETE /api/labels/:eventId': 'key',
  'GET /api/review-queue': 'key',

  'GET /api/projects': 'login',
  'POST /api/projects': 'owner',
  'DELETE /api/projects/:project': 'owner',
  'GET /api/users': 'owner',
  'POST /api/users': 'owner',
  'DELETE /api/users/:id': 'owner',
  'DELETE /api/users/:id/lockout': 'owner',
  'GET /api/audit': 'owner',
  'GET /api/ingest/status': 'owner',
  'GET /api/ingest/metrics': 'owner',

  'GET /api/projects/:project/members': 'admin',
  'PUT /api/projects/:project/members/:id': 'admin',
  'DELETE /api/projects/:project/members/:id': 'admin',
  'GET /api/projects/:project/keys': 'admin',
  'POST /api/projects/:project/keys': 'admin',
  'DELETE /api/projects/:project/keys/:id': 'admin',
  'GET /api/projects/:project/tokens': 'admin',
  'POST /api/projects/:project/tokens': 'admin',
  'DELETE /api/projects/:project/tokens/:id': 'admin',
  'GET /api/projects/:project/audit': 'admin',
  'GET /api/projects/:project/settings': 'admin',
  'PUT /api/projects/:project/settings': 'admin',

  'GET /api/alert-rules': 'viewer',
  'GET /api/alert-rules/:id': 'viewer',
  'POST /api/alert-rules': 'admin',
  'PUT /api/alert-rules/:id': 'admin',
  'DELETE /api/alert-rules/:id': 'admin',
  'GET /api/notification-channels': 'viewer',
  'GET /api/notification-channels/:id/deliveries': 'viewer',
  'POST /api/notification-channels': 'admin',
  'DELETE /api/notification-channels/:id': 'admin',
  'POST /api/notification-channels/:id/test': 'admin',

  'GET /api/alerts': 'viewer',
  'GET /api/alerts/:id': 'viewer',
  'POST /api/alerts/:id/ack': 'operator',
  'POST /api/alerts/:id/resolve': 'operator',
  'POST /api/alerts/:id/snooze': 'operator',

  'GET /api/exchanges': 'viewer',
  'GET /api/exchanges/:id': 'viewer',
  'GET /api/metrics/overview': 'viewer',
  'GET /api/metrics/catalog': 'login',
  'GET /api/metrics/series': 'viewer',
  'GET /api/reports/weekly': 'viewer',
  'GET /api/scorers/accuracy': 'login',
  'GET /api/reference/leash': 'viewer',
  'GET /api/reference/rule-templates': 'viewer',
  'GET /api/reference/status': 'viewer',
}

export function permissionFor(method: string, path: string): Permission | undefined {
  return ROUTE_PERMISSIONS[`${method} ${path}`]
}
