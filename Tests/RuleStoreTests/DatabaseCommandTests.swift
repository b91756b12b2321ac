import Foundation
import RuleStore
import Testing

/// The `credrules db …` and `publish` commands, run as a user runs them, against the test server.
@Suite struct DatabaseCommandTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

    typealias Outcome = ChildProcess.Ending

    /// Runs `credrules` with `arguments` against `database` and waits for its end.
    static func credrules(_ arguments: [String], database: String, environment extra: [String: String] = [:]) throws -> Outcome {
        try ChildProcess(credrules: arguments, database: database, environment: extra).wait()
    }

    static func facts(_ lines: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credrules-facts-\(UUID().uuidString).jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func migrateStatusImportPublishRetentionEachLeaveAnAuditRow() throws {
        let database = try TestDatabase.empty()
        let migrate = try Self.credrules(["db", "migrate", "--actor", "ci"], database: database)
        #expect(migrate.status == 0, "\(migrate.stderr)")
        // Every bundled migration, in version order (the list grows with each migration file).
        let names = try Migration.bundled().map(\.fileName)
        #expect(names.first == "0001_schema.sql")
        #expect(migrate.stdout == names.map { "applied \($0)\n" }.joined())
        #expect(try Self.credrules(["db", "migrate", "--actor", "ci"], database: database).stdout == "database is up to date\n")
        let status = try Self.credrules(["db", "status", "--actor", "ci"], database: database)
        #expect(status.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == names.map { "applied \($0)" })

        let file = try Self.facts([
            #"{"organizations":[{"id":"org-1","name":"One"}],"documents":[{"id":"doc-1","provider_id":"p-1"}],"providers":[{"id":"p-1","org_id":"org-1","npi":"1234567893","is_synthetic":true}],"licenses":[{"id":"l-1","provider_id":"p-1","state":"TX","status":"active","expiration_date":"2027-01-31","extracted_from_doc_id":"doc-1"}]}"#,
            #"{"providers":[{"id":"p-2","org_id":"org-1"}],"cme_events":[{"id":"c-1","provider_id":"p-2","category":"ethics","credits_earned":"1.5","completion_date":"2026-01-01"}]}"#,
        ])
        defer { try? FileManager.default.removeItem(atPath: file) }
        let imported = try Self.credrules(["db", "import", "--actor", "ci", file], database: database)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("providers: 2 rows, 2 inserted, 0 updated, 0 unchanged"))
        let missingKey = try Self.credrules(["db", "import", file], database: database, environment: ["CREDRULES_ENCRYPTION_KEY": ""])
        #expect(missingKey.status == 1 && missingKey.stderr.contains("no encryption key"))

        let bad = try Self.facts([#"{"providers":[{"id":"p-3"}]}"#, #"{"licenses":[{"id":"l-9","provider_id":"p-3","state":"TX","status":"active","expiration_date":"someday"}]}"#])
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let refused = try Self.credrules(["db", "import", "--actor", "ci", bad], database: database)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("line 2, licenses[0] (id `l-9`), column `expiration_date`"), "\(refused.stderr)")

        let published = try Self.credrules(["publish", "--actor", "ci", "RulePacks/US-TX"], database: database)
        #expect(published.status == 0, "\(published.stderr)")
        #expect(published.stdout.hasPrefix("published US-TX/physician-license as version 1"))
        #expect(try Self.credrules(["publish", "--actor", "ci", "RulePacks/US-TX"], database: database).stdout.hasPrefix("unchanged US-TX/physician-license (version 1)"))

        let retention = try Self.credrules(["db", "retention", "--actor", "ci", "--as-of", "2026-01-01"], database: database)
        #expect(retention.status == 0, "\(retention.stderr)")
        #expect(retention.stdout.contains(#""purged": {"audit_logs": 0"#))

        let connection = try Connection(url: database)
        let audit = try connection.column("SELECT action || ':' || status FROM audit_logs WHERE actor_id = 'ci' AND action NOT LIKE 'ddl.%' ORDER BY \"timestamp\", action")
        #expect(audit == ["db.migrate:success", "db.migrate:success", "db.status:success", "db.import:success", "db.import:failure",
                          "publish:success", "publish:success", "retention.purge:success"])
        #expect(try connection.value("SELECT metadata_json -> 'counts' -> 'tables' -> 'providers' ->> 'inserted' FROM audit_logs WHERE action = 'db.import' AND status = 'success'") == "2")
        // Change events carry the command's actor.
        #expect(try connection.value("SELECT DISTINCT actor_id FROM change_events WHERE table_name = 'licenses'") == "ci")
        #expect(try connection.value("SELECT count(*) FROM providers WHERE external_id = 'p-3'") == "0")
    }

    @Test func noDatabaseIsAUsageError() throws {
        let outcome = try Self.credrules(["db", "status"], database: "")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("pass --database URL or set CREDRULES_DATABASE_URL"))
        let unreachable = try Self.credrules(["db", "status", "--database", "postgresql://nobody@127.0.0.1:1/none"], database: "")
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("connect to postgresql://nobody@127.0.0.1:1/none"))
    }
}
