-- credrules schema 0007: the same governance for less work per row (SCHEMA.md, "Bulk writes").
-- Profiling `credrules db import` showed three costs this migration removes, none of them a
-- guarantee: (1) each credential row's jsonb was built twice (change event, credential version)
-- and its transition tables scanned three times, by three trigger functions; (2) the next version
-- number was a correlated subquery that the planner may run as a sequential scan per row once
-- credential_versions has been analyzed while empty (quadratic: minutes for 100k rows); (3)
-- credrules_id, the CHECK on every row with a file id, was a SQL function with a FROM clause,
-- which PostgreSQL cannot inline, so each row paid a function-executor start.

-- ---------------------------------------------------------------- (3) credrules_id, inlinable
-- The same value (the first 16 bytes of SHA-256('credrules:' || id), stamped as an RFC 9562
-- version-8 uuid; Swift's RowID computes it too), as one immutable expression without FROM, so
-- the planner inlines it into the CHECK constraints and queries that use it. convert_to() (and
-- textsend()) are only STABLE, which forbids inlining an IMMUTABLE function; in a UTF-8 database
-- decode(…, 'escape') of the text with its backslashes doubled gives the same bytes and is
-- immutable. A database in another encoding keeps 0001's definition.
-- credrules_id: begin (Tools/bench/db-import.sh gives its plain baseline the same definition)
DO $credrules_id$
BEGIN
    IF (SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()) <> 'UTF8' THEN
        RAISE NOTICE 'database encoding is not UTF8: credrules_id keeps its convert_to definition (not inlined)';
        RETURN;
    END IF;
    CREATE OR REPLACE FUNCTION credrules_id(external_id text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $function$
      SELECT encode(set_byte(set_byte(substring(sha256(decode(replace('credrules:' || external_id, E'\\', E'\\\\'), 'escape')) FROM 1 FOR 16),
                    6, (get_byte(sha256(decode(replace('credrules:' || external_id, E'\\', E'\\\\'), 'escape')), 6) & 15) | 128),
                    8, (get_byte(sha256(decode(replace('credrules:' || external_id, E'\\', E'\\\\'), 'escape')), 8) & 63) | 128), 'hex')::uuid
    $function$;
END
$credrules_id$;
-- credrules_id: end

-- ---------------------------------------------------------------- (1) one pass per credential statement
-- For licenses, DEA registrations, CSR certificates, board certifications and CME events, one
-- statement trigger per INSERT and per UPDATE writes what 0002's three did, in one statement:
-- the change events (previous and new row, whole, as before), the credential versions (same
-- numbering and diff_json as before) and the lineage rows, from one scan of the transition
-- tables, each row's jsonb built once. Same transaction, same rows, same contents.
-- TG_ARGV[0]: the entity type.
CREATE FUNCTION credrules_record_credential_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
-- (2): the latest-version lookup must use credential_versions_entity_version_unique, whatever the
-- statistics say; this function scans nothing else but the transition tables.
SET enable_seqscan = off
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format($sql$
            WITH n AS MATERIALIZED (
                SELECT r.id, r.provider_id, r.extracted_from_doc_id, to_jsonb(r) AS row_json FROM new_rows r),
            latest AS MATERIALIZED (
                SELECT v.entity_id, max(v.version_number) AS version_number FROM public.credential_versions v
                WHERE v.entity_type = $1 AND v.entity_id IN (SELECT n.id FROM n) GROUP BY v.entity_id),
            events AS (
                INSERT INTO public.change_events (table_name, row_id, change_type, new_value, actor_id)
                SELECT %1$L, n.id::text, 'insert', n.row_json, $2 FROM n),
            lineage AS (
                INSERT INTO public.document_lineage (document_id, table_name, column_name, row_id, provider_id)
                SELECT n.extracted_from_doc_id, %1$L, '*', n.id, n.provider_id FROM n WHERE n.extracted_from_doc_id IS NOT NULL)
            INSERT INTO public.credential_versions (provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
            SELECT n.provider_id, $1, n.id, coalesce(l.version_number, 0) + 1,
                   jsonb_build_object('op', 'insert', 'new', n.row_json - 'created_at' - 'updated_at'), $2
            FROM n LEFT JOIN latest l ON l.entity_id = n.id
            $sql$, TG_TABLE_NAME)
            USING TG_ARGV[0], credrules_actor();
    ELSE
        EXECUTE format($sql$
            WITH changed AS MATERIALIZED (
                SELECT p.* FROM (
                    SELECT n.id, n.provider_id, n.extracted_from_doc_id AS new_document, o.extracted_from_doc_id AS old_document,
                           to_jsonb(o) AS old_json, to_jsonb(n) AS new_json
                    FROM old_rows o JOIN new_rows n ON o.id = n.id) p
                WHERE p.old_json IS DISTINCT FROM p.new_json),
            latest AS MATERIALIZED (
                SELECT v.entity_id, max(v.version_number) AS version_number FROM public.credential_versions v
                WHERE v.entity_type = $1 AND v.entity_id IN (SELECT c.id FROM changed c) GROUP BY v.entity_id),
            events AS (
                INSERT INTO public.change_events (table_name, row_id, change_type, previous_value, new_value, actor_id)
                SELECT %1$L, c.id::text, 'update', c.old_json, c.new_json, $2 FROM changed c),
            lineage AS (
                INSERT INTO public.document_lineage (document_id, table_name, column_name, row_id, provider_id)
                SELECT c.new_document, %1$L, '*', c.id, c.provider_id FROM changed c
                WHERE c.new_document IS NOT NULL AND c.new_document IS DISTINCT FROM c.old_document)
            INSERT INTO public.credential_versions (provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
            SELECT c.provider_id, $1, c.id, coalesce(l.version_number, 0) + 1,
                   jsonb_build_object('op', 'update', 'changed', d.changed), $2
            FROM changed c LEFT JOIN latest l ON l.entity_id = c.id
            CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(k.key, jsonb_build_object('from', c.old_json -> k.key, 'to', k.value)) AS changed
                FROM jsonb_each(c.new_json - 'created_at' - 'updated_at') k
                WHERE (c.old_json -> k.key) IS DISTINCT FROM k.value) d
            WHERE d.changed IS NOT NULL
            $sql$, TG_TABLE_NAME)
            USING TG_ARGV[0], credrules_actor();
    END IF;
    RETURN NULL;
END
$$;
ALTER FUNCTION credrules_record_credential_changes() OWNER TO credrules_definer;
REVOKE ALL ON FUNCTION credrules_record_credential_changes() FROM PUBLIC;

-- (2) for the DELETE path, which keeps 0002's function.
ALTER FUNCTION credrules_record_credential_versions() SET enable_seqscan = off;

DO $triggers$
DECLARE
    t text;
    entity text;
BEGIN
    FOR t, entity IN VALUES ('licenses', 'license'), ('dea_registrations', 'dea_registration'),
            ('csr_certificates', 'csr_certificate'), ('board_certifications', 'board_certification'),
            ('cme_events', 'cme_event') LOOP
        -- Replaced by the two below; DELETE keeps change_events_delete and credential_versions_delete.
        EXECUTE format('DROP TRIGGER change_events_insert ON %I', t);
        EXECUTE format('DROP TRIGGER change_events_update ON %I', t);
        EXECUTE format('DROP TRIGGER credential_versions_insert ON %I', t);
        EXECUTE format('DROP TRIGGER credential_versions_update ON %I', t);
        EXECUTE format('DROP TRIGGER lineage_insert ON %I', t);
        EXECUTE format('DROP TRIGGER lineage_update ON %I', t);
        EXECUTE format('CREATE TRIGGER governance_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_credential_changes(%L)', t, entity);
        EXECUTE format('CREATE TRIGGER governance_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_credential_changes(%L)', t, entity);
        -- ALWAYS: still fires under session_replication_role = replica, as 0002's did.
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER governance_insert', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER governance_update', t);
    END LOOP;
END
$triggers$;
