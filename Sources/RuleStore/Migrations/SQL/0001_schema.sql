-- credrules schema 0001: every table of the Data Bible v2.0 (all twelve domains) in `public`,
-- with the documented extensions (Sources/RuleStore/Migrations/SCHEMA.md). Governance (roles,
-- grants, row-level security, immutability, change events, versions, lineage) is 0002.
--
-- Ids: every key is a uuid. A row that comes from a facts file keeps the file's id in
-- `external_id`, and its uuid is credrules_id(external_id) (a CHECK holds them together), so an
-- import is an upsert by id and a replay reproduces the same keys.

-- The uuid of a file id: the first 16 bytes of SHA-256('credrules:' || id), stamped as an
-- RFC 9562 version-8 uuid. Swift computes the same value (RuleStore.RowID).
CREATE FUNCTION credrules_id(external_id text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT encode(set_byte(set_byte(digest, 6, (get_byte(digest, 6) & 15) | 128), 8, (get_byte(digest, 8) & 63) | 128), 'hex')::uuid
  FROM (SELECT substring(sha256(convert_to('credrules:' || external_id, 'UTF8')) FROM 1 FOR 16) AS digest) AS hashed
$$;

-- ---------------------------------------------------------------- 3.2 organizations
CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    name text NOT NULL,
    timezone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organizations_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);

-- ---------------------------------------------------------------- 3.1 provider domain
CREATE TABLE providers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    org_id uuid REFERENCES organizations (id),
    -- AES-256-GCM ciphertext (nonce ‖ ciphertext ‖ tag) under encryption_key_id; see SCHEMA.md.
    npi bytea,
    -- HMAC-SHA-256 of the NPI under a key derived from the encryption key: lookup without decryption.
    npi_blind_index bytea,
    first_name text,
    last_name text,
    email bytea,
    phone bytea,
    date_of_birth bytea,
    encryption_key_id text,
    address_json jsonb,
    -- Extension: synthetic rows, the only ones the `agent` role sees.
    is_synthetic boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT providers_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id)),
    CONSTRAINT providers_key_id_check CHECK (
        (npi IS NULL AND email IS NULL AND phone IS NULL AND date_of_birth IS NULL) OR encryption_key_id IS NOT NULL),
    CONSTRAINT providers_address_json_check CHECK (address_json IS NULL OR jsonb_typeof(address_json) = 'object')
);
-- Serves the admin policy (providers of one organization) and the API's organization roster.
CREATE INDEX providers_org_id_idx ON providers (org_id);
-- Serves lookup by NPI (WHERE npi_blind_index = $1).
CREATE INDEX providers_npi_blind_index_idx ON providers (npi_blind_index);
-- Serves the agent policy (synthetic providers only).
CREATE INDEX providers_synthetic_idx ON providers (id) WHERE is_synthetic;
-- Serves re-encryption in batches by key id (db rotate-key).
CREATE INDEX providers_encryption_key_id_idx ON providers (encryption_key_id);

CREATE TABLE provider_identifiers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    id_type text NOT NULL CONSTRAINT provider_identifiers_id_type_check
        CHECK (id_type IN ('npi', 'dea', 'csr', 'board_cert', 'state_system', 'other')),
    id_value bytea NOT NULL,
    id_value_blind_index bytea,
    encryption_key_id text NOT NULL,
    source text NOT NULL DEFAULT 'parsed' CONSTRAINT provider_identifiers_source_check
        CHECK (source IN ('parsed', 'manual', 'external_api')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT provider_identifiers_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves a provider's identifiers (engine and API read by provider).
CREATE INDEX provider_identifiers_provider_id_idx ON provider_identifiers (provider_id);
-- Serves lookup of an identifier by type and value (blind index).
CREATE INDEX provider_identifiers_blind_index_idx ON provider_identifiers (id_type, id_value_blind_index);

CREATE TABLE provider_roles (
    provider_id uuid NOT NULL REFERENCES providers (id),
    role text NOT NULL CONSTRAINT provider_roles_role_check CHECK (role IN ('provider', 'admin', 'superadmin')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, role)
);

CREATE TABLE provider_settings (
    provider_id uuid PRIMARY KEY REFERENCES providers (id),
    timezone text,
    prefers_list_view boolean NOT NULL DEFAULT false,
    prefers_compact_view boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE provider_states (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    state text NOT NULL CONSTRAINT provider_states_state_check CHECK (state ~ '^[A-Z]{2}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT provider_states_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves the engine's per-provider fact read and the policies' provider filter.
CREATE INDEX provider_states_provider_id_idx ON provider_states (provider_id);

-- Extension (BRIEF §2): declared provider attributes, one typed value per key (Grammar/pack-language.md §7).
CREATE TABLE provider_attributes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    key text NOT NULL CONSTRAINT provider_attributes_key_check CHECK (key ~ '^[a-z][a-z0-9_]*$'),
    value jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Also serves the engine's per-provider read.
    CONSTRAINT provider_attributes_provider_key_unique UNIQUE (provider_id, key)
);

-- ---------------------------------------------------------------- 3.6 documents (before the facts that cite them)
CREATE TABLE documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    s3_uri text,
    file_type text,
    sha256_hash text CONSTRAINT documents_sha256_hash_check CHECK (sha256_hash ~ '^[0-9a-f]{64}$'),
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    uploaded_by text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT documents_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves a provider's documents (API) and the policies' provider filter.
CREATE INDEX documents_provider_id_idx ON documents (provider_id);

CREATE TABLE document_metadata (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents (id),
    key text NOT NULL,
    value text,
    confidence_score numeric CONSTRAINT document_metadata_confidence_check CHECK (confidence_score BETWEEN 0 AND 1),
    extraction_method text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves a document's metadata and the policy (visible through the document).
CREATE INDEX document_metadata_document_id_idx ON document_metadata (document_id);

-- ---------------------------------------------------------------- 3.3 license domain
CREATE TABLE licenses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    state text NOT NULL CONSTRAINT licenses_state_check CHECK (state ~ '^[A-Z]{2}$'),
    license_number text,
    -- Extension: the profession (state boards differ by it).
    license_type text CONSTRAINT licenses_license_type_check CHECK (license_type IN ('MD', 'DO', 'PA', 'NP', 'RN')),
    status text NOT NULL CONSTRAINT licenses_status_check
        CHECK (status IN ('active', 'inactive', 'expired', 'suspended', 'revoked')),
    issue_date date,
    expiration_date date NOT NULL,
    -- The credential_versions row this row was last versioned as (informational, set by the API).
    credential_version_id uuid,
    extracted_from_doc_id uuid REFERENCES documents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT licenses_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id)),
    CONSTRAINT licenses_dates_check CHECK (issue_date IS NULL OR issue_date <= expiration_date)
);
-- Serves the engine's per-provider fact read and the policies' provider filter.
CREATE INDEX licenses_provider_id_idx ON licenses (provider_id);
-- Serves the dashboards' "expiring in a state" query.
CREATE INDEX licenses_state_expiration_idx ON licenses (state, expiration_date);

CREATE TABLE dea_registrations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    registration_number text,
    -- Extension: a DEA registration is issued per state of practice.
    state text CONSTRAINT dea_registrations_state_check CHECK (state ~ '^[A-Z]{2}$'),
    schedules jsonb CONSTRAINT dea_registrations_schedules_check CHECK (schedules IS NULL OR jsonb_typeof(schedules) = 'array'),
    issue_date date,
    expiration_date date NOT NULL,
    extracted_from_doc_id uuid REFERENCES documents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT dea_registrations_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves the engine's per-provider fact read and the policies' provider filter.
CREATE INDEX dea_registrations_provider_id_idx ON dea_registrations (provider_id);

CREATE TABLE csr_certificates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    state text NOT NULL CONSTRAINT csr_certificates_state_check CHECK (state ~ '^[A-Z]{2}$'),
    csr_number text,
    issue_date date,
    expiration_date date NOT NULL,
    extracted_from_doc_id uuid REFERENCES documents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT csr_certificates_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves the engine's per-provider fact read and the policies' provider filter.
CREATE INDEX csr_certificates_provider_id_idx ON csr_certificates (provider_id);

CREATE TABLE board_certifications (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    -- Open vocabulary of lower-snake-case codes (BRIEF §2: "codes such as").
    specialty text NOT NULL CONSTRAINT board_certifications_specialty_check CHECK (specialty ~ '^[a-z][a-z0-9_]*$'),
    board_name text,
    issue_date date,
    expiration_date date,
    extracted_from_doc_id uuid REFERENCES documents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT board_certifications_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves the engine's per-provider fact read and the policies' provider filter.
CREATE INDEX board_certifications_provider_id_idx ON board_certifications (provider_id);

-- ---------------------------------------------------------------- 3.4 CME domain
CREATE TABLE cme_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id text UNIQUE,
    provider_id uuid NOT NULL REFERENCES providers (id),
    title text,
    category text NOT NULL CONSTRAINT cme_events_category_check CHECK (category IN (
        'general', 'ethics', 'pain_management', 'end_of_life_care', 'opioid_prescribing', 'substance_use_disorder',
        'medical_errors', 'patient_safety', 'risk_management', 'domestic_violence', 'child_abuse', 'human_trafficking',
        'hiv_aids', 'implicit_bias', 'cultural_competency', 'sexual_harassment_prevention', 'dementia',
        'infection_control', 'geriatrics', 'suicide_prevention', 'health_equity', 'professional_boundaries',
        'laws_and_rules', 'electronic_health_records', 'dependent_adult_abuse', 'prescription_drug_monitoring',
        'nutrition', 'behavioral_health', 'lgbtq_health', 'sexual_assault')),
    -- Extension: "formal" / "Category 1" credit.
    credit_type text CONSTRAINT cme_events_credit_type_check CHECK (credit_type IN ('ama_pra_1', 'aoa_1a', 'aoa_1b', 'other')),
    credits_earned numeric NOT NULL CONSTRAINT cme_events_credits_check CHECK (credits_earned >= 0),
    completion_date date NOT NULL,
    expiration_date date,
    extracted_from_doc_id uuid REFERENCES documents (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cme_events_external_id_check CHECK (external_id IS NULL OR id = credrules_id(external_id))
);
-- Serves the engine's per-provider fact read (hours in a window: provider, then date).
CREATE INDEX cme_events_provider_completion_idx ON cme_events (provider_id, completion_date);

-- ---------------------------------------------------------------- 3.10 system domain (rule versions first: outputs cite them)
CREATE TABLE rule_versions (
    id uuid PRIMARY KEY,
    -- The pack's identity (e.g. US-TX/physician-license), constant across versions.
    rule_type text NOT NULL,
    version_number integer NOT NULL CONSTRAINT rule_versions_version_number_check CHECK (version_number > 0),
    rule_json jsonb NOT NULL,
    -- Extension: the exact canonical bytes and their SHA-256, so a replay is byte for byte.
    rule_canonical text NOT NULL,
    rule_sha256 text NOT NULL CONSTRAINT rule_versions_sha256_check CHECK (rule_sha256 ~ '^[0-9a-f]{64}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rule_versions_type_number_unique UNIQUE (rule_type, version_number),
    -- One rule version per content; also serves publish's "already published?" lookup.
    CONSTRAINT rule_versions_type_sha256_unique UNIQUE (rule_type, rule_sha256)
);

CREATE TABLE system_settings (
    key text PRIMARY KEY,
    value jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cme_categories_required (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    state text NOT NULL CONSTRAINT cme_categories_required_state_check CHECK (state ~ '^[A-Z]{2}$'),
    cycle_length_months integer NOT NULL CONSTRAINT cme_categories_required_cycle_check CHECK (cycle_length_months > 0),
    -- NULL: total hours in any category.
    category text CONSTRAINT cme_categories_required_category_check CHECK (category ~ '^[a-z][a-z0-9_]*$'),
    credits_required numeric NOT NULL CONSTRAINT cme_categories_required_credits_check CHECK (credits_required >= 0),
    rule_version_id uuid NOT NULL REFERENCES rule_versions (id),
    -- Extension: which requirement of the pack it came from.
    requirement_id text NOT NULL,
    CONSTRAINT cme_categories_required_unique UNIQUE (rule_version_id, requirement_id, category)
);
-- Serves the dashboards' "what does state S require" query.
CREATE INDEX cme_categories_required_state_idx ON cme_categories_required (state);

-- ---------------------------------------------------------------- 3.5 compliance domain
-- Extension: one nightly evaluation run, so a run can resume and be audited.
CREATE TABLE evaluation_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    as_of date NOT NULL,
    rule_version_ids uuid[] NOT NULL,
    -- `k/n` when the run is one shard of n.
    shard text CONSTRAINT evaluation_runs_shard_check CHECK (shard ~ '^[0-9]+/[0-9]+$'),
    status text NOT NULL DEFAULT 'running' CONSTRAINT evaluation_runs_status_check
        CHECK (status IN ('running', 'completed', 'failed')),
    providers_done integer NOT NULL DEFAULT 0,
    -- The last provider fully written, in provider id order: where a resumed run continues.
    resume_after_provider_id uuid,
    counts_json jsonb NOT NULL DEFAULT '{}'::jsonb,
    started_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE compliance_windows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    license_id uuid REFERENCES licenses (id),
    cme_window_start date,
    cme_window_end date,
    next_renewal_date date,
    days_until_due integer,
    compliance_status text NOT NULL CONSTRAINT compliance_windows_status_check
        CHECK (compliance_status IN ('compliant', 'in_progress', 'at_risk', 'non_compliant', 'unknown')),
    rule_version_id uuid NOT NULL REFERENCES rule_versions (id),
    evaluation_run_id uuid REFERENCES evaluation_runs (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT compliance_windows_range_check CHECK (cme_window_start IS NULL OR cme_window_end IS NULL OR cme_window_start <= cme_window_end)
);
-- Serves a provider's dashboard (windows by provider) and the policies' provider filter.
CREATE INDEX compliance_windows_provider_id_idx ON compliance_windows (provider_id);
-- Serves "who is at risk / due soon" (status, then renewal date).
CREATE INDEX compliance_windows_status_due_idx ON compliance_windows (compliance_status, next_renewal_date);

CREATE TABLE compliance_gap_analysis (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    gap_type text NOT NULL CONSTRAINT compliance_gap_analysis_gap_type_check CHECK (gap_type IN (
        'credential_expired', 'credential_expiring', 'credential_inactive', 'cme_hours_short', 'cme_category_short',
        'training_missing', 'registration_missing', 'registration_expired', 'certification_expired', 'missing_data', 'custom')),
    description text,
    severity text NOT NULL CONSTRAINT compliance_gap_analysis_severity_check CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    rule_version_id uuid NOT NULL REFERENCES rule_versions (id),
    evaluation_run_id uuid REFERENCES evaluation_runs (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves a provider's gaps and the policies' provider filter.
CREATE INDEX compliance_gap_analysis_provider_id_idx ON compliance_gap_analysis (provider_id);

CREATE TABLE rules_execution_log (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    rule_version_id uuid NOT NULL REFERENCES rule_versions (id),
    rule_type text NOT NULL,
    inputs_json jsonb NOT NULL,
    outputs_json jsonb NOT NULL,
    -- Extension: SHA-256 of the canonical bytes (jsonb does not keep them), for replay.
    inputs_sha256 text CONSTRAINT rules_execution_log_inputs_sha256_check CHECK (inputs_sha256 ~ '^[0-9a-f]{64}$'),
    outputs_sha256 text CONSTRAINT rules_execution_log_outputs_sha256_check CHECK (outputs_sha256 ~ '^[0-9a-f]{64}$'),
    evaluation_run_id uuid REFERENCES evaluation_runs (id),
    executed_at timestamptz NOT NULL DEFAULT now()
);
-- Serves replay and audit ("this provider's evaluations, newest first").
CREATE INDEX rules_execution_log_provider_executed_idx ON rules_execution_log (provider_id, executed_at);

-- ---------------------------------------------------------------- 3.6 parsing
CREATE TABLE parsing_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents (id),
    provider_id uuid NOT NULL REFERENCES providers (id),
    status text NOT NULL CONSTRAINT parsing_jobs_status_check CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    started_at timestamptz,
    completed_at timestamptz,
    duration_ms integer CONSTRAINT parsing_jobs_duration_check CHECK (duration_ms >= 0),
    parser_type text,
    confidence_score numeric CONSTRAINT parsing_jobs_confidence_check CHECK (confidence_score BETWEEN 0 AND 1),
    error_message text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves the job queue ("queued or failed jobs") and a document's jobs.
CREATE INDEX parsing_jobs_status_idx ON parsing_jobs (status, started_at);
CREATE INDEX parsing_jobs_document_id_idx ON parsing_jobs (document_id);
-- Serves the policies' provider filter.
CREATE INDEX parsing_jobs_provider_id_idx ON parsing_jobs (provider_id);

CREATE TABLE credential_confidence_audit (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    document_id uuid REFERENCES documents (id),
    category text,
    confidence_score numeric CONSTRAINT credential_confidence_audit_confidence_check CHECK (confidence_score BETWEEN 0 AND 1),
    parser_used text,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Serves the policies' provider filter and a provider's confidence history.
CREATE INDEX credential_confidence_audit_provider_id_idx ON credential_confidence_audit (provider_id);

-- ---------------------------------------------------------------- 3.6 / 3.9 lineage, 3.7 versions
CREATE TABLE document_lineage (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    document_id uuid NOT NULL REFERENCES documents (id),
    table_name text NOT NULL CONSTRAINT document_lineage_table_check CHECK (table_name IN (
        'licenses', 'dea_registrations', 'csr_certificates', 'board_certifications', 'cme_events')),
    -- `*`: the whole row was extracted from the document.
    column_name text NOT NULL,
    row_id uuid NOT NULL,
    -- Extension: the provider the row belongs to, for row-level security. Copied from the fact row
    -- (whose own foreign key checked it); no foreign key here, so history outlives a deleted provider
    -- and a bulk load does not check every provider twice.
    provider_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Serves "which facts came from this document".
CREATE INDEX document_lineage_document_id_idx ON document_lineage (document_id);
-- Serves "which document did this fact come from" (verdict → law → document).
CREATE INDEX document_lineage_row_idx ON document_lineage (table_name, row_id);
-- Serves the policies' provider filter.
CREATE INDEX document_lineage_provider_id_idx ON document_lineage (provider_id);

CREATE TABLE credential_versions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Copied from the credential row by the trigger; no foreign key (as document_lineage.provider_id).
    provider_id uuid NOT NULL,
    entity_type text NOT NULL CONSTRAINT credential_versions_entity_type_check CHECK (entity_type IN (
        'license', 'dea_registration', 'csr_certificate', 'board_certification', 'cme_event')),
    entity_id uuid NOT NULL,
    version_number integer NOT NULL CONSTRAINT credential_versions_version_number_check CHECK (version_number > 0),
    -- {"op": insert|update|delete, "changed": {column: {"from": …, "to": …}}}
    diff_json jsonb NOT NULL,
    -- Extension: who made the change (app.current_actor_id, see SCHEMA.md).
    actor_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Also serves "latest version of an entity" (max version_number) for the next version.
    CONSTRAINT credential_versions_entity_version_unique UNIQUE (entity_type, entity_id, version_number)
);
-- Serves the policies' provider filter and a provider's credential history.
CREATE INDEX credential_versions_provider_id_idx ON credential_versions (provider_id);

-- ---------------------------------------------------------------- 3.8 notifications
CREATE TABLE notification_preferences (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- One set of preferences per provider; also serves the lookup by provider.
    provider_id uuid NOT NULL UNIQUE REFERENCES providers (id),
    channel_email_enabled boolean NOT NULL DEFAULT true,
    channel_sms_enabled boolean NOT NULL DEFAULT false,
    channel_voice_enabled boolean NOT NULL DEFAULT false,
    quiet_hours_json jsonb,
    timezone text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications_sent (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid NOT NULL REFERENCES providers (id),
    channel text NOT NULL CONSTRAINT notifications_sent_channel_check CHECK (channel IN ('email', 'sms', 'voice', 'in_app')),
    type text NOT NULL,
    template_version text,
    sent_at timestamptz NOT NULL DEFAULT now(),
    delivered boolean,
    opened boolean,
    clicked boolean,
    retry_count integer NOT NULL DEFAULT 0 CONSTRAINT notifications_sent_retry_check CHECK (retry_count >= 0),
    failure_reason text
);
-- Serves a provider's notifications and the policies' provider filter.
CREATE INDEX notifications_sent_provider_id_idx ON notifications_sent (provider_id);
-- Serves retention (rows sent before the cutoff).
CREATE INDEX notifications_sent_sent_at_idx ON notifications_sent (sent_at);

CREATE TABLE email_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    notification_id uuid NOT NULL REFERENCES notifications_sent (id),
    provider_id uuid NOT NULL REFERENCES providers (id),
    event_type text NOT NULL CONSTRAINT email_events_event_type_check CHECK (event_type IN (
        'sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed', 'failed')),
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    metadata_json jsonb
);
-- Serves a notification's events, and the FK check when retention deletes notifications.
CREATE INDEX email_events_notification_id_idx ON email_events (notification_id);
-- Serves the policies' provider filter.
CREATE INDEX email_events_provider_id_idx ON email_events (provider_id);
-- Serves retention.
CREATE INDEX email_events_timestamp_idx ON email_events ("timestamp");

CREATE TABLE bulk_message_jobs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    admin_id uuid NOT NULL REFERENCES providers (id),
    org_id uuid NOT NULL REFERENCES organizations (id),
    criteria_json jsonb NOT NULL DEFAULT '{}'::jsonb,
    message_template_id text,
    recipients_count integer NOT NULL DEFAULT 0 CONSTRAINT bulk_message_jobs_recipients_check CHECK (recipients_count >= 0),
    sent_count integer NOT NULL DEFAULT 0 CONSTRAINT bulk_message_jobs_sent_check CHECK (sent_count >= 0),
    failed_count integer NOT NULL DEFAULT 0 CONSTRAINT bulk_message_jobs_failed_check CHECK (failed_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves an organization's jobs and the admin policy.
CREATE INDEX bulk_message_jobs_org_id_idx ON bulk_message_jobs (org_id);

-- ---------------------------------------------------------------- 3.9 audit & integration
CREATE TABLE audit_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    actor_id text NOT NULL,
    actor_role text NOT NULL,
    action text NOT NULL,
    resource text NOT NULL,
    resource_id text,
    ip inet,
    user_agent text,
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL CONSTRAINT audit_logs_status_check CHECK (status IN ('success', 'failure', 'denied')),
    metadata_json jsonb NOT NULL DEFAULT '{}'::jsonb
);
-- Serves the auditor's "what did this actor do" and retention (by time).
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_id, "timestamp");
CREATE INDEX audit_logs_timestamp_idx ON audit_logs ("timestamp");

CREATE TABLE change_events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    table_name text NOT NULL,
    -- The row's key as text: its uuid, or `a/b` for a two-column key.
    row_id text NOT NULL,
    change_type text NOT NULL CONSTRAINT change_events_change_type_check CHECK (change_type IN ('insert', 'update', 'delete')),
    previous_value jsonb,
    new_value jsonb,
    actor_id text NOT NULL,
    -- Extension: the writing transaction, to group one statement's changes.
    transaction_id bigint NOT NULL DEFAULT txid_current(),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Serves a row's history ("every change to licenses row X").
CREATE INDEX change_events_row_idx ON change_events (table_name, row_id);
-- Serves retention (by time). BRIN: rows arrive in time order, and it costs next to nothing per
-- insert, which matters for a table that every bulk write appends to.
CREATE INDEX change_events_created_at_idx ON change_events USING brin (created_at);

CREATE TABLE integration_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider_id uuid REFERENCES providers (id),
    integration_name text NOT NULL,
    request_json jsonb,
    response_json jsonb,
    status text NOT NULL,
    "timestamp" timestamptz NOT NULL DEFAULT now()
);
-- Serves a provider's integration history and the policies' provider filter.
CREATE INDEX integration_logs_provider_id_idx ON integration_logs (provider_id);

-- Extension: what each retention run purged (Data Bible §9); immutable like the audit log.
CREATE TABLE retention_runs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    as_of date NOT NULL,
    cutoff timestamptz NOT NULL,
    purged_json jsonb NOT NULL,
    actor_id text NOT NULL,
    ran_at timestamptz NOT NULL DEFAULT now()
);
