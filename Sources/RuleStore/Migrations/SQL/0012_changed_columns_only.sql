-- credrules schema 0012: an update's change event holds what changed (SCHEMA.md, "Change events").
-- Until now previous_value and new_value of an UPDATE were the whole row, before and after. The nightly
-- run now brings a provider's windows and gaps up to date in place instead of deleting and inserting
-- them (a row that did not change is not written; one that did is updated), and every night changes
-- a window's as-of date, day count and run: with whole rows that was still about 1.6 kB of change
-- events per window a night, with the changed columns about a fifth of it. For every mutable table,
-- an UPDATE's change event now holds the columns whose values changed, each with its value before
-- (previous_value) and after (new_value), the same keys in both; the row stays named by row_id.
-- INSERT and DELETE keep the whole row, and credential versions keep their diff_json. Functions
-- restated from 0011 with only the UPDATE branches changed (an applied migration is never edited).

-- ---------------------------------------------------------------- change events (every mutable table)
CREATE OR REPLACE FUNCTION credrules_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    new_key text;
    old_key text;
    key_join text;
    cutoff timestamptz;
    all_expired boolean := false;
    before_value text;
    after_value text;
    -- The statement's ids: prefix || row counter.
    ordered_id constant text := '($2 || lpad(to_hex(row_number() OVER ()), 8, ''0''))::uuid';
BEGIN
    IF TG_NARGS = 1 THEN
        new_key := format('n.%I::text', TG_ARGV[0]);
        old_key := format('o.%I::text', TG_ARGV[0]);
        key_join := format('o.%I = n.%I', TG_ARGV[0], TG_ARGV[0]);
    ELSE
        new_key := format('n.%I::text || ''/'' || n.%I::text', TG_ARGV[0], TG_ARGV[1]);
        old_key := format('o.%I::text || ''/'' || o.%I::text', TG_ARGV[0], TG_ARGV[1]);
        key_join := format('o.%I = n.%I AND o.%I = n.%I', TG_ARGV[0], TG_ARGV[0], TG_ARGV[1], TG_ARGV[1]);
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO public.change_events (id, table_name, row_id, change_type, new_value, actor_id)
                        SELECT %s, %L, %s, ''insert'', to_jsonb(n), $1 FROM new_rows n', ordered_id, TG_TABLE_NAME, new_key)
            USING credrules_actor(), credrules_ordered_id_prefix();
    ELSIF TG_OP = 'UPDATE' THEN
        -- The columns that changed, before and after (the same keys in both); a row that did not change,
        -- nothing. One CASE per column, written from the table's columns once per statement: decomposing
        -- each row's jsonb (jsonb_each) cost several times the update itself.
        SELECT string_agg(format('CASE WHEN o.%1$I IS DISTINCT FROM n.%1$I THEN jsonb_build_object(%1$L, o.%1$I) ELSE ''{}''::jsonb END',
                                 a.attname), ' || ' ORDER BY a.attnum),
               string_agg(format('CASE WHEN o.%1$I IS DISTINCT FROM n.%1$I THEN jsonb_build_object(%1$L, n.%1$I) ELSE ''{}''::jsonb END',
                                 a.attname), ' || ' ORDER BY a.attnum)
        INTO before_value, after_value
        FROM pg_catalog.pg_attribute a WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
        EXECUTE format('INSERT INTO public.change_events (id, table_name, row_id, change_type, previous_value, new_value, actor_id)
                        SELECT %s, %L, p.row_key, ''update'', p.before, p.after, $1
                        FROM (SELECT %s AS row_key, %s AS before, %s AS after FROM old_rows o JOIN new_rows n ON %s OFFSET 0) p
                        WHERE p.after <> ''{}''::jsonb',
                       ordered_id, TG_TABLE_NAME, new_key, before_value, after_value, key_join)
            USING credrules_actor(), credrules_ordered_id_prefix();
    ELSE
        -- Retention's purge of expired notifications is recorded in retention_runs, not here
        -- (a change event would keep the purged row for seven more years).
        IF TG_TABLE_NAME IN ('notifications_sent', 'email_events') THEN
            cutoff := nullif(current_setting('credrules.retention_cutoff', true), '')::timestamptz;
            IF cutoff IS NOT NULL AND cutoff <= now() - interval '7 years' THEN
                EXECUTE format('SELECT $1 > ALL (SELECT o.%I FROM old_rows o)',
                               CASE TG_TABLE_NAME WHEN 'email_events' THEN 'timestamp' ELSE 'sent_at' END)
                    INTO STRICT all_expired USING cutoff;
            END IF;
            IF all_expired THEN
                RETURN NULL;
            END IF;
        END IF;
        EXECUTE format('INSERT INTO public.change_events (id, table_name, row_id, change_type, previous_value, actor_id)
                        SELECT %s, %L, %s, ''delete'', to_jsonb(o), $1 FROM old_rows o', ordered_id, TG_TABLE_NAME, old_key)
            USING credrules_actor(), credrules_ordered_id_prefix();
    END IF;
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------- credential statements
CREATE OR REPLACE FUNCTION credrules_record_credential_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
SET enable_seqscan = off
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format($sql$
            WITH n AS MATERIALIZED (
                SELECT r.id, r.provider_id, r.extracted_from_doc_id, to_jsonb(r) AS row_json,
                       lpad(to_hex(row_number() OVER ()), 8, '0') AS ordinal
                FROM new_rows r),
            latest AS MATERIALIZED (
                SELECT v.entity_id, max(v.version_number) AS version_number FROM public.credential_versions v
                WHERE v.entity_type = $1 AND v.entity_id IN (SELECT n.id FROM n) GROUP BY v.entity_id),
            events AS (
                INSERT INTO public.change_events (id, table_name, row_id, change_type, new_value, actor_id)
                SELECT ($3 || n.ordinal)::uuid, %1$L, n.id::text, 'insert', n.row_json, $2 FROM n),
            lineage AS (
                INSERT INTO public.document_lineage (id, document_id, table_name, column_name, row_id, provider_id)
                SELECT ($4 || n.ordinal)::uuid, n.extracted_from_doc_id, %1$L, '*', n.id, n.provider_id FROM n
                WHERE n.extracted_from_doc_id IS NOT NULL)
            INSERT INTO public.credential_versions (id, provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
            SELECT ($5 || n.ordinal)::uuid, n.provider_id, $1, n.id, coalesce(l.version_number, 0) + 1,
                   jsonb_build_object('op', 'insert', 'new', n.row_json - 'created_at' - 'updated_at'), $2
            FROM n LEFT JOIN latest l ON l.entity_id = n.id
            $sql$, TG_TABLE_NAME)
            USING TG_ARGV[0], credrules_actor(), credrules_ordered_id_prefix(), credrules_ordered_id_prefix(),
                  credrules_ordered_id_prefix();
    ELSE
        EXECUTE format($sql$
            WITH changed AS MATERIALIZED (
                SELECT p.*, lpad(to_hex(row_number() OVER ()), 8, '0') AS ordinal FROM (
                    SELECT n.id, n.provider_id, n.extracted_from_doc_id AS new_document, o.extracted_from_doc_id AS old_document,
                           to_jsonb(o) AS old_json, to_jsonb(n) AS new_json
                    FROM old_rows o JOIN new_rows n ON o.id = n.id) p
                WHERE p.old_json IS DISTINCT FROM p.new_json),
            latest AS MATERIALIZED (
                SELECT v.entity_id, max(v.version_number) AS version_number FROM public.credential_versions v
                WHERE v.entity_type = $1 AND v.entity_id IN (SELECT c.id FROM changed c) GROUP BY v.entity_id),
            events AS (
                INSERT INTO public.change_events (id, table_name, row_id, change_type, previous_value, new_value, actor_id)
                SELECT ($3 || c.ordinal)::uuid, %1$L, c.id::text, 'update', e.before, e.after, $2 FROM changed c
                CROSS JOIN LATERAL (
                    SELECT jsonb_object_agg(k.key, c.old_json -> k.key) AS before, jsonb_object_agg(k.key, k.value) AS after
                    FROM jsonb_each(c.new_json) k WHERE (c.old_json -> k.key) IS DISTINCT FROM k.value) e),
            lineage AS (
                INSERT INTO public.document_lineage (id, document_id, table_name, column_name, row_id, provider_id)
                SELECT ($4 || c.ordinal)::uuid, c.new_document, %1$L, '*', c.id, c.provider_id FROM changed c
                WHERE c.new_document IS NOT NULL AND c.new_document IS DISTINCT FROM c.old_document)
            INSERT INTO public.credential_versions (id, provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
            SELECT ($5 || c.ordinal)::uuid, c.provider_id, $1, c.id, coalesce(l.version_number, 0) + 1,
                   jsonb_build_object('op', 'update', 'changed', d.changed), $2
            FROM changed c LEFT JOIN latest l ON l.entity_id = c.id
            CROSS JOIN LATERAL (
                SELECT jsonb_object_agg(k.key, jsonb_build_object('from', c.old_json -> k.key, 'to', k.value)) AS changed
                FROM jsonb_each(c.new_json - 'created_at' - 'updated_at') k
                WHERE (c.old_json -> k.key) IS DISTINCT FROM k.value) d
            WHERE d.changed IS NOT NULL
            $sql$, TG_TABLE_NAME)
            USING TG_ARGV[0], credrules_actor(), credrules_ordered_id_prefix(), credrules_ordered_id_prefix(),
                  credrules_ordered_id_prefix();
    END IF;
    RETURN NULL;
END
$$;
