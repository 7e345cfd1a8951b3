-- Insert deduplication on the non-replicated (single node, chdb) tables: ClickHouse remembers the
-- last 1,000 inserted blocks (by insert_deduplication_token, else by content hash) and drops a repeat.
-- The ingest pipeline sends a token derived from its batch, and re-reads exactly the same batch after a
-- crash, so a re-delivered batch is dropped at insert time instead of waiting for a background merge.
-- Replicated tables deduplicate inserts by default (replicated_deduplication_window).
ALTER TABLE raw_responses_v1 MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE scores_v1 MODIFY SETTING non_replicated_deduplication_window = 1000;
