import Foundation
import RuleStore
import Testing

@Suite struct MigrationTests {
    @Test func appliesEveryBundledMigrationOnceAndRecordsChecksums() throws {
        let connection = try Connection(url: try TestDatabase.empty())
        let migrator = try Migrator(migrations: try Migration.bundled())
        let applied = try migrator.migrate(on: connection)
        #expect(applied.map(\.fileName) == migrator.migrations.map(\.fileName))
        #expect(applied.count >= 2)
        let checksums = try connection.column("SELECT checksum FROM schema_migrations ORDER BY version")
        #expect(checksums == migrator.migrations.map(\.checksum))

        // Run again: nothing applied, nothing changed.
        let before = try connection.value("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace")
        #expect(try migrator.migrate(on: connection).isEmpty)
        #expect(try connection.value("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace") == before)
        #expect(try migrator.status(on: connection).allSatisfy { $0.state == .applied })
    }

    @Test func everyDataBibleTableExists() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let dataBible = [
            "providers", "provider_identifiers", "provider_roles", "provider_settings", "provider_states", "organizations",
            "licenses", "dea_registrations", "csr_certificates", "board_certifications", "cme_events",
            "cme_categories_required", "compliance_windows", "compliance_gap_analysis", "rules_execution_log", "documents",
            "document_metadata", "document_lineage", "parsing_jobs", "credential_confidence_audit", "credential_versions",
            "notification_preferences", "notifications_sent", "email_events", "bulk_message_jobs", "audit_logs",
            "change_events", "integration_logs", "rule_versions", "system_settings",
            // extensions
            "provider_attributes", "evaluation_runs", "retention_runs",
        ]
        // rules_execution_log is a view over its entry and document tables (0006).
        let tables = Set(try connection.column("SELECT tablename FROM pg_tables WHERE schemaname = 'public' UNION ALL SELECT viewname FROM pg_views WHERE schemaname = 'public'").compactMap { $0 })
        for table in dataBible { #expect(tables.contains(table), "missing table \(table)") }
        // Real types, not text everywhere.
        let types = try connection.execute("""
            SELECT table_name || '.' || column_name AS name, data_type FROM information_schema.columns
            WHERE table_schema = 'public' AND (table_name, column_name) IN
              (('providers','id'), ('providers','npi'), ('licenses','expiration_date'), ('cme_events','credits_earned'),
               ('dea_registrations','schedules'), ('audit_logs','timestamp'))
            ORDER BY 1
            """)
        #expect(types.rows.map { "\($0[0]!)=\($0[1]!)" } == [
            "audit_logs.timestamp=timestamp with time zone", "cme_events.credits_earned=numeric",
            "dea_registrations.schedules=jsonb", "licenses.expiration_date=date", "providers.id=uuid", "providers.npi=bytea",
        ])
    }

    @Test func changedAppliedMigrationIsRefused() throws {
        let connection = try Connection(url: try TestDatabase.empty())
        let original = Migration(version: 1, name: "first", sql: "CREATE TABLE first_table (id integer PRIMARY KEY);")
        try Migrator(migrations: [original]).migrate(on: connection)
        let edited = Migration(version: 1, name: "first", sql: "CREATE TABLE first_table (id bigint PRIMARY KEY);")
        let second = Migration(version: 2, name: "second", sql: "CREATE TABLE second_table (id integer);")
        let error = #expect(throws: StoreError.self) { try Migrator(migrations: [edited, second]).migrate(on: connection) }
        #expect(error?.message.contains("0001_first.sql changed after it was applied") == true)
        #expect(error?.message.contains(original.checksum) == true)
        // Nothing after it ran.
        #expect(try connection.value("SELECT to_regclass('second_table')::text") == nil)
        #expect(throws: StoreError.self) { try Migrator(migrations: [edited]).status(on: connection) }
    }

    @Test func failingMigrationLeavesTheDatabaseAsItWas() throws {
        let connection = try Connection(url: try TestDatabase.empty())
        let good = Migration(version: 1, name: "good", sql: "CREATE TABLE kept (id integer);")
        let bad = Migration(version: 2, name: "bad", sql: """
            CREATE TABLE half_made (id integer);
            INSERT INTO kept VALUES (1);
            SELECT 1 / 0;
            """)
        let error = #expect(throws: StoreError.self) { try Migrator(migrations: [good, bad]).migrate(on: connection) }
        #expect(error?.message.contains("0002_bad.sql failed and was rolled back") == true)
        #expect(error?.sqlState == "22012")
        #expect(try connection.value("SELECT to_regclass('half_made')::text") == nil)
        #expect(try connection.value("SELECT count(*) FROM kept") == "0")
        #expect(try connection.column("SELECT version::text FROM schema_migrations") == ["1"])
        let status = try Migrator(migrations: [good, bad]).status(on: connection)
        #expect(status.map(\.state) == [.applied, .pending])
    }

    @Test func unknownAppliedMigrationIsRefused() throws {
        let connection = try Connection(url: try TestDatabase.empty())
        let first = Migration(version: 1, name: "a", sql: "SELECT 1;")
        let second = Migration(version: 2, name: "b", sql: "SELECT 2;")
        try Migrator(migrations: [first, second]).migrate(on: connection)
        let error = #expect(throws: StoreError.self) { try Migrator(migrations: [first]).migrate(on: connection) }
        #expect(error?.message.contains("newer than this build") == true)
    }

    @Test func migrationOnADatabaseWithDataKeepsEveryRow() throws {
        let connection = try Connection(url: try TestDatabase.empty())
        let bundled = try Migration.bundled()
        let first = try #require(bundled.first)
        try Migrator(migrations: [first]).migrate(on: connection)
        // Rows in the first version of the schema (as a superuser: no policies yet).
        try connection.execute("INSERT INTO organizations (id, external_id, name) VALUES (credrules_id('org-1'), 'org-1', 'One')")
        try connection.execute("""
            INSERT INTO providers (id, external_id, org_id, first_name)
            SELECT credrules_id('p' || n), 'p' || n, credrules_id('org-1'), 'Name ' || n FROM generate_series(1, 50) AS n
            """)
        try connection.execute("""
            INSERT INTO licenses (id, external_id, provider_id, state, status, expiration_date)
            SELECT credrules_id('l' || n), 'l' || n, credrules_id('p' || n), 'TX', 'active', DATE '2027-01-31' FROM generate_series(1, 50) AS n
            """)
        let before = try connection.column("SELECT md5(string_agg(l::text, ',' ORDER BY l.id)) FROM licenses l")
        let applied = try Migrator(migrations: bundled).migrate(on: connection)
        #expect(applied.map(\.version) == bundled.dropFirst().map(\.version))
        #expect(try connection.value("SELECT count(*) FROM providers") == "50")
        #expect(try connection.column("SELECT md5(string_agg(l::text, ',' ORDER BY l.id)) FROM licenses l") == before)
    }

    @Test func fileNamesAreChecked() throws {
        #expect(throws: StoreError.self) { try Migration.parse(fileName: "schema.sql", sql: "") }
        #expect(throws: StoreError.self) { try Migration.parse(fileName: "01_schema.sql", sql: "") }
        let migration = try Migration.parse(fileName: "0007_add_things.sql", sql: "")
        #expect(migration.version == 7 && migration.name == "add_things")
        let error = #expect(throws: StoreError.self) {
            try Migrator(migrations: [Migration(version: 3, name: "a", sql: ""), Migration(version: 3, name: "b", sql: "")])
        }
        #expect(error?.message.contains("two migrations have version 3") == true)
    }

    @Test func rowIDsMatchTheSQLFunction() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        for id in ["prov-000001", "org-0021", "é'; DROP TABLE providers; --", ""] {
            #expect(try connection.value("SELECT credrules_id($1)::text", [.text(id)]) == RowID.uuid(forExternalID: id))
        }
    }
}

@Suite struct VocabularySyncTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The codes of the first table under `## heading` in Grammar/categories.md.
    static func grammarCodes(under heading: String) throws -> [String] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Grammar/categories.md"), encoding: .utf8)
        var inSection = false
        var codes: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                if inSection { break }
                inSection = line.hasPrefix(heading)
                continue
            }
            guard inSection, line.hasPrefix("| `") else { continue }
            let code = line.dropFirst(3).prefix { $0 != "`" }
            codes.append(String(code))
        }
        return codes
    }

    @Test func everyGrammarCategoryAndCreditTypeIsAcceptedByTheDatabase() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let categories = try Self.grammarCodes(under: "## CME categories")
        #expect(categories.count >= 24)
        for category in categories {
            let accepted = try connection.value(
                "SELECT pg_get_constraintdef(oid) LIKE '%''' || $1 || '''%' FROM pg_constraint WHERE conname = 'cme_events_category_check'",
                [.text(category)])
            #expect(accepted == "t", "cme_events.category does not accept `\(category)` (Grammar/categories.md): add it in a migration")
        }
        #expect(try connection.value("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'cme_events_category_check'")?.contains("'general'") == true)
    }
}
