-- Declared tools and where the token counts came from (both were in ExchangeRecord but not stored).
-- Added with defaults, so rows written before this migration read as "no tools" / "unknown".
ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS tools String DEFAULT ''
    COMMENT 'The request''s declared tools array as JSON text; empty when none (tool-call verification)'
    CODEC(ZSTD(3)) AFTER tool_calls;

ALTER TABLE raw_responses_v1
  ADD COLUMN IF NOT EXISTS usage_source LowCardinality(String) DEFAULT ''
    COMMENT 'Origin of the token columns: upstream (reported by the provider), local (counted by Leash) or none; empty before migration 003'
    AFTER has_usage;
