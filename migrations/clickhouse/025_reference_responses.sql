-- Issue 19 (decision 024): one row per sampled exchange compared with its reference model. Logprobs
-- mode keeps the per-response KL estimates and the token that moved most; paired mode keeps the
-- reference's own answer beside the policy's for the side-by-side view. The scores themselves are in
-- scores_v1 (scorer `reference:<model>`); this table is the evidence behind them.
CREATE TABLE IF NOT EXISTS reference_responses_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant',
  event_id UUID COMMENT 'The compared exchange (raw_responses_v1.event_id)',
  time DateTime64(3, 'UTC') COMMENT 'Time of the exchange',
  model LowCardinality(String) COMMENT 'Model of the exchange (the policy)',
  route LowCardinality(String) COMMENT 'Route of the exchange',
  reference_model LowCardinality(String) COMMENT 'The reference model',
  mode LowCardinality(String) COMMENT 'logprobs | paired',
  prompt String COMMENT 'The prompt as compared (last user turn, or the scored text''s prompt part)' CODEC(ZSTD(3)),
  policy_text String COMMENT 'The policy''s response' CODEC(ZSTD(3)),
  reference_text String COMMENT 'The reference''s own response (paired mode)' CODEC(ZSTD(3)),
  tokens UInt32 COMMENT 'Completion tokens scored (logprobs mode)',
  k1 Float64 COMMENT 'k1 estimate of KL(policy||reference) for the response, nats',
  k3 Float64 COMMENT 'k3 estimate of KL(policy||reference) for the response, nats',
  max_token String COMMENT 'The token whose k3 term was largest (the token that moved most)',
  max_term Float64 COMMENT 'That token''s k3 term',
  reward_delta Float64 COMMENT 'Policy reward minus reference reward (paired mode; 0 otherwise)',
  refusal_delta Float64 COMMENT 'Policy P(refusal) minus reference P(refusal) (paired mode)',
  length_ratio Float64 COMMENT 'Policy length / reference length, in tokens (paired mode)',
  created_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'When the comparison was made',
  retention_days UInt16 DEFAULT 90 COMMENT 'Days kept after `time` (the project''s retention); drives the TTL'
)
ENGINE = ReplacingMergeTree(created_at)
PARTITION BY toYYYYMM(time)
ORDER BY (project_id, model, time, event_id)
TTL toDateTime(time) + toIntervalDay(retention_days)
COMMENT 'Reference comparisons of sampled exchanges (issue 19)';
