-- Hourly rollup of raw_responses_v1 per project and slice, for charts and reports over long ranges.
-- A materialized view sees inserted blocks, not merged rows: an event delivered twice is counted twice
-- here. Readers use raw rows (FINAL) for windows up to 48 h, which is what alerts evaluate; see
-- docs/decisions/010-metrics-and-rollups.md.
CREATE TABLE IF NOT EXISTS responses_per_hour_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant',
  hour DateTime('UTC') COMMENT 'Start of the hour (UTC) of the exchanges',
  model LowCardinality(String) COMMENT 'Model as requested',
  route LowCardinality(String) COMMENT 'Gateway route',
  feature LowCardinality(String) COMMENT 'Feature tag',
  policy_version LowCardinality(String) COMMENT 'Policy version tag',
  upstream LowCardinality(String) COMMENT 'Upstream name',
  requests SimpleAggregateFunction(sum, UInt64) COMMENT 'Exchanges',
  errors SimpleAggregateFunction(sum, UInt64) COMMENT 'Exchanges with status >= 400 or outcome other than ok',
  usage_requests SimpleAggregateFunction(sum, UInt64) COMMENT 'Exchanges with usage reported',
  prompt_tokens SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of prompt tokens',
  completion_tokens SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of completion tokens',
  completion_tokens_sq SimpleAggregateFunction(sum, Float64) COMMENT 'Sum of squared completion tokens (variance)',
  cached_tokens SimpleAggregateFunction(sum, UInt64) COMMENT 'Sum of cached prompt tokens',
  cost_usd SimpleAggregateFunction(sum, Float64) COMMENT 'Sum of estimated cost, USD',
  cost_usd_sq SimpleAggregateFunction(sum, Float64) COMMENT 'Sum of squared cost (variance of cost per request)',
  latency_q AggregateFunction(quantileTDigest, Float64) COMMENT 'Total latency digest, ms',
  ttft_requests SimpleAggregateFunction(sum, UInt64) COMMENT 'Exchanges with a time to first token',
  ttft_q AggregateFunction(quantileTDigest, Float64) COMMENT 'Time-to-first-token digest, ms (exchanges with one)'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, model, route, feature, policy_version, upstream)
SETTINGS non_replicated_deduplication_window = 1000
COMMENT 'Hourly exchange aggregates per project and slice (approximate under re-delivery)';

CREATE MATERIALIZED VIEW IF NOT EXISTS responses_per_hour_mv_v1 TO responses_per_hour_v1 AS
SELECT
  s.project_id AS project_id,
  toStartOfHour(s.time) AS hour,
  s.model AS model,
  s.route AS route,
  s.feature AS feature,
  s.policy_version AS policy_version,
  s.upstream AS upstream,
  count() AS requests,
  countIf(s.status >= 400 OR s.outcome != 'ok') AS errors,
  countIf(s.has_usage) AS usage_requests,
  sum(toUInt64(s.prompt_tokens)) AS prompt_tokens,
  sum(toUInt64(s.completion_tokens)) AS completion_tokens,
  sum(toFloat64(s.completion_tokens) * s.completion_tokens) AS completion_tokens_sq,
  sum(toUInt64(s.cached_tokens)) AS cached_tokens,
  sum(s.cost_usd) AS cost_usd,
  sum(s.cost_usd * s.cost_usd) AS cost_usd_sq,
  quantileTDigestState(s.latency_ms) AS latency_q,
  countIf(s.ttft_ms IS NOT NULL) AS ttft_requests,
  quantileTDigestIfState(assumeNotNull(s.ttft_ms), s.ttft_ms IS NOT NULL) AS ttft_q
FROM raw_responses_v1 AS s
GROUP BY project_id, hour, model, route, feature, policy_version, upstream;
