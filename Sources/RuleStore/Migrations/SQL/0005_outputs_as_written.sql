-- The outputs as the engine writes them (RuleIR's OutputSchema, Grammar/reference/outputs.md):
-- a credential no rule version covers still gets a window and a `no_rule_pack` gap, with no rule
-- version; a board's grace period gives `credential_in_grace`; and a window names its credential
-- and as-of date, a gap its credential, requirement, citation, code and due date, so a verdict in
-- the database traces to the law as it does in a file run. SchemaAgreementTests holds the two in step.

ALTER TABLE compliance_windows
    ALTER COLUMN rule_version_id DROP NOT NULL,
    ADD COLUMN as_of date,
    ADD COLUMN credential_type text CONSTRAINT compliance_windows_credential_type_check
        CHECK (credential_type IN ('license', 'dea_registration', 'csr_certificate', 'board_certification')),
    -- The credential's file id (its `external_id`): windows also cover DEA and CSR rows, which
    -- `license_id` cannot reference.
    ADD COLUMN credential_id text,
    ADD COLUMN renewal_number integer CONSTRAINT compliance_windows_renewal_number_check CHECK (renewal_number > 0);

ALTER TABLE compliance_gap_analysis
    ALTER COLUMN rule_version_id DROP NOT NULL,
    DROP CONSTRAINT compliance_gap_analysis_gap_type_check,
    ADD CONSTRAINT compliance_gap_analysis_gap_type_check CHECK (gap_type IN (
        'credential_expired', 'credential_expiring', 'credential_inactive', 'cme_hours_short', 'cme_category_short',
        'training_missing', 'registration_missing', 'registration_expired', 'certification_expired', 'missing_data',
        'no_rule_pack', 'custom', 'credential_in_grace')),
    ADD COLUMN credential_id text,
    ADD COLUMN requirement_id text,
    ADD COLUMN citation text,
    ADD COLUMN code text CONSTRAINT compliance_gap_analysis_code_check CHECK (code ~ '^[a-z][a-z0-9]*(_[a-z0-9]+)*$'),
    ADD COLUMN due_date date;
