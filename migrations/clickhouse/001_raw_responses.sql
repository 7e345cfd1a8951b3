-- One row per exchange through the gateway (request, response, usage, tags).
-- Sort key (project_id, time, event_id): tenant first, then time so "newest first per project" reads in
-- order and time ranges prune; event_id last makes the key unique per event. An event's time is fixed at
-- request start, so a re-delivered event has the identical key (and partition) and ReplacingMergeTree
-- keeps only the latest insert. Readers still use FINAL (or argMax) because merges are eventual.
-- No TTL yet: retention will be per project and comes in a later migration.
CREATE TABLE IF NOT EXISTS raw_responses_v1
(
  project_id LowCardinality(String) COMMENT 'Tenant: the project the gateway key belongs to',
  event_id UUID COMMENT 'Gateway-assigned id of the exchange; the dedup key',
  time DateTime64(3, 'UTC') COMMENT 'Request start (UTC, ms)',
  endpoint LowCardinality(String) COMMENT 'OpenAI endpoint: chat.completions, completions or embeddings',
  route LowCardinality(String) COMMENT 'Gateway route that handled the call',
  upstream LowCardinality(String) COMMENT 'Upstream provider or base URL name the call was sent to',
  model LowCardinality(String) COMMENT 'Model name as requested',
  stream Bool COMMENT 'Whether the response was streamed (SSE)',
  status UInt16 COMMENT 'HTTP status the caller received',
  outcome LowCardinality(String) COMMENT 'ok, upstream_error, stream_error, client_aborted or gateway_error',
  latency_ms Float64 COMMENT 'Request start to last byte sent, ms',
  ttft_ms Nullable(Float64) COMMENT 'Time to first response byte, ms; NULL when nothing was received',
  prompt_tokens UInt32 COMMENT 'Prompt tokens reported by the upstream (0 without usage)',
  completion_tokens UInt32 COMMENT 'Completion tokens reported by the upstream (0 without usage)',
  cached_tokens UInt32 COMMENT 'Cached prompt tokens reported by the upstream (0 without usage)',
  has_usage Bool COMMENT 'Whether the upstream reported usage; false means the token columns are unknown',
  cost_usd Float64 COMMENT 'Estimated cost in USD; 0 until pricing exists',
  user_id String COMMENT 'End user from the x-leash-user header',
  session_id String COMMENT 'Conversation/session from the x-leash-session header',
  feature LowCardinality(String) COMMENT 'Product feature from the x-leash-feature header',
  policy_version LowCardinality(String) COMMENT 'Prompt/policy version (x-leash-policy-version)',
  tags Map(LowCardinality(String), String) COMMENT 'Free-form k=v tags from x-leash-tags',
  request_json String COMMENT 'Request messages (chat) or prompt (completions) as JSON text' CODEC(ZSTD(3)),
  prompt String COMMENT 'Last user turn, kept apart for scorers and search',
  response_text String COMMENT 'Assistant text of the response (streams reassembled)' CODEC(ZSTD(3)),
  tool_calls String COMMENT 'Tool calls as a JSON array of {id, name, arguments}',
  finish_reason LowCardinality(String) COMMENT 'Upstream finish_reason; empty when none',
  sources String COMMENT 'Retrieved sources sent with the request, JSON array of {id, text, url?}',
  error_message String COMMENT 'Error text for a failed exchange; empty on success',
  inserted_at DateTime64(3, 'UTC') DEFAULT now64(3) COMMENT 'Insert time; ReplacingMergeTree keeps the latest'
)
ENGINE = ReplacingMergeTree(inserted_at)
PARTITION BY toYYYYMM(time)
ORDER BY (project_id, time, event_id)
COMMENT 'Every LLM exchange logged by the gateway, one row per event';
