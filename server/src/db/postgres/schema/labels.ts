import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { projects } from './projects.ts'

const ts = (name: string) => timestamp(name, { withTimezone: true })

/**
 * Ground truth about one exchange, one row per labelled value (`name` = refusal, prompt_harmful, …;
 * `value` as text). A post with several values shares one `post_id`. `source`: human (a reviewer),
 * judge (an LLM judge), feedback (an app user's `refusalWrong`: a weak label, kept apart). `sample`:
 * uniform (picked at random, usable for unbiased corrected rates) or targeted (picked for being
 * uncertain or part of an incident: used for learning and instrument health only).
 */
export const labels = pgTable(
  'labels',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    postId: uuid('post_id').notNull(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    eventId: uuid('event_id').notNull(),
    eventTime: ts('event_time').notNull(),
    model: text('model').notNull().default(''),
    name: text('name').notNull(),
    value: text('value').notNull(),
    source: text('source').notNull().default('human'),
    sample: text('sample').notNull().default('uniform'),
    labeller: text('labeller').notNull(),
    note: text('note'),
    createdAt: ts('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('labels_one_per_person_idx').on(t.projectId, t.eventId, t.name, t.source, t.labeller),
    index('labels_project_time_idx').on(t.projectId, t.eventTime),
  ],
)
