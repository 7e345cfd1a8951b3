import { ApiErrorBody } from '@leash/shared'

/** Every failed API call surfaces as this; status 401 means "not logged in". */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly requestId: string | null

  constructor(status: number, code: string, message: string, requestId: string | null = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.requestId = requestId
  }
}

/** Build an ApiError from a non-2xx response, tolerating bodies that are not the documented shape. */
export async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '')
  let body: unknown = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  const parsed = ApiErrorBody.safeParse(body)
  if (parsed.success) {
    const { code, message, requestId } = parsed.data.error
    return new ApiError(res.status, code, message, requestId)
  }
  const fallback = res.status === 401 ? 'Not logged in' : `Request failed (HTTP ${res.status})`
  return new ApiError(res.status, `http_${res.status}`, fallback)
}

export function isUnauthorized(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}
