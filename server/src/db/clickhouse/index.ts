export type { ClickHouseClient, ClickHouseOptions } from './client.ts'
export { createClickHouse, describeClickHouse, embeddedPath } from './client.ts'
export type { MigrationFile } from './migrate.ts'
export { MigrationError, migrateClickHouse, readMigrations, splitStatements } from './migrate.ts'
export type { ExchangeFilter } from './queries/exchange-filter-sql.ts'
export { GetExchangeParams, getExchange } from './queries/get-exchange.ts'
export {
  DEFAULT_RETENTION_DAYS,
  insertExchanges,
  RawResponseInsertRow,
  toRawResponseRow,
} from './queries/insert-exchanges.ts'
export { IngestHealthRow, insertIngestHealth } from './queries/insert-ingest-health.ts'
export type { ScoreInsertInput, ScoreRowExtras } from './queries/insert-scores.ts'
export { insertScores, ScoreInsertRow, toScoreInsertRow } from './queries/insert-scores.ts'
export { ListExchangesParams, listExchanges } from './queries/list-exchanges.ts'
export type { InsertOptions } from './query.ts'
