-- Ingest health written by each replica's pipeline every 15 s and at close (issue 11: every drop loud,
-- a default alert included). The drop counters live in the process; these rows put them where the alert
-- rules read. A drop whose project is known (refused by a full spool, dead-lettered, invalid) gets a row
-- of its project; one whose project is not known (older records dropped to make room, records lost at
-- close) counts in the replica's row with project_id '', which the metric of every project reads.
CREATE TABLE IF NOT EXISTS ingest_health_v1
(
  project_id LowCardinality(String) COMMENT 'Project the drops belong to; empty = the replica''s own row (drops of unknown project, and the heartbeat)',
  time DateTime64(3, 'UTC') COMMENT 'End of the interval the row covers (when the replica wrote it)',
  replica LowCardinality(String) COMMENT 'Process that wrote the row (host:pid)',
  interval_ms UInt32 COMMENT 'Length of the interval the counts cover',
  dropped UInt64 COMMENT 'Answered exchanges not recorded in the interval: dropped_spool + dead_lettered + invalid',
  dropped_spool UInt64 COMMENT 'Refused or dropped by the spool: at its cap, disk full past the memory cap, lost at close',
  dropped_disk_full UInt64 COMMENT 'Replica row only: spool drops of any project the disk being full caused (each is also in the dropped_spool of its own row)',
  dead_lettered UInt64 COMMENT 'Rows ClickHouse refused on their own, moved to the dead-letter file',
  invalid UInt64 COMMENT 'Exchange rows dropped as invalid before the insert',
  spooled UInt64 COMMENT 'Exchanges waiting in the replica''s spool at `time` (replica row only)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(time)
ORDER BY (project_id, time, replica)
TTL toDateTime(time) + INTERVAL 90 DAY
COMMENT 'Ingest health per replica and interval: answered exchanges that were not recorded';
