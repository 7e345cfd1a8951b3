import { z } from 'zod'

/** The words both sides use for slicing metrics and sizing series, defined once. */

/** Slicing dimensions every metric supports; their order is the order the UI offers them in. */
export const Dimension = z.enum(['model', 'route', 'feature', 'policy_version', 'upstream'])
export type Dimension = z.infer<typeof Dimension>

/** The most buckets one series may have, for any reader (API, overview, alerts, reports). */
export const SERIES_MAX_BUCKETS = 2_000

/** Dimension values (and x-leash-tags k=v pairs) that rows must all match. */
export const SeriesFilters = z.object({
  model: z.string().optional(),
  route: z.string().optional(),
  feature: z.string().optional(),
  policy_version: z.string().optional(),
  upstream: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
})
export type SeriesFilters = z.infer<typeof SeriesFilters>

/** One metric over [from, to) for a project, optionally sliced: what the metric query layer reads. */
export const WindowQuery = z
  .object({
    projectId: z.string().min(1),
    metric: z.string().min(1),
    /** Epoch ms, inclusive. */
    from: z.number().int(),
    /** Epoch ms, exclusive. */
    to: z.number().int(),
    filters: SeriesFilters.optional(),
    /** One result per distinct combination of these dimensions; none = one result for the project. */
    groupBy: z.array(Dimension).optional(),
    /** Overrides the catalog's minSamples (descriptive charts use 1; decisions keep the catalog's). */
    minSamples: z.number().int().min(0).optional(),
  })
  .refine((q) => q.to > q.from, '`to` must be after `from`')
export type WindowQuery = z.infer<typeof WindowQuery>

/** A window cut into epoch-aligned buckets of `stepSeconds`. */
export const SeriesQuery = z.object({
  ...WindowQuery.shape,
  stepSeconds: z.number().int().min(1),
})
export type SeriesQuery = z.infer<typeof SeriesQuery>
