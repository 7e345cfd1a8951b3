-- Slicing dimensions of the scored exchange, copied into each score row at insert (insertScores fills them
-- from the ExchangeRecord it scored). Scores arrive after their response and are rolled up on their own, so
-- the hourly score rollup can be sliced by model/route/... without joining raw_responses_v1 at insert time.
-- Rows written before this migration (or by a writer that omits them) read as '' and only affect rollups;
-- raw reads always take the dimensions from raw_responses_v1 by event id.
ALTER TABLE scores_v1 ADD COLUMN IF NOT EXISTS model LowCardinality(String) DEFAULT '' COMMENT 'Model of the scored exchange (denormalized for rollups)';
ALTER TABLE scores_v1 ADD COLUMN IF NOT EXISTS route LowCardinality(String) DEFAULT '' COMMENT 'Route of the scored exchange (denormalized for rollups)';
ALTER TABLE scores_v1 ADD COLUMN IF NOT EXISTS feature LowCardinality(String) DEFAULT '' COMMENT 'Feature tag of the scored exchange (denormalized for rollups)';
ALTER TABLE scores_v1 ADD COLUMN IF NOT EXISTS policy_version LowCardinality(String) DEFAULT '' COMMENT 'Policy version of the scored exchange (denormalized for rollups)';
ALTER TABLE scores_v1 ADD COLUMN IF NOT EXISTS upstream LowCardinality(String) DEFAULT '' COMMENT 'Upstream of the scored exchange (denormalized for rollups)';
