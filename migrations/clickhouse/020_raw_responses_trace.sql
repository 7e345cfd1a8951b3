-- Exchanges that arrive as OpenTelemetry spans (OTLP) or through the batch ingest API keep how they came
-- and their trace ids, so an agent's run can later be viewed as a trace. Added with defaults: rows written
-- before this migration read as gateway traffic without a trace.
ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS origin LowCardinality(String) DEFAULT 'gateway'
    COMMENT 'How the exchange reached Leash: gateway (proxied), otlp (an OpenTelemetry span) or batch (POST /api/ingest/exchanges)'
    AFTER endpoint;

ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS trace_id String DEFAULT ''
    COMMENT 'OpenTelemetry trace id (32 lowercase hex) of the span the exchange came from; empty when none'
    AFTER origin;

ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS span_id String DEFAULT ''
    COMMENT 'OpenTelemetry span id (16 lowercase hex); empty when none'
    AFTER trace_id;

ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS parent_span_id String DEFAULT ''
    COMMENT 'Parent span id (16 lowercase hex); empty for a root span or when none'
    AFTER span_id;
