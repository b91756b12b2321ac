import Foundation
@testable import RuleStore
import Testing

/// `credrules db rotate-key` and `credrules db import` as a user runs them, when things go wrong:
/// wrong or missing keys, a rotation interrupted half-way, an import killed with SIGKILL while its
/// transaction holds staged and upserted rows.
@Suite struct ImportRecoveryTests {
    static let oldKey = DatabaseCommandTests.key
    /// Another valid key: base64 of 32 bytes 0x20…0x3f.
    static let newKey = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
    static let strangerKey = "QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8="

    static func cipher(_ base64: String) throws -> FieldCipher {
        try FieldCipher.fromEnvironment(keyFile: nil, environment: ["CREDRULES_ENCRYPTION_KEY": base64])
    }

    /// `count` providers, each with an NPI, a phone and an identifier, one JSON Lines line each.
    static func providerLines(_ range: ClosedRange<Int>, status: String = "active") -> [String] {
        range.map { n in
            let npi = String(1_000_000_000 + n)
            return #"{"organizations":[\#(n == range.lowerBound ? #"{"id":"org-1","name":"One"}"# : "")],"providers":[{"id":"p-\#(n)","org_id":"org-1","npi":"\#(npi)","phone":"555-\#(n)","is_synthetic":true}],"provider_identifiers":[{"id":"pi-\#(n)","provider_id":"p-\#(n)","id_type":"npi","id_value":"\#(npi)"}],"licenses":[{"id":"l-\#(n)","provider_id":"p-\#(n)","state":"TX","status":"\#(status)","expiration_date":"2027-01-31"}]}"#
        }
    }

    @Test func rotateKeyReencryptsInBatchesKeepsTheBlindIndexAndRefusesWrongKeys() throws {
        let database = try TestDatabase.migrated()
        let file = try DatabaseCommandTests.facts(Self.providerLines(1...7))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let imported = try DatabaseCommandTests.credrules(["db", "import", "--actor", "ci", file], database: database)
        #expect(imported.status == 0, "\(imported.stderr)")
        let old = try Self.cipher(Self.oldKey), new = try Self.cipher(Self.newKey)
        let connection = try Connection(url: database)

        // No new key, the same key twice, a current key the database was not encrypted with.
        let noNewKey = try DatabaseCommandTests.credrules(["db", "rotate-key"], database: database)
        #expect(noNewKey.status == 1 && noNewKey.stderr.contains("CREDRULES_NEW_ENCRYPTION_KEY"), "\(noNewKey.stderr)")
        let sameKey = try DatabaseCommandTests.credrules(["db", "rotate-key"], database: database,
                                                         environment: ["CREDRULES_NEW_ENCRYPTION_KEY": Self.oldKey])
        #expect(sameKey.status == 1 && sameKey.stderr.contains("the new key is the current key"), "\(sameKey.stderr)")
        let wrongCurrent = try DatabaseCommandTests.credrules(
            ["db", "rotate-key"], database: database,
            environment: ["CREDRULES_ENCRYPTION_KEY": Self.strangerKey, "CREDRULES_NEW_ENCRYPTION_KEY": Self.newKey])
        #expect(wrongCurrent.status == 1, "\(wrongCurrent.stdout)")
        #expect(wrongCurrent.stderr.contains("providers holds values encrypted with key \(old.keyID), which is neither the current key given"),
                "\(wrongCurrent.stderr)")
        let malformed = try DatabaseCommandTests.credrules(["db", "rotate-key"], database: database,
                                                           environment: ["CREDRULES_NEW_ENCRYPTION_KEY": "c2hvcnQ="])
        #expect(malformed.status == 1 && malformed.stderr.contains("32 bytes, got 5"), "\(malformed.stderr)")
        #expect(try connection.value("SELECT count(*) FROM providers WHERE encryption_key_id = $1", [.text(old.keyID)]) == "7")

        // Interrupted: p-5's phone is damaged, so the batch holding it fails after the first
        // batches committed. The error names the row; nothing of that batch changed.
        let ordered = try connection.column("SELECT external_id FROM providers ORDER BY id").compactMap { $0 }
        let victim = ordered[4]
        let phone = try #require(try connection.execute("SELECT phone FROM providers WHERE external_id = $1", [.text(victim)]).bytes(0, "phone"))
        var damaged = phone
        damaged[damaged.count - 1] ^= 0xff
        try connection.execute("UPDATE providers SET phone = $1 WHERE external_id = $2", [.bytes(damaged), .text(victim)])
        let interrupted = try DatabaseCommandTests.credrules(["db", "rotate-key", "--batch-size", "2", "--actor", "ci"], database: database,
                                                             environment: ["CREDRULES_NEW_ENCRYPTION_KEY": Self.newKey])
        #expect(interrupted.status == 1)
        #expect(interrupted.stderr.contains("providers row `\(victim)`") && interrupted.stderr.contains("does not decrypt"), "\(interrupted.stderr)")
        #expect(try connection.column("SELECT external_id FROM providers WHERE encryption_key_id = $1 ORDER BY id", [.text(new.keyID)])
                == Array(ordered.prefix(4).map(Optional.some)))
        // While half-rotated, an import refuses to mix keys.
        let mixed = try DatabaseCommandTests.credrules(["db", "import", file], database: database)
        #expect(mixed.status == 1 && mixed.stderr.contains("re-encrypt first with `credrules db rotate-key`"), "\(mixed.stderr)")

        // Repaired, the same command resumes with the rows still under the old key.
        try connection.execute("UPDATE providers SET phone = $1 WHERE external_id = $2", [.bytes(phone), .text(victim)])
        let resumed = try DatabaseCommandTests.credrules(["db", "rotate-key", "--batch-size", "2", "--actor", "ci"], database: database,
                                                         environment: ["CREDRULES_NEW_ENCRYPTION_KEY": Self.newKey])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout == "re-encrypted 3 providers and 7 identifiers from key \(old.keyID) to \(new.keyID)\n")
        for table in ["providers", "provider_identifiers"] {
            #expect(try connection.column("SELECT DISTINCT encryption_key_id FROM \(table)") == [new.keyID])
        }
        let row = try connection.execute("SELECT npi, phone FROM providers WHERE external_id = 'p-3'")
        #expect(try new.decrypt(try #require(try row.bytes(0, "npi")), column: "providers.npi") == "1000000003")
        #expect(try new.decrypt(try #require(try row.bytes(0, "phone")), column: "providers.phone") == "555-3")
        #expect(throws: KeyError.self) { try old.decrypt(try #require(try row.bytes(0, "npi")), column: "providers.npi") }
        let identifier = try #require(try connection.execute("SELECT id_value FROM provider_identifiers WHERE external_id = 'pi-6'").bytes(0, "id_value"))
        #expect(try new.decrypt(identifier, column: "provider_identifiers.id_value") == "1000000006")
        // The blind index follows the key: the new one finds the NPI, the old one no longer does.
        #expect(try connection.providerExternalIDs(withNPI: "1000000003", cipher: new) == ["p-3"])
        #expect(try connection.providerExternalIDs(withNPI: "1000000003", cipher: old) == [])
        // Every re-encrypted row was recorded as an update by the command's actor.
        #expect(try connection.value("SELECT count(*) FROM change_events WHERE table_name = 'providers' AND change_type = 'update' AND actor_id = 'ci'") == "7")

        // Done: nothing left to rotate; the old key is now the wrong one; the new one imports.
        let again = try DatabaseCommandTests.credrules(["db", "rotate-key"], database: database,
                                                       environment: ["CREDRULES_NEW_ENCRYPTION_KEY": Self.newKey])
        #expect(again.status == 0 && again.stdout.hasPrefix("re-encrypted 0 providers and 0 identifiers"), "\(again.stderr)")
        let oldImport = try DatabaseCommandTests.credrules(["db", "import", file], database: database)
        #expect(oldImport.status == 1 && oldImport.stderr.contains("encrypted with key \(new.keyID), but the key given is \(old.keyID)"))
        let newImport = try DatabaseCommandTests.credrules(["db", "import", file], database: database,
                                                           environment: ["CREDRULES_ENCRYPTION_KEY": Self.newKey])
        #expect(newImport.status == 0 && newImport.stdout.contains("providers: 7 rows, 0 inserted, 0 updated, 7 unchanged"), "\(newImport.stderr)")
        let audit = try connection.column("SELECT status FROM audit_logs WHERE action = 'db.rotate-key' ORDER BY \"timestamp\"")
        // A missing or malformed key fails before connecting; the rest leave an audit row.
        #expect(audit == ["failure", "failure", "failure", "success", "success"])
    }

    /// What an import may have touched, to compare before and after.
    static func snapshot(_ connection: Connection) throws -> [String] {
        try ["organizations", "providers", "provider_identifiers", "licenses", "change_events", "credential_versions", "document_lineage"].map { table in
            "\(table)=\(try connection.value("SELECT count(*) FROM \(table)") ?? "?")"
        } + [try connection.value("SELECT string_agg(external_id || ':' || status, ',' ORDER BY external_id) FROM licenses") ?? ""]
    }

    /// Starts `credrules db import` on `file` without waiting for it.
    static func startImport(_ file: String, database: String) throws -> ChildProcess {
        try ChildProcess(credrules: ["db", "import", "--actor", "killed", file], database: database)
    }

    /// Polls `query` (one value) until it is true, for at most a minute.
    static func waitUntil(_ connection: Connection, _ query: String, _ parameters: [SQLParameter?] = []) throws -> Bool {
        for _ in 0..<600 {
            if try connection.value(query, parameters) == "t" { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    static func kill(_ child: ChildProcess) throws -> ChildProcess.Ending {
        child.kill9()
        return try child.wait()
    }

    /// The pid of the server session of this database that matches `condition` (SQL over
    /// pg_stat_activity, a constant of this file), polled for at most a minute.
    static func waitForBackend(_ connection: Connection, _ condition: String, pollEvery interval: Double = 0.1) throws -> String? {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let pid = try connection.value("SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND \(condition) LIMIT 1") {
                return pid
            }
            Thread.sleep(forTimeInterval: interval)
        }
        return nil
    }

    /// The killed import's server session ended (its transaction rolled back), so what follows
    /// reads what was committed, not merely what another session cannot see yet.
    static func gone(_ connection: Connection, _ pid: String) throws -> Bool {
        try waitUntil(connection, "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1::integer)", [.text(pid)])
    }

    @Test func importKilledMidUpsertLeavesNothingHalfLoaded() throws {
        let database = try TestDatabase.migrated()
        let connection = try Connection(url: database)
        let first = try DatabaseCommandTests.facts(Self.providerLines(1...20))
        defer { try? FileManager.default.removeItem(atPath: first) }
        #expect(try DatabaseCommandTests.credrules(["db", "import", first], database: database).status == 0)
        let before = try Self.snapshot(connection)

        // The second file changes every license and adds providers. A second session holds the
        // row lock of the last license, so the import blocks in its licenses UPDATE, after its
        // providers and identifiers were upserted (with their change events) in its transaction.
        let second = try DatabaseCommandTests.facts(Self.providerLines(1...40, status: "expired"))
        defer { try? FileManager.default.removeItem(atPath: second) }
        let blocker = try Connection(url: database)
        try blocker.execute("BEGIN")
        try blocker.execute("SELECT 1 FROM licenses WHERE external_id = 'l-20' FOR UPDATE")
        let process = try Self.startImport(second, database: database)
        let backend = try Self.waitForBackend(connection, "wait_event_type = 'Lock' AND query LIKE 'UPDATE licenses%'")
        #expect(backend != nil, "the import reached the licenses upsert and waits for the row lock")
        // It has written: the providers upsert of its transaction holds row locks on new rows.
        #expect(try connection.value("SELECT count(*) > 0 FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.datname = current_database() AND a.query LIKE 'UPDATE licenses%' AND l.locktype = 'transactionid' AND l.granted") == "t")
        let killed = try Self.kill(process)
        #expect(killed.signalled && killed.status == SIGKILL)
        // Releasing the lock lets the orphaned session run on, find its client gone and roll back.
        try blocker.execute("ROLLBACK")
        if let backend { #expect(try Self.gone(connection, backend)) }
        #expect(try Self.snapshot(connection) == before)
        #expect(try connection.value("SELECT count(*) FROM change_events WHERE actor_id = 'killed'") == "0")

        // The database is not wedged: the same file imports in full.
        let rerun = try DatabaseCommandTests.credrules(["db", "import", second], database: database)
        #expect(rerun.status == 0 && rerun.stdout.contains("licenses: 40 rows, 20 inserted, 20 updated, 0 unchanged"), "\(rerun.stderr)")
    }

    @Test func importKilledMidCopyLeavesNothingHalfLoaded() throws {
        let database = try TestDatabase.migrated()
        let connection = try Connection(url: database)
        let first = try DatabaseCommandTests.facts(Self.providerLines(1...5))
        defer { try? FileManager.default.removeItem(atPath: first) }
        #expect(try DatabaseCommandTests.credrules(["db", "import", first], database: database).status == 0)
        let before = try Self.snapshot(connection)

        // 12,000 lines are staged in 24 COPY chunks while the client parses and encrypts; the
        // import is killed the moment its session is seen staging (in a COPY, or between two).
        let big = try DatabaseCommandTests.facts(Self.providerLines(1...12_000, status: "expired"))
        defer { try? FileManager.default.removeItem(atPath: big) }
        let process = try Self.startImport(big, database: database)
        let backend = try Self.waitForBackend(connection, "query LIKE 'COPY stage_%'", pollEvery: 0.02)
        #expect(backend != nil, "the import was seen staging rows with COPY")
        let killed = try Self.kill(process)
        #expect(killed.signalled)
        if let backend { #expect(try Self.gone(connection, backend)) }
        #expect(try Self.snapshot(connection) == before)
        #expect(try connection.value("SELECT count(*) FROM change_events WHERE actor_id = 'killed'") == "0")
        #expect(try connection.value("SELECT count(*) FROM pg_class WHERE relname LIKE 'stage_%'") == "0")
    }
}
