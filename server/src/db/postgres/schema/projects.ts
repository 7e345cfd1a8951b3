import type { ProjectSettingsInput } from '@leash/shared'
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core'

export const projects = pgTable(
  'projects',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    /** Routes, prices, redaction, retention, reward model; validated by `ProjectSettings` (@leash/shared). */
    settings: jsonb('settings').$type<ProjectSettingsInput>().notNull().default({}),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('projects_slug_idx').on(t.slug)],
)

/** Keys that applications use as their OpenAI `apiKey`; only the SHA-256 is kept. */
export const projectKeys = pgTable(
  'project_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    /** First characters of the key, to tell keys apart in the UI without revealing them. */
    prefix: text('prefix').notNull(),
    createdBy: uuid('created_by'),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('project_keys_hash_idx').on(t.keyHash),
    index('project_keys_project_idx').on(t.projectId),
  ],
)
