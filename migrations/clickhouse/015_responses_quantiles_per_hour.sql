-- Hourly latency and time-to-first-token digests per project, without the slice columns of
-- responses_per_hour_v1. A chart of a quantile over the whole project (no group-by, no slice filter)
-- reads one state per hour here instead of merging one per slice and part (bench:ingest; decision 019).
-- Same re-delivery caveat as responses_per_hour_v1 (decision 010).
CREATE TABLE IF NOT EXISTS responses_q_per_hour_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant',
  hour DateTime('UTC') COMMENT 'Start of the hour (UTC) of the exchanges',
  requests SimpleAggregateFunction(sum, UInt64) COMMENT 'Exchanges',
  latency_q AggregateFunction(quantileTDigest, Float64) COMMENT 'Total latency digest, ms',
  ttft_requests SimpleAggregateFunction(sum, UInt64) COMMENT 'Exchanges with a time to first token',
  ttft_q AggregateFunction(quantileTDigest, Float64) COMMENT 'Time-to-first-token digest, ms (exchanges with one)'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour)
SETTINGS non_replicated_deduplication_window = 1000
COMMENT 'Hourly latency and TTFT digests per project (approximate under re-delivery)';

CREATE MATERIALIZED VIEW IF NOT EXISTS responses_q_per_hour_mv_v1 TO responses_q_per_hour_v1 AS
SELECT
  s.project_id AS project_id,
  toStartOfHour(s.time) AS hour,
  count() AS requests,
  quantileTDigestState(s.latency_ms) AS latency_q,
  countIf(s.ttft_ms IS NOT NULL) AS ttft_requests,
  quantileTDigestIfState(assumeNotNull(s.ttft_ms), s.ttft_ms IS NOT NULL) AS ttft_q
FROM raw_responses_v1 AS s
GROUP BY project_id, hour;

-- What was recorded before this migration: merged from the sliced rollup.
INSERT INTO responses_q_per_hour_v1 (project_id, hour, requests, latency_q, ttft_requests, ttft_q)
SELECT project_id, hour, sum(requests), quantileTDigestMergeState(latency_q), sum(ttft_requests),
  quantileTDigestMergeState(ttft_q)
FROM responses_per_hour_v1
GROUP BY project_id, hour;
