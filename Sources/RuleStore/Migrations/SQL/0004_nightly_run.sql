-- The nightly run (`credrules run`): what makes a run idempotent and resumable, and the execution
-- log's hash chain (Grammar/execution-log.md §4).

-- A run's identity: as-of date, shard and the rule versions used (sorted). A second run with the
-- same key does nothing unless forced; a running one with the same key is resumed.
ALTER TABLE evaluation_runs
    -- SHA-256 of `as_of|shard|sorted rule version ids`.
    ADD COLUMN run_key text CONSTRAINT evaluation_runs_run_key_check CHECK (run_key ~ '^[0-9a-f]{64}$'),
    ADD COLUMN forced boolean NOT NULL DEFAULT false,
    ADD COLUMN batches_done integer NOT NULL DEFAULT 0,
    ADD COLUMN windows_written integer NOT NULL DEFAULT 0,
    ADD COLUMN gaps_written integer NOT NULL DEFAULT 0,
    -- The execution log's chain: entries so far and the last entry's entry_sha256 (64 zeros before
    -- the first), so a resumed run continues the chain and the record pins the whole log.
    ADD COLUMN log_entries integer NOT NULL DEFAULT 0,
    ADD COLUMN last_entry_sha256 text NOT NULL DEFAULT repeat('0', 64)
        CONSTRAINT evaluation_runs_last_entry_sha256_check CHECK (last_entry_sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN error_message text;
-- Serves "is this run already done or under way" (the run key, newest first).
CREATE INDEX evaluation_runs_run_key_idx ON evaluation_runs (run_key, started_at);

-- The chain fields of each entry; the documents' exact canonical bytes beside the jsonb copies
-- (jsonb keeps neither key order nor number spelling), so replay is byte for byte.
ALTER TABLE rules_execution_log
    ADD COLUMN entry_sequence integer CONSTRAINT rules_execution_log_entry_sequence_check CHECK (entry_sequence > 0),
    ADD COLUMN entry_previous_sha256 text
        CONSTRAINT rules_execution_log_entry_previous_sha256_check CHECK (entry_previous_sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN entry_sha256 text CONSTRAINT rules_execution_log_entry_sha256_check CHECK (entry_sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN inputs_canonical text,
    ADD COLUMN outputs_canonical text,
    -- The run's order; unique, so a batch written twice fails instead of duplicating entries.
    ADD CONSTRAINT rules_execution_log_run_sequence_unique UNIQUE (evaluation_run_id, entry_sequence);

-- The engine's shard function: the first 32 bits of MD5 of the provider id's text, unsigned, mod n.
CREATE FUNCTION credrules_shard_of(provider uuid, shard_count integer) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT (('x' || substr(md5(provider::text), 1, 8))::bit(32)::bigint % shard_count)::integer $$;
REVOKE ALL ON FUNCTION credrules_shard_of(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION credrules_shard_of(uuid, integer) TO credrules_engine, credrules_app, credrules_loader;
