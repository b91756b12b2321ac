@testable import RuleStore
import Testing

/// Role × table × operation, from plain SQL: what each app role sees and may write, and what
/// the database roles may do.
@Suite struct PolicyTests {
    typealias F = GovernanceFixture

    static func database() throws -> Connection {
        let connection = try Connection(url: try TestDatabase.migrated())
        try F.load(connection)
        return connection
    }

    /// (app.current_role, provider, org) → providers whose rows are visible.
    static let readCases: [(String, String?, String?, [String])] = [
        ("provider", "p1", nil, ["p1"]),
        ("provider", "p3", nil, ["p3"]),
        ("admin", nil, "org-a", ["p1", "p2"]),
        ("admin", nil, "org-b", ["p3"]),
        ("superadmin", nil, nil, ["p1", "p2", "p3"]),
        ("agent", nil, nil, ["p2"]),
        ("", nil, nil, []),
        ("root", "p1", "org-a", []),
        ("provider", "not-a-uuid'; SELECT 1; --", nil, []),
        ("admin", nil, "00000000-0000-0000-0000-00000000000", []),
    ]

    @Test(arguments: 0..<readCases.count)
    func readMatrix(_ index: Int) throws {
        let connection = try Self.database()
        let (role, provider, org, expected) = Self.readCases[index]
        let providerSetting = provider.map { $0.hasPrefix("p") && $0.count == 2 ? F.uuid($0) : $0 }
        let orgSetting = org.map { $0.hasPrefix("org-") ? F.uuid($0) : $0 }
        try connection.asRole("credrules_app", app: role, provider: providerSetting, org: orgSetting) { () throws in
            #expect(try F.visibleProviders(connection, table: "providers") == expected, "providers as \(role)")
            for table in F.providerTables {
                #expect(try F.visibleProviders(connection, table: table) == expected, "\(table) as \(role)")
            }
            let metadataCount = try connection.value("SELECT count(*) FROM document_metadata")
            #expect(metadataCount == String(expected.count), "document_metadata as \(role)")
        }
    }

    @Test func organizationsAndBulkJobs() throws {
        let connection = try Self.database()
        func names(_ sql: String) throws -> [String] { try connection.column(sql).compactMap { $0 }.sorted() }
        try connection.asRole("credrules_app", app: "provider", provider: F.uuid("p1"), org: F.orgA) { () throws in
            #expect(try names("SELECT name FROM organizations") == ["A"])
            #expect(try names("SELECT org_id::text FROM bulk_message_jobs") == [])
        }
        try connection.asRole("credrules_app", app: "admin", org: F.orgB) { () throws in
            #expect(try names("SELECT name FROM organizations") == ["B"])
            #expect(try names("SELECT org_id::text FROM bulk_message_jobs") == [F.orgB])
        }
        try connection.asRole("credrules_app", app: "superadmin") { () throws in
            #expect(try names("SELECT name FROM organizations") == ["A", "B"])
            #expect(try names("SELECT org_id::text FROM bulk_message_jobs").count == 2)
        }
        try connection.asRole("credrules_app", app: "agent") { () throws in
            #expect(try names("SELECT name FROM organizations") == [])
        }
    }

    /// An insert the policy refuses fails with 42501 and a message that names only the table.
    func expectRefusedInsert(_ connection: Connection, provider: String, _ comment: Comment) {
        let error = #expect(throws: StoreError.self, comment) {
            try connection.execute(
                "INSERT INTO licenses (provider_id, state, status, expiration_date) VALUES ($1, 'TX', 'active', '2028-01-01')",
                [.text(F.uuid(provider))])
        }
        #expect(error?.sqlState == "42501", comment)
        #expect(error?.message == "new row violates row-level security policy for table \"licenses\"", comment)
        #expect(error.map { !$0.description.contains(F.uuid(provider)) } == true, "the error carries no data")
    }

    func insertLicense(_ connection: Connection, provider: String) throws {
        try connection.execute(
            "INSERT INTO licenses (provider_id, state, status, expiration_date) VALUES ($1, 'TX', 'active', '2028-01-01')",
            [.text(F.uuid(provider))])
    }

    func updatedLicenses(_ connection: Connection) throws -> Int {
        try connection.execute("UPDATE licenses SET license_number = 'changed'").affectedRows
    }

    @Test func providerWritesOnlyOwnRows() throws {
        let connection = try Self.database()
        try connection.asRole("credrules_app", app: "provider", provider: F.uuid("p1")) { () throws in
            #expect(try updatedLicenses(connection) == 1)
            try insertLicense(connection, provider: "p1")
            expectRefusedInsert(connection, provider: "p3", "provider inserting another's license")
            expectRefusedInsert(connection, provider: "p2", "provider inserting a colleague's license")
            // Their identity row is not theirs to edit (org, synthetic flag).
            #expect(try connection.execute("UPDATE providers SET is_synthetic = true").affectedRows == 0)
            #expect(try connection.execute("DELETE FROM cme_events WHERE provider_id = $1", [.text(F.uuid("p3"))]).affectedRows == 0)
        }
    }

    @Test func adminWritesTheirOrganization() throws {
        let connection = try Self.database()
        try connection.asRole("credrules_app", app: "admin", org: F.orgA) { () throws in
            #expect(try updatedLicenses(connection) == 2)
            try insertLicense(connection, provider: "p2")
            expectRefusedInsert(connection, provider: "p3", "admin inserting into another organization")
            #expect(try connection.execute("UPDATE providers SET first_name = 'X'").affectedRows == 2)
            // Moving a provider out of the organization is refused.
            let error = #expect(throws: StoreError.self) {
                try connection.execute("UPDATE providers SET org_id = $1", [.text(F.orgB)])
            }
            #expect(error?.sqlState == "42501")
            let insertElsewhere = #expect(throws: StoreError.self) {
                try connection.execute("INSERT INTO providers (org_id, first_name) VALUES ($1, 'New')", [.text(F.orgB)])
            }
            #expect(insertElsewhere?.sqlState == "42501")
            try connection.execute("INSERT INTO providers (org_id, first_name) VALUES ($1, 'New')", [.text(F.orgA)])
            // Organizations and role assignment belong to superadmins.
            #expect(try connection.execute("UPDATE organizations SET name = 'Renamed'").affectedRows == 0)
            #expect(throws: StoreError.self) {
                try connection.execute("INSERT INTO provider_roles (provider_id, role) VALUES ($1, 'admin')", [.text(F.uuid("p1"))])
            }
        }
    }

    @Test func superadminReadsAllAndWritesOnlyOrganizationsAndRoles() throws {
        let connection = try Self.database()
        try connection.asRole("credrules_app", app: "superadmin") { () throws in
            #expect(try updatedLicenses(connection) == 0)
            #expect(try connection.execute("UPDATE providers SET first_name = 'X'").affectedRows == 0)
            expectRefusedInsert(connection, provider: "p1", "superadmin writing facts")
            #expect(try connection.execute("UPDATE organizations SET name = name || '!'").affectedRows == 2)
            try connection.execute("INSERT INTO organizations (name) VALUES ('C')")
            try connection.execute("INSERT INTO provider_roles (provider_id, role) VALUES ($1, 'admin')", [.text(F.uuid("p3"))])
        }
    }

    @Test func agentTouchesOnlySyntheticRows() throws {
        let connection = try Self.database()
        try connection.asRole("credrules_app", app: "agent") { () throws in
            #expect(try updatedLicenses(connection) == 1)
            try insertLicense(connection, provider: "p2")
            expectRefusedInsert(connection, provider: "p1", "agent writing a production provider's license")
            let production = #expect(throws: StoreError.self) {
                try connection.execute("INSERT INTO providers (first_name, is_synthetic) VALUES ('Real', false)")
            }
            #expect(production?.sqlState == "42501")
            try connection.execute("INSERT INTO providers (first_name, is_synthetic) VALUES ('Fake', true)")
            // Turning a synthetic provider into a production one is refused.
            #expect(throws: StoreError.self) { try connection.execute("UPDATE providers SET is_synthetic = false") }
            #expect(try connection.execute("DELETE FROM licenses WHERE provider_id = $1", [.text(F.uuid("p1"))]).affectedRows == 0)
        }
    }

    @Test func noRoleSeesAndWritesNothing() throws {
        let connection = try Self.database()
        for role in ["", "Provider", "superadmin ", "credrules_app"] {
            try connection.asRole("credrules_app", app: role, provider: F.uuid("p1"), org: F.orgA) { () throws in
                #expect(try updatedLicenses(connection) == 0, "role `\(role)`")
                expectRefusedInsert(connection, provider: "p1", "no role `\(role)`")
            }
        }
    }

    @Test func grantsOfTheDatabaseRoles() throws {
        let connection = try Self.database()
        func denied(_ sql: String, as role: String, app: String = "superadmin", _ comment: Comment) {
            let error = #expect(throws: StoreError.self, comment) {
                try connection.asRole(role, app: app) { try connection.execute(sql) }
            }
            #expect(error?.sqlState == "42501", comment)
        }
        // The API: no writes to engine outputs, no reading or forging change events, no deleting notifications.
        denied("INSERT INTO compliance_windows (provider_id, compliance_status, rule_version_id) SELECT provider_id, 'compliant', rule_version_id FROM compliance_windows",
               as: "credrules_app", "app writing engine output")
        denied("SELECT count(*) FROM change_events", as: "credrules_app", "app reading change events")
        denied("INSERT INTO change_events (table_name, row_id, change_type, actor_id) VALUES ('x', 'y', 'insert', 'z')",
               as: "credrules_app", "app forging a change event")
        denied("SELECT count(*) FROM audit_logs", as: "credrules_app", "app reading the audit log")
        denied("DELETE FROM notifications_sent", as: "credrules_app", app: "admin", "app deleting notifications")
        denied("INSERT INTO credential_versions (provider_id, entity_type, entity_id, version_number, diff_json, actor_id) SELECT id, 'license', id, 99, '{}', 'x' FROM providers",
               as: "credrules_app", "app forging a credential version")
        denied("SELECT credrules_retention_purge(current_date)", as: "credrules_app", "app running retention")
        denied("SELECT credrules_retention_purge(current_date)", as: "credrules_engine", "engine running retention")
        // The engine: reads every fact, writes its outputs, never facts.
        try connection.asRole("credrules_engine") { () throws in
            #expect(try connection.value("SELECT count(*) FROM licenses") == "3")
            #expect(try connection.execute("UPDATE compliance_windows SET compliance_status = 'at_risk'").affectedRows == 3)
            try connection.execute("INSERT INTO rules_execution_log (provider_id, rule_version_id, rule_type, inputs_json, outputs_json) SELECT provider_id, rule_version_id, 'x', '{}', '{}' FROM compliance_windows")
        }
        denied("UPDATE licenses SET status = 'revoked'", as: "credrules_engine", "engine writing facts")
        // Retention: only the function.
        denied("SELECT count(*) FROM audit_logs", as: "credrules_retention", "retention reading the audit log")
        denied("DELETE FROM change_events", as: "credrules_retention", "retention deleting directly")
        try connection.asRole("credrules_retention") { () throws in
            #expect(try connection.value("SELECT (credrules_retention_purge(current_date) -> 'purged' ->> 'audit_logs')") == "0")
        }
    }
}
