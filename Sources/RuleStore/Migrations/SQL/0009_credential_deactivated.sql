-- A requirement's `consequence` (Grammar/pack-language.md §3.13): a board that makes a credential
-- inactive, suspends or revokes it when a requirement is unmet at its deadline (Colorado: a CME
-- shortfall; Kentucky: not renewed by the end of the penalty month) gives a `credential_deactivated`
-- gap rather than `credential_expired`. SchemaAgreementTests holds the list in step with OutputSchema.

ALTER TABLE compliance_gap_analysis
    DROP CONSTRAINT compliance_gap_analysis_gap_type_check,
    ADD CONSTRAINT compliance_gap_analysis_gap_type_check CHECK (gap_type IN (
        'credential_expired', 'credential_expiring', 'credential_inactive', 'cme_hours_short', 'cme_category_short',
        'training_missing', 'registration_missing', 'registration_expired', 'certification_expired', 'missing_data',
        'no_rule_pack', 'custom', 'credential_in_grace', 'expiration_mismatch', 'credential_deactivated'));
