-- The execution log, kept for years (SCHEMA.md "The execution log"). Until 0005 every entry
-- stored its two documents twice (jsonb and canonical text), in full, every night. Now:
--   rules_execution_documents: a provider's canonical documents, each stored once under its
--     SHA-256, with what follows the calendar cut out (so an unchanged night stores nothing new);
--   rules_execution_entries: one small row per evaluation: the sealed header, days_until_due
--     and the two documents' keys;
--   rules_execution_log: the Data Bible's table, now a view that splices each entry's documents
--     back together, byte for byte (inputs_canonical, outputs_canonical) and as jsonb.
-- Existing rows move over with their ids; the migration checks every one reads back identical.

-- ---------------------------------------------------------------- documents
CREATE TABLE rules_execution_documents (
    -- The documents of one provider's evaluations (they name the provider and its credentials);
    -- per provider so row-level security treats them as every provider-bound row.
    provider_id uuid NOT NULL REFERENCES providers (id),
    -- SHA-256 of `body`'s UTF-8 bytes: the document's address.
    sha256 bytea NOT NULL,
    -- The canonical bytes with what follows the calendar cut out (text keeps the bytes; jsonb
    -- would not): `m`, the member `"as_of":"<date>",` of inputs (the entry's executed_at) or
    -- `"days_until_due":<n>,` of outputs (the entry's days_until_due); `d`, in outputs, a day
    -- count `<|n|>` written in a text (" in 48 days", " 354 days ago").
    body text NOT NULL,
    -- Where each cut was, in characters of `body` before it, ascending; and what it was, a
    -- letter each (`m` or `d`). NULL: the document is whole.
    splice_at integer[],
    splice_what text,
    CONSTRAINT rules_execution_documents_splice_check CHECK ((splice_at IS NULL) = (splice_what IS NULL)
        AND cardinality(splice_at) = length(splice_what) AND splice_what ~ '^[md]+$' AND 0 < ALL (splice_at)),
    -- false only for rows written before canonical bytes were kept: `body` is then the text of
    -- their jsonb, and the view shows no canonical bytes for them.
    canonical boolean NOT NULL DEFAULT true,
    CONSTRAINT rules_execution_documents_pkey PRIMARY KEY (provider_id, sha256),
    CONSTRAINT rules_execution_documents_sha256_check CHECK (sha256 = sha256(convert_to(body, 'UTF8')))
);
-- Documents of a few kilobytes stay in the main table (under the 2 kB TOAST threshold) and
-- would not be compressed; compressing from 128 bytes keeps seven years of them small.
ALTER TABLE rules_execution_documents SET (toast_tuple_target = 128);

-- ---------------------------------------------------------------- entries
CREATE TABLE rules_execution_entries (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    rule_version_id uuid NOT NULL REFERENCES rule_versions (id),
    evaluation_run_id uuid REFERENCES evaluation_runs (id),
    executed_at timestamptz NOT NULL DEFAULT now(),
    entry_sequence integer CONSTRAINT rules_execution_entries_entry_sequence_check CHECK (entry_sequence > 0),
    -- The outputs' days_until_due, cut out of the outputs document (NULL when nothing was cut).
    days_until_due integer,
    rule_type text NOT NULL,
    -- The documents' keys (rules_execution_documents.sha256, with provider_id).
    inputs_document bytea NOT NULL,
    outputs_document bytea NOT NULL,
    -- SHA-256 of the whole canonical documents, as sealed in the entry's header; the chain fields.
    inputs_sha256 bytea CONSTRAINT rules_execution_entries_inputs_sha256_check CHECK (octet_length(inputs_sha256) = 32),
    outputs_sha256 bytea CONSTRAINT rules_execution_entries_outputs_sha256_check CHECK (octet_length(outputs_sha256) = 32),
    entry_previous_sha256 bytea
        CONSTRAINT rules_execution_entries_entry_previous_sha256_check CHECK (octet_length(entry_previous_sha256) = 32),
    entry_sha256 bytea CONSTRAINT rules_execution_entries_entry_sha256_check CHECK (octet_length(entry_sha256) = 32),
    -- The run's order; unique, so a batch written twice fails instead of duplicating entries.
    CONSTRAINT rules_execution_entries_run_sequence_unique UNIQUE (evaluation_run_id, entry_sequence),
    -- An entry refers to documents of its own provider; a referenced document cannot be deleted.
    CONSTRAINT rules_execution_entries_inputs_document_fkey FOREIGN KEY (provider_id, inputs_document)
        REFERENCES rules_execution_documents (provider_id, sha256),
    CONSTRAINT rules_execution_entries_outputs_document_fkey FOREIGN KEY (provider_id, outputs_document)
        REFERENCES rules_execution_documents (provider_id, sha256)
);
-- Serves replay and audit ("this provider's evaluations, newest first").
CREATE INDEX rules_execution_entries_provider_executed_idx ON rules_execution_entries (provider_id, executed_at);

-- ---------------------------------------------------------------- splicing
-- A document's canonical bytes: `body` with `member` (`m`) and `day_count` (`d`) put back where
-- they were cut, the last first so that earlier positions stay put. NULL when a piece is missing.
CREATE FUNCTION credrules_log_document(body text, splice_at integer[], splice_what text, member text, day_count text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    result text := body;
    piece text;
BEGIN
    FOR i IN REVERSE coalesce(cardinality(splice_at), 0)..1 LOOP
        piece := CASE substr(splice_what, i, 1) WHEN 'm' THEN member WHEN 'd' THEN day_count END;
        IF piece IS NULL THEN
            RETURN NULL;
        END IF;
        result := left(result, splice_at[i]) || piece || substr(result, splice_at[i] + 1);
    END LOOP;
    RETURN result;
END
$$;

-- The members cut out of inputs and outputs. to_char, not ::text: the date's text must not
-- depend on the session's DateStyle.
CREATE FUNCTION credrules_log_as_of_member(executed_at timestamptz) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT '"as_of":"' || to_char((executed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') || '",' $$;
CREATE FUNCTION credrules_log_days_member(days_until_due integer) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT '"days_until_due":' || days_until_due::text || ',' $$;

-- ---------------------------------------------------------------- rows written before 0006
-- Cut as the engine's writer does (ExecutionLogStore.swift); a cut is undone exactly by the
-- splice whatever it matched, and the check below proves it for every row.
CREATE TEMPORARY TABLE log_0006 ON COMMIT DROP AS
SELECT l.*, i.body AS inputs_body, i.splice_at AS inputs_splice, o.body AS outputs_body, o.splice_at AS outputs_splice,
       o.days AS days_until_due
FROM rules_execution_log l
CROSS JOIN LATERAL (
    SELECT CASE WHEN l.inputs_canonical IS NULL THEN l.inputs_json::text
                WHEN starts_with(l.inputs_canonical, '{' || credrules_log_as_of_member(l.executed_at))
                    THEN '{' || substr(l.inputs_canonical, length(credrules_log_as_of_member(l.executed_at)) + 2)
                ELSE l.inputs_canonical END AS body,
           CASE WHEN l.inputs_canonical IS NOT NULL AND starts_with(l.inputs_canonical, '{' || credrules_log_as_of_member(l.executed_at))
                THEN ARRAY[1] END AS splice_at) i
CROSS JOIN LATERAL (
    SELECT CASE WHEN d.days IS NULL THEN 0 ELSE strpos(l.outputs_canonical, credrules_log_days_member(d.days)) END AS at, d.days
    FROM (SELECT CASE WHEN jsonb_typeof(l.outputs_json -> 'days_until_due') = 'number' AND l.outputs_canonical IS NOT NULL
                           AND (l.outputs_json ->> 'days_until_due') ~ '^-?[0-9]{1,9}$'
                      THEN (l.outputs_json ->> 'days_until_due')::integer END AS days) d) p
CROSS JOIN LATERAL (
    SELECT CASE WHEN p.at > 1 THEN left(l.outputs_canonical, p.at - 1) || substr(l.outputs_canonical, p.at + length(credrules_log_days_member(p.days)))
                ELSE coalesce(l.outputs_canonical, l.outputs_json::text) END AS body,
           CASE WHEN p.at > 1 THEN ARRAY[p.at - 1] END AS splice_at,
           CASE WHEN p.at > 1 THEN p.days END AS days) o;

INSERT INTO rules_execution_documents (provider_id, sha256, body, splice_at, splice_what, canonical)
SELECT DISTINCT ON (provider_id, sha256) provider_id, sha256, body, splice_at, CASE WHEN splice_at IS NOT NULL THEN 'm' END, canonical
FROM (SELECT provider_id, sha256(convert_to(inputs_body, 'UTF8')) AS sha256, inputs_body AS body, inputs_splice AS splice_at,
             inputs_canonical IS NOT NULL AS canonical FROM log_0006
      UNION ALL
      SELECT provider_id, sha256(convert_to(outputs_body, 'UTF8')), outputs_body, outputs_splice, outputs_canonical IS NOT NULL
      FROM log_0006) d
ORDER BY provider_id, sha256, canonical DESC;

INSERT INTO rules_execution_entries (id, provider_id, rule_version_id, evaluation_run_id, executed_at, entry_sequence, days_until_due,
    rule_type, inputs_document, outputs_document, inputs_sha256, outputs_sha256, entry_previous_sha256, entry_sha256)
SELECT id, provider_id, rule_version_id, evaluation_run_id, executed_at, entry_sequence, days_until_due, rule_type,
       sha256(convert_to(inputs_body, 'UTF8')), sha256(convert_to(outputs_body, 'UTF8')), decode(inputs_sha256, 'hex'),
       decode(outputs_sha256, 'hex'), decode(entry_previous_sha256, 'hex'), decode(entry_sha256, 'hex')
FROM log_0006
ORDER BY evaluation_run_id, entry_sequence, executed_at, id;

DROP TABLE rules_execution_log;

-- ---------------------------------------------------------------- the Data Bible's name
-- The columns of the table it replaces, in its order and with its types. security_invoker: the
-- caller's grants and row-level security apply to the two tables beneath.
CREATE VIEW rules_execution_log WITH (security_invoker = true) AS
SELECT e.id, e.provider_id, e.rule_version_id, e.rule_type,
       credrules_log_document(i.body, i.splice_at, i.splice_what, credrules_log_as_of_member(e.executed_at), NULL)::jsonb AS inputs_json,
       credrules_log_document(o.body, o.splice_at, o.splice_what, credrules_log_days_member(e.days_until_due), abs(e.days_until_due)::text)::jsonb AS outputs_json,
       encode(e.inputs_sha256, 'hex') AS inputs_sha256, encode(e.outputs_sha256, 'hex') AS outputs_sha256,
       e.evaluation_run_id, e.executed_at, e.entry_sequence,
       encode(e.entry_previous_sha256, 'hex') AS entry_previous_sha256, encode(e.entry_sha256, 'hex') AS entry_sha256,
       CASE WHEN i.canonical THEN credrules_log_document(i.body, i.splice_at, i.splice_what, credrules_log_as_of_member(e.executed_at), NULL) END
           AS inputs_canonical,
       CASE WHEN o.canonical THEN credrules_log_document(o.body, o.splice_at, o.splice_what, credrules_log_days_member(e.days_until_due), abs(e.days_until_due)::text) END
           AS outputs_canonical
FROM rules_execution_entries e
-- LEFT: an entry whose document is gone (only by tampering) still shows, with no documents.
LEFT JOIN rules_execution_documents i ON i.provider_id = e.provider_id AND i.sha256 = e.inputs_document
LEFT JOIN rules_execution_documents o ON o.provider_id = e.provider_id AND o.sha256 = e.outputs_document;
ALTER VIEW rules_execution_log ALTER COLUMN id SET DEFAULT gen_random_uuid();
ALTER VIEW rules_execution_log ALTER COLUMN executed_at SET DEFAULT now();

-- Every moved row reads back as it was stored.
DO $check$
DECLARE
    differing bigint;
BEGIN
    SELECT count(*) INTO differing FROM log_0006 m LEFT JOIN rules_execution_log l ON l.id = m.id
    WHERE l.id IS NULL OR l.inputs_canonical IS DISTINCT FROM m.inputs_canonical OR l.outputs_canonical IS DISTINCT FROM m.outputs_canonical
       OR l.inputs_json IS DISTINCT FROM m.inputs_json OR l.outputs_json IS DISTINCT FROM m.outputs_json
       OR l.inputs_sha256 IS DISTINCT FROM m.inputs_sha256 OR l.outputs_sha256 IS DISTINCT FROM m.outputs_sha256
       OR l.entry_sha256 IS DISTINCT FROM m.entry_sha256 OR l.entry_previous_sha256 IS DISTINCT FROM m.entry_previous_sha256
       OR l.entry_sequence IS DISTINCT FROM m.entry_sequence OR l.executed_at IS DISTINCT FROM m.executed_at
       OR l.rule_type IS DISTINCT FROM m.rule_type OR l.provider_id IS DISTINCT FROM m.provider_id
       OR l.rule_version_id IS DISTINCT FROM m.rule_version_id OR l.evaluation_run_id IS DISTINCT FROM m.evaluation_run_id;
    IF differing > 0 THEN
        RAISE EXCEPTION '0006: % execution log rows would not read back identical', differing;
    END IF;
END
$check$;

-- A row inserted under the Data Bible's name (by hand, or a client of the old table) is stored
-- whole: its canonical text when given, else the text of its jsonb. The caller's grants apply.
CREATE FUNCTION credrules_log_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    inputs_body text := coalesce(NEW.inputs_canonical, NEW.inputs_json::text);
    outputs_body text := coalesce(NEW.outputs_canonical, NEW.outputs_json::text);
BEGIN
    IF inputs_body IS NULL OR outputs_body IS NULL THEN
        RAISE EXCEPTION 'an execution log entry needs inputs_json and outputs_json (or their canonical text)'
            USING ERRCODE = 'not_null_violation';
    END IF;
    INSERT INTO public.rules_execution_documents (provider_id, sha256, body, canonical)
    VALUES (NEW.provider_id, sha256(convert_to(inputs_body, 'UTF8')), inputs_body, NEW.inputs_canonical IS NOT NULL),
           (NEW.provider_id, sha256(convert_to(outputs_body, 'UTF8')), outputs_body, NEW.outputs_canonical IS NOT NULL)
    ON CONFLICT DO NOTHING;
    INSERT INTO public.rules_execution_entries (id, provider_id, rule_version_id, evaluation_run_id, executed_at, entry_sequence,
        rule_type, inputs_document, outputs_document, inputs_sha256, outputs_sha256, entry_previous_sha256, entry_sha256)
    VALUES (NEW.id, NEW.provider_id, NEW.rule_version_id, NEW.evaluation_run_id, NEW.executed_at, NEW.entry_sequence,
        NEW.rule_type, sha256(convert_to(inputs_body, 'UTF8')), sha256(convert_to(outputs_body, 'UTF8')),
        decode(NEW.inputs_sha256, 'hex'), decode(NEW.outputs_sha256, 'hex'), decode(NEW.entry_previous_sha256, 'hex'),
        decode(NEW.entry_sha256, 'hex'));
    RETURN NEW;
END
$$;
CREATE TRIGGER insert_entry INSTEAD OF INSERT ON rules_execution_log FOR EACH ROW EXECUTE FUNCTION credrules_log_insert();
-- Through the view as beneath it: appended, never changed.
CREATE TRIGGER immutable_rows INSTEAD OF UPDATE OR DELETE ON rules_execution_log
    FOR EACH ROW EXECUTE FUNCTION credrules_reject_mutation();

-- ---------------------------------------------------------------- governance, as for every log table
DO $governance$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['rules_execution_documents', 'rules_execution_entries'] LOOP
        EXECUTE format('CREATE TRIGGER immutable_rows BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION credrules_reject_mutation()', t);
        EXECUTE format('CREATE TRIGGER immutable_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION credrules_reject_mutation()', t);
        -- ALWAYS: still fires under session_replication_role = replica.
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER immutable_rows', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER immutable_truncate', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY engine_read ON %I FOR SELECT TO credrules_engine USING (true)', t);
        EXECUTE format('CREATE POLICY engine_write ON %I FOR INSERT TO credrules_engine WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY app_read ON %I FOR SELECT TO credrules_app USING (provider_id IN (SELECT id FROM providers))', t);
    END LOOP;
END
$governance$;
REVOKE ALL ON rules_execution_documents, rules_execution_entries, rules_execution_log FROM PUBLIC;
GRANT SELECT ON rules_execution_documents, rules_execution_entries, rules_execution_log TO credrules_app, credrules_engine;
GRANT INSERT ON rules_execution_documents, rules_execution_entries, rules_execution_log TO credrules_engine;
REVOKE ALL ON FUNCTION credrules_log_document(text, integer[], text, text, text), credrules_log_as_of_member(timestamptz),
    credrules_log_days_member(integer), credrules_log_insert() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION credrules_log_document(text, integer[], text, text, text), credrules_log_as_of_member(timestamptz),
    credrules_log_days_member(integer) TO credrules_app, credrules_engine;
GRANT EXECUTE ON FUNCTION credrules_log_insert() TO credrules_engine;
