-- Human and judge labels (issue 14), mirrored from PostgreSQL's `labels` (the source of truth) so metrics can
-- join them with scores: one row per labelled value per person; an undo writes a row with deleted = 1. Reads
-- take the latest row per (event, name, source, labeller) by updated_at.
CREATE TABLE IF NOT EXISTS labels_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant',
  event_id UUID COMMENT 'Exchange the label is about (raw_responses_v1.event_id)',
  event_time DateTime64(3, 'UTC') COMMENT 'Time of that exchange, so labels land in the exchange''s window',
  model LowCardinality(String) COMMENT 'Model of the exchange (denormalized)',
  name LowCardinality(String) COMMENT 'refusal, prompt_harmful, violation, citation_supported, unsupported_claim, helpfulness',
  value String COMMENT 'The labelled value as text (full/partial/none, true/false, 1-5)',
  source LowCardinality(String) COMMENT 'human, judge or feedback',
  sample LowCardinality(String) COMMENT 'uniform (picked at random) or targeted',
  labeller String COMMENT 'Who labelled (email, project-key, feedback)',
  deleted UInt8 COMMENT '1 = the label was removed (undo)',
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When this version was written'
)
ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(event_time)
ORDER BY (project_id, event_time, event_id, name, source, labeller)
COMMENT 'Labels of exchanges (mirror of PostgreSQL labels), latest version per labeller and value';
