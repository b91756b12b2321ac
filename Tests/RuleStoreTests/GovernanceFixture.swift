@testable import RuleStore

/// A small population for the policy tests, written as the test server's superuser (who
/// bypasses row-level security; the triggers still run): organizations A and B; p1 (A,
/// production), p2 (A, synthetic), p3 (B, production); one row per provider in every
/// provider-bound table.
enum GovernanceFixture {
    static let providers = ["p1", "p2", "p3"]
    static func uuid(_ id: String) -> String { RowID.uuid(forExternalID: id) }
    static var orgA: String { uuid("org-a") }
    static var orgB: String { uuid("org-b") }

    /// Provider-bound tables and whether their rows are the provider itself.
    static let providerTables = [
        "provider_identifiers", "provider_roles", "provider_settings", "provider_states", "provider_attributes",
        "documents", "licenses", "dea_registrations", "csr_certificates", "board_certifications", "cme_events",
        "compliance_windows", "compliance_gap_analysis", "rules_execution_log", "rules_execution_entries",
        "rules_execution_documents", "parsing_jobs",
        "credential_confidence_audit", "document_lineage", "credential_versions", "notification_preferences",
        "notifications_sent", "email_events", "integration_logs",
    ]

    static func load(_ connection: Connection) throws {
        try connection.executeScript("""
            INSERT INTO organizations (id, external_id, name) VALUES
                (credrules_id('org-a'), 'org-a', 'A'), (credrules_id('org-b'), 'org-b', 'B');
            INSERT INTO providers (id, external_id, org_id, first_name, is_synthetic) VALUES
                (credrules_id('p1'), 'p1', credrules_id('org-a'), 'One', false),
                (credrules_id('p2'), 'p2', credrules_id('org-a'), 'Two', true),
                (credrules_id('p3'), 'p3', credrules_id('org-b'), 'Three', false);
            INSERT INTO rule_versions (id, rule_type, version_number, rule_json, rule_canonical, rule_sha256)
                VALUES (credrules_id('rv-1'), 'US-TX/physician-license', 1, '{}', '{}', repeat('a', 64));
            INSERT INTO provider_identifiers (provider_id, id_type, id_value, encryption_key_id)
                SELECT id, 'npi', '\\x00', 'k' FROM providers;
            INSERT INTO provider_roles (provider_id, role) SELECT id, 'provider' FROM providers;
            INSERT INTO provider_settings (provider_id) SELECT id FROM providers;
            INSERT INTO provider_states (provider_id, state) SELECT id, 'TX' FROM providers;
            INSERT INTO provider_attributes (provider_id, key, value) SELECT id, 'direct_patient_care', 'true' FROM providers;
            INSERT INTO documents (id, external_id, provider_id) SELECT credrules_id('doc-' || external_id), 'doc-' || external_id, id FROM providers;
            INSERT INTO document_metadata (document_id, key, value) SELECT id, 'pages', '2' FROM documents;
            INSERT INTO licenses (id, external_id, provider_id, state, status, expiration_date, extracted_from_doc_id)
                SELECT credrules_id('lic-' || external_id), 'lic-' || external_id, id, 'TX', 'active', DATE '2027-01-31',
                       credrules_id('doc-' || external_id) FROM providers;
            INSERT INTO dea_registrations (provider_id, expiration_date) SELECT id, DATE '2027-01-31' FROM providers;
            INSERT INTO csr_certificates (provider_id, state, expiration_date) SELECT id, 'TX', DATE '2027-01-31' FROM providers;
            INSERT INTO board_certifications (provider_id, specialty) SELECT id, 'psychiatry' FROM providers;
            INSERT INTO cme_events (provider_id, category, credits_earned, completion_date) SELECT id, 'ethics', 2, DATE '2026-01-01' FROM providers;
            INSERT INTO compliance_windows (provider_id, compliance_status, rule_version_id) SELECT id, 'compliant', credrules_id('rv-1') FROM providers;
            INSERT INTO compliance_gap_analysis (provider_id, gap_type, severity, rule_version_id) SELECT id, 'missing_data', 'low', credrules_id('rv-1') FROM providers;
            INSERT INTO rules_execution_log (provider_id, rule_version_id, rule_type, inputs_json, outputs_json)
                SELECT id, credrules_id('rv-1'), 'US-TX/physician-license', '{}', '{}' FROM providers;
            INSERT INTO parsing_jobs (document_id, provider_id, status) SELECT credrules_id('doc-' || external_id), id, 'succeeded' FROM providers;
            INSERT INTO credential_confidence_audit (provider_id, confidence_score) SELECT id, 0.5 FROM providers;
            INSERT INTO notification_preferences (provider_id) SELECT id FROM providers;
            INSERT INTO notifications_sent (id, provider_id, channel, type) SELECT credrules_id('n-' || external_id), id, 'email', 'reminder' FROM providers;
            INSERT INTO email_events (notification_id, provider_id, event_type) SELECT credrules_id('n-' || external_id), id, 'sent' FROM providers;
            INSERT INTO integration_logs (provider_id, integration_name, status) SELECT id, 'nppes', 'ok' FROM providers;
            INSERT INTO bulk_message_jobs (admin_id, org_id) VALUES (credrules_id('p1'), credrules_id('org-a')), (credrules_id('p3'), credrules_id('org-b'));
            """, name: "governance fixture")
    }

    /// The external ids of the providers whose rows of `table` are visible, sorted.
    static func visibleProviders(_ connection: Connection, table: String) throws -> [String] {
        let byUUID = Dictionary(uniqueKeysWithValues: providers.map { (uuid($0), $0) })
        let column = table == "providers" ? "id" : "provider_id"
        // Table names come from the lists above, never from input.
        let ids = try connection.column("SELECT DISTINCT \(column)::text FROM \(table)")
        return ids.compactMap { $0.flatMap { byUUID[$0] } ?? "?" }.sorted()
    }
}
