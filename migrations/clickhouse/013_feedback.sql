-- End-user feedback posted by applications (POST /api/feedback), one row per post. Metrics take the
-- latest value of each field per event, so a retried post never counts twice.
CREATE TABLE IF NOT EXISTS feedback_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant (from the project key that posted it)',
  feedback_id UUID COMMENT 'Id of this feedback post',
  event_id UUID COMMENT 'Exchange the feedback is about (raw_responses_v1.event_id)',
  event_time DateTime64(3, 'UTC') COMMENT 'Time of that exchange, so feedback lands in the exchange''s window',
  received_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the feedback arrived',
  model LowCardinality(String) COMMENT 'Model of the exchange (denormalized)',
  route LowCardinality(String) COMMENT 'Route of the exchange (denormalized)',
  feature LowCardinality(String) COMMENT 'Feature tag of the exchange (denormalized)',
  policy_version LowCardinality(String) COMMENT 'Policy version of the exchange (denormalized)',
  thumbs Int8 COMMENT '1 = up, -1 = down, 0 = not given',
  task_completed Int8 COMMENT '1 = completed, 0 = not completed, -1 = not given',
  refusal_wrong UInt8 COMMENT '1 when the user reported that a refusal was wrong',
  edit_distance Nullable(Float64) COMMENT 'Normalized edit distance response -> edited text (0..1); NULL when no edit',
  edited_text String COMMENT 'The user''s edited final text, if sent' CODEC(ZSTD(3)),
  comment String COMMENT 'Free-text comment, if sent' CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (project_id, event_time, event_id, feedback_id)
COMMENT 'User feedback on exchanges, one row per post';
