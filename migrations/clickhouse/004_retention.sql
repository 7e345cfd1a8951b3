-- Per-project retention. Each row carries the retention (days) of its project when it was written,
-- stamped by the ingest pipeline from ProjectSettings.retentionDays (90 when unknown), and a row TTL
-- deletes it that many days after the exchange time. A changed setting applies to rows written after
-- the change; old rows keep the retention they were written with (no rewrite of history).
ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS retention_days UInt16 DEFAULT 90
    COMMENT 'Days this row is kept after `time` (the project''s retention when written); drives the TTL'
    AFTER error_message;

ALTER TABLE raw_responses_v1 MODIFY TTL toDateTime(time) + toIntervalDay(retention_days);

ALTER TABLE scores_v1
  ADD COLUMN IF NOT EXISTS retention_days UInt16 DEFAULT 90
    COMMENT 'Days this score is kept after the exchange `time` (same as its exchange); drives the TTL'
    AFTER scorer_version;

ALTER TABLE scores_v1 MODIFY TTL toDateTime(time) + toIntervalDay(retention_days);
