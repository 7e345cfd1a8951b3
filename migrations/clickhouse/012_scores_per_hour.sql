-- Hourly rollup of scores_v1 per project, score name, label and slice (dimensions from migration 010).
-- Same re-delivery caveat as responses_per_hour_v1: readers use raw rows for windows up to 48 h.
CREATE TABLE IF NOT EXISTS scores_per_hour_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant',
  hour DateTime('UTC') COMMENT 'Start of the hour (UTC) of the scored exchanges',
  name LowCardinality(String) COMMENT 'Score name (scoring/scorer.ts SCORE)',
  label LowCardinality(String) COMMENT 'Score label; empty when none',
  model LowCardinality(String) COMMENT 'Model of the scored exchange',
  route LowCardinality(String) COMMENT 'Route of the scored exchange',
  feature LowCardinality(String) COMMENT 'Feature tag of the scored exchange',
  policy_version LowCardinality(String) COMMENT 'Policy version of the scored exchange',
  upstream LowCardinality(String) COMMENT 'Upstream of the scored exchange',
  n SimpleAggregateFunction(sum, UInt64) COMMENT 'Score rows',
  n_ge_half SimpleAggregateFunction(sum, UInt64) COMMENT 'Score rows with value >= 0.5',
  value_sum SimpleAggregateFunction(sum, Float64) COMMENT 'Sum of values',
  value_sq SimpleAggregateFunction(sum, Float64) COMMENT 'Sum of squared values',
  value_q AggregateFunction(quantileTDigest, Float64) COMMENT 'Value digest'
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (project_id, hour, name, label, model, route, feature, policy_version, upstream)
SETTINGS non_replicated_deduplication_window = 1000
COMMENT 'Hourly score aggregates per project, name, label and slice (approximate under re-delivery)';

CREATE MATERIALIZED VIEW IF NOT EXISTS scores_per_hour_mv_v1 TO scores_per_hour_v1 AS
SELECT
  s.project_id AS project_id,
  toStartOfHour(s.time) AS hour,
  s.name AS name,
  s.label AS label,
  s.model AS model,
  s.route AS route,
  s.feature AS feature,
  s.policy_version AS policy_version,
  s.upstream AS upstream,
  count() AS n,
  countIf(s.value >= 0.5) AS n_ge_half,
  sum(s.value) AS value_sum,
  sum(s.value * s.value) AS value_sq,
  quantileTDigestState(s.value) AS value_q
FROM scores_v1 AS s
GROUP BY project_id, hour, name, label, model, route, feature, policy_version, upstream;
