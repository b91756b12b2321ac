-- A stored expiration date that disagrees with the board's expiry rule (surname letter and year
-- parity, birth month and birth-year parity, a fixed date: Grammar/pack-language.md §3.12) is
-- reported as an `expiration_mismatch` gap, and the window keeps the stored date.
-- SchemaAgreementTests holds this list and RuleIR's OutputSchema in step.

ALTER TABLE compliance_gap_analysis
    DROP CONSTRAINT compliance_gap_analysis_gap_type_check,
    ADD CONSTRAINT compliance_gap_analysis_gap_type_check CHECK (gap_type IN (
        'credential_expired', 'credential_expiring', 'credential_inactive', 'cme_hours_short', 'cme_category_short',
        'training_missing', 'registration_missing', 'registration_expired', 'certification_expired', 'missing_data',
        'no_rule_pack', 'custom', 'credential_in_grace', 'expiration_mismatch'));
