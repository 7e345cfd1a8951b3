-- One row per score: (event, scorer, scorer version, metric name).
-- Scores never go back into the response row.
-- Sort key: tenant, then exchange time (fixed per event, so range scans prune), then the identity of a
-- score; re-delivering the same score collapses to the latest scored_at under ReplacingMergeTree.
CREATE TABLE IF NOT EXISTS scores_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant: the project of the scored exchange',
  event_id UUID COMMENT 'Exchange being scored (raw_responses_v1.event_id)',
  time DateTime64(3, 'UTC') COMMENT 'Time of the scored exchange (not of scoring), for time-series buckets',
  name LowCardinality(String) COMMENT 'Metric name, e.g. refusal, toxicity, groundedness',
  value Float64 COMMENT 'Score value; meaning depends on the metric (usually 0..1)',
  label LowCardinality(String) COMMENT 'Category, e.g. full/partial/none for refusal; empty when none',
  scorer LowCardinality(String) COMMENT 'Scorer that produced the value',
  scorer_version LowCardinality(String) COMMENT 'Version of the scorer, so a new version can re-score',
  scored_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the score was written; the latest wins'
)
ENGINE = ReplacingMergeTree(scored_at)
PARTITION BY toYYYYMM(time)
ORDER BY (project_id, time, event_id, name, scorer, scorer_version)
COMMENT 'Scores of exchanges, one row per (event, scorer, version, metric)';
