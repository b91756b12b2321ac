-- credrules schema 0002: governance enforced by PostgreSQL itself (Data Bible §6, §7, §9).
-- Roles and grants, row-level security, immutable tables, change events, credential versions,
-- lineage and retention. SCHEMA.md beside this file documents the model and its limits.

-- ---------------------------------------------------------------- roles (cluster-wide, so created once)
DO $roles$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['credrules_app', 'credrules_engine', 'credrules_retention', 'credrules_loader',
                                     'credrules_definer', 'credrules_purger'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role_name) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', role_name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                -- Another database of the cluster is migrating at the same moment and made it.
                NULL;
            END;
        END IF;
    END LOOP;
    -- Function ownership below needs membership when the migrating role is not a superuser.
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT credrules_definer, credrules_purger TO %I', current_user);
    END IF;
END
$roles$;

-- ---------------------------------------------------------------- session variables
-- app.current_role: provider | admin | superadmin | agent; anything else (or unset) is no role.
CREATE FUNCTION credrules_app_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
    SELECT CASE WHEN value IN ('provider', 'admin', 'superadmin', 'agent') THEN value END
    FROM (SELECT current_setting('app.current_role', true) AS value) AS setting
$$;

-- A uuid session variable, or NULL when unset or malformed (never an error that echoes the value).
CREATE FUNCTION credrules_uuid_setting(name text) RETURNS uuid
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
DECLARE
    value text := current_setting(name, true);
BEGIN
    IF value IS NULL OR value !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN
        RETURN NULL;
    END IF;
    RETURN value::uuid;
END
$$;

CREATE FUNCTION credrules_app_provider_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $$ SELECT credrules_uuid_setting('app.current_provider_id') $$;

CREATE FUNCTION credrules_app_org_id() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, public AS $$ SELECT credrules_uuid_setting('app.current_org_id') $$;

-- The actor recorded in change events, credential versions and audit rows: app.current_actor_id
-- when set, else the database session user as `db:<name>`.
CREATE FUNCTION credrules_actor() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog AS $$
    SELECT coalesce(nullif(current_setting('app.current_actor_id', true), ''), 'db:' || session_user)
$$;

-- Providers the current app session may write: its own row (provider), its organization's
-- (admin), synthetic ones (agent); none for superadmin or no role. Runs as the caller, so the
-- providers read policy applies too.
CREATE FUNCTION credrules_writable_provider_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT p.id FROM public.providers p
    WHERE CASE credrules_app_role()
        WHEN 'provider' THEN p.id = credrules_app_provider_id()
        WHEN 'admin' THEN p.org_id = credrules_app_org_id()
        WHEN 'agent' THEN p.is_synthetic
        ELSE false END
$$;

-- ---------------------------------------------------------------- row-level security
DO $rls$
DECLARE
    -- Tables whose rows belong to a provider through provider_id.
    provider_tables text[] := ARRAY['provider_identifiers', 'provider_roles', 'provider_settings', 'provider_states',
        'provider_attributes', 'documents', 'licenses', 'dea_registrations', 'csr_certificates', 'board_certifications',
        'cme_events', 'compliance_windows', 'compliance_gap_analysis', 'rules_execution_log', 'parsing_jobs',
        'credential_confidence_audit', 'document_lineage', 'credential_versions', 'notification_preferences',
        'notifications_sent', 'email_events', 'integration_logs'];
    -- Of those, the ones the API writes (the rest are written by the engine or by triggers).
    app_written text[] := ARRAY['provider_identifiers', 'provider_settings', 'provider_states', 'provider_attributes',
        'documents', 'licenses', 'dea_registrations', 'csr_certificates', 'board_certifications', 'cme_events',
        'parsing_jobs', 'credential_confidence_audit', 'notification_preferences', 'notifications_sent', 'email_events',
        'integration_logs'];
    -- Facts a file import loads (credrules db import).
    loaded text[] := ARRAY['organizations', 'providers', 'provider_identifiers', 'provider_states', 'provider_attributes',
        'documents', 'licenses', 'dea_registrations', 'csr_certificates', 'board_certifications', 'cme_events'];
    t text;
BEGIN
    FOREACH t IN ARRAY provider_tables || ARRAY['providers', 'organizations', 'document_metadata', 'bulk_message_jobs'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- The nightly engine reads every fact.
        EXECUTE format('CREATE POLICY engine_read ON %I FOR SELECT TO credrules_engine USING (true)', t);
    END LOOP;

    FOREACH t IN ARRAY provider_tables LOOP
        -- Visible exactly when the provider is: the subquery is filtered by the providers policy.
        EXECUTE format('CREATE POLICY app_read ON %I FOR SELECT TO credrules_app USING (provider_id IN (SELECT id FROM providers))', t);
    END LOOP;
    FOREACH t IN ARRAY app_written LOOP
        EXECUTE format('CREATE POLICY app_insert ON %I FOR INSERT TO credrules_app WITH CHECK (provider_id IN (SELECT credrules_writable_provider_ids()))', t);
        EXECUTE format('CREATE POLICY app_update ON %I FOR UPDATE TO credrules_app USING (provider_id IN (SELECT credrules_writable_provider_ids())) WITH CHECK (provider_id IN (SELECT credrules_writable_provider_ids()))', t);
        EXECUTE format('CREATE POLICY app_delete ON %I FOR DELETE TO credrules_app USING (provider_id IN (SELECT credrules_writable_provider_ids()))', t);
    END LOOP;
    FOREACH t IN ARRAY loaded LOOP
        EXECUTE format('CREATE POLICY loader_all ON %I FOR ALL TO credrules_loader USING (true) WITH CHECK (true)', t);
    END LOOP;
    -- The engine writes its outputs.
    FOREACH t IN ARRAY ARRAY['compliance_windows', 'compliance_gap_analysis', 'rules_execution_log'] LOOP
        EXECUTE format('CREATE POLICY engine_write ON %I FOR ALL TO credrules_engine USING (true) WITH CHECK (true)', t);
    END LOOP;
    -- The trigger functions (owned by credrules_definer) append versions and lineage.
    FOREACH t IN ARRAY ARRAY['credential_versions', 'document_lineage'] LOOP
        EXECUTE format('CREATE POLICY definer_append ON %I FOR INSERT TO credrules_definer WITH CHECK (true)', t);
        EXECUTE format('CREATE POLICY definer_read ON %I FOR SELECT TO credrules_definer USING (true)', t);
    END LOOP;
    -- The retention function (owned by credrules_purger) reads and deletes notifications.
    FOREACH t IN ARRAY ARRAY['notifications_sent', 'email_events'] LOOP
        EXECUTE format('CREATE POLICY purger_read ON %I FOR SELECT TO credrules_purger USING (true)', t);
        EXECUTE format('CREATE POLICY purger_delete ON %I FOR DELETE TO credrules_purger USING (true)', t);
    END LOOP;
END
$rls$;

-- providers: the row itself decides. Writes: admin within their organization, agent synthetic
-- rows only; a provider edits their child rows, not their identity row; superadmin reads only.
CREATE POLICY app_read ON providers FOR SELECT TO credrules_app USING (
    CASE credrules_app_role()
        WHEN 'provider' THEN id = (SELECT credrules_app_provider_id())
        WHEN 'admin' THEN org_id = (SELECT credrules_app_org_id())
        WHEN 'superadmin' THEN true
        WHEN 'agent' THEN is_synthetic
        ELSE false END);
CREATE POLICY app_insert ON providers FOR INSERT TO credrules_app WITH CHECK (
    CASE credrules_app_role()
        WHEN 'admin' THEN org_id = (SELECT credrules_app_org_id())
        WHEN 'agent' THEN is_synthetic
        ELSE false END);
CREATE POLICY app_update ON providers FOR UPDATE TO credrules_app
    USING (CASE credrules_app_role()
        WHEN 'admin' THEN org_id = (SELECT credrules_app_org_id())
        WHEN 'agent' THEN is_synthetic
        ELSE false END)
    WITH CHECK (CASE credrules_app_role()
        WHEN 'admin' THEN org_id = (SELECT credrules_app_org_id())
        WHEN 'agent' THEN is_synthetic
        ELSE false END);
CREATE POLICY app_delete ON providers FOR DELETE TO credrules_app USING (
    CASE credrules_app_role()
        WHEN 'admin' THEN org_id = (SELECT credrules_app_org_id())
        WHEN 'agent' THEN is_synthetic
        ELSE false END);

-- organizations: a provider or admin sees their own; superadmin sees all and is the only writer.
CREATE POLICY app_read ON organizations FOR SELECT TO credrules_app USING (
    CASE credrules_app_role()
        WHEN 'provider' THEN id = (SELECT credrules_app_org_id())
        WHEN 'admin' THEN id = (SELECT credrules_app_org_id())
        WHEN 'superadmin' THEN true
        ELSE false END);
CREATE POLICY app_write ON organizations FOR ALL TO credrules_app
    USING (credrules_app_role() = 'superadmin') WITH CHECK (credrules_app_role() = 'superadmin');

-- provider_roles: read with the provider; only a superadmin assigns roles.
CREATE POLICY app_write ON provider_roles FOR ALL TO credrules_app
    USING (credrules_app_role() = 'superadmin') WITH CHECK (credrules_app_role() = 'superadmin');

-- document_metadata: visible and writable through its document.
CREATE POLICY app_read ON document_metadata FOR SELECT TO credrules_app USING (document_id IN (SELECT id FROM documents));
CREATE POLICY app_write ON document_metadata FOR ALL TO credrules_app
    USING (document_id IN (SELECT d.id FROM documents d WHERE d.provider_id IN (SELECT credrules_writable_provider_ids())))
    WITH CHECK (document_id IN (SELECT d.id FROM documents d WHERE d.provider_id IN (SELECT credrules_writable_provider_ids())));

-- bulk_message_jobs: an organization's admins run them; superadmin reads all.
CREATE POLICY app_read ON bulk_message_jobs FOR SELECT TO credrules_app USING (
    CASE credrules_app_role()
        WHEN 'admin' THEN org_id = (SELECT credrules_app_org_id())
        WHEN 'superadmin' THEN true
        ELSE false END);
CREATE POLICY app_write ON bulk_message_jobs FOR ALL TO credrules_app
    USING (credrules_app_role() = 'admin' AND org_id = (SELECT credrules_app_org_id()))
    WITH CHECK (credrules_app_role() = 'admin' AND org_id = (SELECT credrules_app_org_id()));

-- ---------------------------------------------------------------- grants (the matrix is in SCHEMA.md)
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO credrules_app, credrules_engine, credrules_retention, credrules_loader,
    credrules_definer, credrules_purger;
GRANT EXECUTE ON FUNCTION credrules_id(text), credrules_app_role(), credrules_uuid_setting(text),
    credrules_app_provider_id(), credrules_app_org_id(), credrules_actor(), credrules_writable_provider_ids()
    TO credrules_app, credrules_engine, credrules_loader, credrules_definer, credrules_purger, credrules_retention;

GRANT SELECT ON providers, organizations, provider_identifiers, provider_roles, provider_settings, provider_states,
    provider_attributes, documents, document_metadata, licenses, dea_registrations, csr_certificates,
    board_certifications, cme_events, compliance_windows, compliance_gap_analysis, rules_execution_log, parsing_jobs,
    credential_confidence_audit, document_lineage, credential_versions, notification_preferences, notifications_sent,
    email_events, bulk_message_jobs, integration_logs, rule_versions, cme_categories_required, system_settings
    TO credrules_app;
GRANT INSERT, UPDATE, DELETE ON providers, organizations, provider_identifiers, provider_roles, provider_settings,
    provider_states, provider_attributes, documents, document_metadata, licenses, dea_registrations, csr_certificates,
    board_certifications, cme_events, parsing_jobs, credential_confidence_audit, notification_preferences,
    bulk_message_jobs, integration_logs TO credrules_app;
-- Notifications are sent and updated (delivered, opened), never deleted but by retention.
GRANT INSERT, UPDATE ON notifications_sent, email_events TO credrules_app;
GRANT INSERT ON audit_logs TO credrules_app;

GRANT SELECT ON providers, organizations, provider_identifiers, provider_roles, provider_settings, provider_states,
    provider_attributes, documents, document_metadata, licenses, dea_registrations, csr_certificates,
    board_certifications, cme_events, compliance_windows, compliance_gap_analysis, rules_execution_log, parsing_jobs,
    credential_confidence_audit, document_lineage, credential_versions, notification_preferences, notifications_sent,
    email_events, bulk_message_jobs, integration_logs, rule_versions, cme_categories_required, system_settings,
    evaluation_runs TO credrules_engine;
GRANT INSERT, UPDATE, DELETE ON compliance_windows, compliance_gap_analysis TO credrules_engine;
GRANT INSERT, UPDATE ON evaluation_runs TO credrules_engine;
GRANT INSERT ON rules_execution_log, audit_logs TO credrules_engine;

GRANT SELECT, INSERT, UPDATE ON organizations, providers, provider_identifiers, provider_states, provider_attributes,
    documents, licenses, dea_registrations, csr_certificates, board_certifications, cme_events TO credrules_loader;
GRANT SELECT, INSERT ON rule_versions, cme_categories_required TO credrules_loader;
GRANT INSERT ON audit_logs TO credrules_loader;

GRANT INSERT ON change_events TO credrules_definer;
GRANT SELECT, INSERT ON credential_versions, document_lineage TO credrules_definer;

GRANT SELECT, DELETE ON notifications_sent, email_events, audit_logs, change_events TO credrules_purger;
GRANT INSERT ON retention_runs, audit_logs TO credrules_purger;

-- ---------------------------------------------------------------- immutability
-- Rejects UPDATE, DELETE and TRUNCATE for everyone, owner and superuser included. The one way
-- through: a DELETE run by credrules_retention_purge (current_user credrules_purger inside that
-- SECURITY DEFINER function) of a row older than the cutoff it set. TG_ARGV[0] names the
-- row's time column for tables retention may purge.
CREATE FUNCTION credrules_reject_mutation() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    cutoff timestamptz;
BEGIN
    IF TG_OP = 'DELETE' AND TG_NARGS > 0 AND current_user = 'credrules_purger' THEN
        cutoff := nullif(current_setting('credrules.retention_cutoff', true), '')::timestamptz;
        IF cutoff IS NOT NULL AND (to_jsonb(OLD) ->> TG_ARGV[0])::timestamptz < cutoff THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION '% on % is not allowed: the table is immutable', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Rows are appended, never changed; only the retention function purges expired rows.';
END
$$;

DO $immutable$
DECLARE
    t text;
    time_column text;
BEGIN
    FOR t, time_column IN VALUES ('audit_logs', 'timestamp'), ('change_events', 'created_at'),
            ('document_lineage', NULL), ('credential_versions', NULL), ('rule_versions', NULL),
            ('rules_execution_log', NULL), ('retention_runs', NULL) LOOP
        IF time_column IS NULL THEN
            EXECUTE format('CREATE TRIGGER immutable_rows BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION credrules_reject_mutation()', t);
        ELSE
            EXECUTE format('CREATE TRIGGER immutable_rows BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION credrules_reject_mutation(%L)', t, time_column);
        END IF;
        EXECUTE format('CREATE TRIGGER immutable_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION credrules_reject_mutation()', t);
        -- ALWAYS: still fires under session_replication_role = replica.
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER immutable_rows', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER immutable_truncate', t);
    END LOOP;
END
$immutable$;

-- ---------------------------------------------------------------- change events
-- One statement-level trigger per operation with transition tables (old_rows, new_rows): a bulk
-- write costs one INSERT … SELECT, not a trigger call per row. TG_ARGV: the key column(s).
CREATE FUNCTION credrules_record_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    new_key text;
    old_key text;
    key_join text;
    cutoff timestamptz;
    all_expired boolean := false;
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
        EXECUTE format('INSERT INTO public.change_events (table_name, row_id, change_type, new_value, actor_id)
                        SELECT %L, %s, ''insert'', to_jsonb(n), $1 FROM new_rows n', TG_TABLE_NAME, new_key)
            USING credrules_actor();
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format('INSERT INTO public.change_events (table_name, row_id, change_type, previous_value, new_value, actor_id)
                        SELECT %L, %s, ''update'', to_jsonb(o), to_jsonb(n), $1
                        FROM old_rows o JOIN new_rows n ON %s WHERE to_jsonb(o) IS DISTINCT FROM to_jsonb(n)',
                       TG_TABLE_NAME, new_key, key_join)
            USING credrules_actor();
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
        EXECUTE format('INSERT INTO public.change_events (table_name, row_id, change_type, previous_value, actor_id)
                        SELECT %L, %s, ''delete'', to_jsonb(o), $1 FROM old_rows o', TG_TABLE_NAME, old_key)
            USING credrules_actor();
    END IF;
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------- credential versions
-- A change to a license, DEA registration, CSR certificate, board certification or CME event
-- appends a version: number monotonic per entity (the unique key guards it) and diff_json:
-- {"op": "update", "changed": {column: {"from", "to"}}} of the columns that changed, or the
-- whole row as {"op": "insert", "new": row} / {"op": "delete", "old": row}. TG_ARGV[0]: entity type.
CREATE FUNCTION credrules_record_credential_versions() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    next_version constant text := '1 + coalesce((SELECT max(v.version_number) FROM public.credential_versions v
                                                 WHERE v.entity_type = $1 AND v.entity_id = %s), 0)';
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE 'INSERT INTO public.credential_versions (provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
                 SELECT n.provider_id, $1, n.id, ' || format(next_version, 'n.id') || ',
                        jsonb_build_object(''op'', ''insert'', ''new'', to_jsonb(n) - ''created_at'' - ''updated_at''), $2
                 FROM new_rows n'
            USING TG_ARGV[0], credrules_actor();
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE 'INSERT INTO public.credential_versions (provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
                 SELECT n.provider_id, $1, n.id, ' || format(next_version, 'n.id') || ',
                        jsonb_build_object(''op'', ''update'', ''changed'', d.changed), $2
                 FROM old_rows o JOIN new_rows n ON o.id = n.id
                 CROSS JOIN LATERAL (
                     SELECT jsonb_object_agg(c.key, jsonb_build_object(''from'', to_jsonb(o) -> c.key, ''to'', c.value)) AS changed
                     FROM jsonb_each(to_jsonb(n) - ''created_at'' - ''updated_at'') c
                     WHERE (to_jsonb(o) -> c.key) IS DISTINCT FROM c.value) d
                 WHERE d.changed IS NOT NULL'
            USING TG_ARGV[0], credrules_actor();
    ELSE
        EXECUTE 'INSERT INTO public.credential_versions (provider_id, entity_type, entity_id, version_number, diff_json, actor_id)
                 SELECT o.provider_id, $1, o.id, ' || format(next_version, 'o.id') || ',
                        jsonb_build_object(''op'', ''delete'', ''old'', to_jsonb(o) - ''created_at'' - ''updated_at''), $2
                 FROM old_rows o'
            USING TG_ARGV[0], credrules_actor();
    END IF;
    RETURN NULL;
END
$$;

-- ---------------------------------------------------------------- lineage
-- A fact that came from a document (extracted_from_doc_id) gets a document_lineage row when it
-- is inserted or its document changes; a document that does not exist is already refused by
-- the foreign key. column_name `*`: the whole row.
CREATE FUNCTION credrules_record_lineage() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO public.document_lineage (document_id, table_name, column_name, row_id, provider_id)
                        SELECT n.extracted_from_doc_id, %L, ''*'', n.id, n.provider_id
                        FROM new_rows n WHERE n.extracted_from_doc_id IS NOT NULL', TG_TABLE_NAME);
    ELSE
        EXECUTE format('INSERT INTO public.document_lineage (document_id, table_name, column_name, row_id, provider_id)
                        SELECT n.extracted_from_doc_id, %L, ''*'', n.id, n.provider_id
                        FROM old_rows o JOIN new_rows n ON o.id = n.id
                        WHERE n.extracted_from_doc_id IS NOT NULL
                          AND n.extracted_from_doc_id IS DISTINCT FROM o.extracted_from_doc_id', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;

DO $triggers$
DECLARE
    t text;
    key_columns text;
    entity text;
BEGIN
    -- Every mutable table and its key.
    FOR t, key_columns IN VALUES
            ('organizations', 'id'), ('providers', 'id'), ('provider_identifiers', 'id'),
            ('provider_roles', 'provider_id, role'), ('provider_settings', 'provider_id'),
            ('provider_states', 'id'), ('provider_attributes', 'id'), ('documents', 'id'),
            ('document_metadata', 'id'), ('licenses', 'id'), ('dea_registrations', 'id'),
            ('csr_certificates', 'id'), ('board_certifications', 'id'), ('cme_events', 'id'),
            ('cme_categories_required', 'id'), ('evaluation_runs', 'id'), ('compliance_windows', 'id'),
            ('compliance_gap_analysis', 'id'), ('parsing_jobs', 'id'), ('credential_confidence_audit', 'id'),
            ('notification_preferences', 'id'), ('notifications_sent', 'id'), ('email_events', 'id'),
            ('bulk_message_jobs', 'id'), ('integration_logs', 'id'), ('system_settings', 'key') LOOP
        -- Trigger arguments are the key column names, each a quoted literal.
        key_columns := (SELECT string_agg(quote_literal(trim(k)), ', ') FROM unnest(string_to_array(key_columns, ',')) AS k);
        EXECUTE format('CREATE TRIGGER change_events_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_changes(%s)', t, key_columns);
        EXECUTE format('CREATE TRIGGER change_events_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_changes(%s)', t, key_columns);
        EXECUTE format('CREATE TRIGGER change_events_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_changes(%s)', t, key_columns);
        -- TRUNCATE would write no change events: refused on every mutable table.
        EXECUTE format('CREATE TRIGGER no_truncate BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION credrules_reject_mutation()', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER change_events_insert', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER change_events_update', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER change_events_delete', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER no_truncate', t);
    END LOOP;

    FOR t, entity IN VALUES ('licenses', 'license'), ('dea_registrations', 'dea_registration'),
            ('csr_certificates', 'csr_certificate'), ('board_certifications', 'board_certification'),
            ('cme_events', 'cme_event') LOOP
        EXECUTE format('CREATE TRIGGER credential_versions_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_credential_versions(%L)', t, entity);
        EXECUTE format('CREATE TRIGGER credential_versions_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_credential_versions(%L)', t, entity);
        EXECUTE format('CREATE TRIGGER credential_versions_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_credential_versions(%L)', t, entity);
        EXECUTE format('CREATE TRIGGER lineage_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_lineage()', t);
        EXECUTE format('CREATE TRIGGER lineage_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION credrules_record_lineage()', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER credential_versions_insert', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER credential_versions_update', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER credential_versions_delete', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER lineage_insert', t);
        EXECUTE format('ALTER TABLE %I ENABLE ALWAYS TRIGGER lineage_update', t);
    END LOOP;
END
$triggers$;

-- ---------------------------------------------------------------- retention (Data Bible §9)
-- Purges notifications, email events, audit logs and change events older than seven years as
-- of `as_of` (which may not be in the future), records the counts in retention_runs and
-- audit_logs, and returns them. Never touches documents, credentials or their versions.
CREATE FUNCTION credrules_retention_purge(as_of date) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    cutoff timestamptz;
    email_count bigint;
    notification_count bigint;
    audit_count bigint;
    change_count bigint;
    purged jsonb;
BEGIN
    IF as_of IS NULL OR as_of > current_date THEN
        RAISE EXCEPTION 'retention as of % refused: the date must not be after today (%)', as_of, current_date
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    cutoff := ((as_of - interval '7 years')::timestamp) AT TIME ZONE 'UTC';
    PERFORM set_config('credrules.retention_cutoff', cutoff::text, true);
    DELETE FROM public.email_events WHERE "timestamp" < cutoff;
    GET DIAGNOSTICS email_count = ROW_COUNT;
    DELETE FROM public.notifications_sent n WHERE n.sent_at < cutoff
        AND NOT EXISTS (SELECT 1 FROM public.email_events e WHERE e.notification_id = n.id);
    GET DIAGNOSTICS notification_count = ROW_COUNT;
    DELETE FROM public.audit_logs WHERE "timestamp" < cutoff;
    GET DIAGNOSTICS audit_count = ROW_COUNT;
    DELETE FROM public.change_events WHERE created_at < cutoff;
    GET DIAGNOSTICS change_count = ROW_COUNT;
    PERFORM set_config('credrules.retention_cutoff', '', true);
    purged := jsonb_build_object('email_events', email_count, 'notifications_sent', notification_count,
                                 'audit_logs', audit_count, 'change_events', change_count);
    INSERT INTO public.retention_runs (as_of, cutoff, purged_json, actor_id) VALUES (as_of, cutoff, purged, credrules_actor());
    INSERT INTO public.audit_logs (actor_id, actor_role, action, resource, status, metadata_json)
        VALUES (credrules_actor(), 'credrules_retention', 'retention.purge', 'retention_runs', 'success',
                jsonb_build_object('as_of', as_of, 'cutoff', cutoff, 'purged', purged));
    RETURN jsonb_build_object('as_of', as_of, 'cutoff', cutoff, 'purged', purged);
END
$$;

-- Trigger functions run as credrules_definer (they append to tables callers cannot write);
-- retention runs as credrules_purger, the only role the immutability trigger lets delete.
ALTER FUNCTION credrules_record_changes() OWNER TO credrules_definer;
ALTER FUNCTION credrules_record_credential_versions() OWNER TO credrules_definer;
ALTER FUNCTION credrules_record_lineage() OWNER TO credrules_definer;
ALTER FUNCTION credrules_retention_purge(date) OWNER TO credrules_purger;
REVOKE ALL ON FUNCTION credrules_retention_purge(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION credrules_retention_purge(date) TO credrules_retention;
