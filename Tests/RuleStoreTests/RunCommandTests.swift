import Foundation
@testable import RuleStore
import Testing

/// `credrules run`, the nightly engine, against the test server with the sample population
/// imported and the bundled packs published.
@Suite struct RunCommandTests {
    static let asOf = "2026-11-26"

    /// A migrated database holding Examples/sample-facts.json (with the organizations and
    /// documents it refers to) and the published RulePacks; its URL.
    static func populated() throws -> String {
        let database = try TestDatabase.migrated()
        let path = try TestDatabase.sampleFactsWithReferences()
        defer { try? FileManager.default.removeItem(at: path) }
        let imported = try DatabaseCommandTests.credrules(["db", "import", path.path], database: database)
        try #require(imported.status == 0, "\(imported.stderr)")
        let published = try DatabaseCommandTests.credrules(["publish", "RulePacks"], database: database)
        try #require(published.status == 0, "\(published.stderr)")
        return database
    }

    static func run(_ database: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> DatabaseCommandTests.Outcome {
        try DatabaseCommandTests.credrules(["run", "--as-of", asOf, "--batch-size", "7"] + extra, database: database, environment: environment)
    }

    /// What `credrules eval --out` writes for the same sample, packs and date: the database run
    /// must give the same verdicts and row counts as the file run (one evaluator, two edges).
    struct FileRun {
        let statuses: String, providers: Int, licenses: Int, windows: Int, gaps: Int, logEntries: Int
    }

    static let fileRun: FileRun = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("credrules-filerun-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let sample = DatabaseCommandTests.repositoryRoot.appendingPathComponent("Examples/sample-facts.json")
        let eval = try! DatabaseCommandTests.credrules(
            ["eval", "--packs", "RulePacks", "--facts", sample.path, "--as-of", asOf, "--out", out.path], database: "")
        func lines(_ name: String) -> Int {
            ((try? String(contentsOf: out.appendingPathComponent(name), encoding: .utf8)) ?? "").split(separator: "\n").count
        }
        // "60 providers evaluated; at_risk 4, compliant 79, …; 0 rows rejected" → "at_risk 4, compliant 79, …"
        let summary = eval.stderr.split(separator: "\n").first { $0.contains(" providers evaluated; ") }.map(String.init) ?? ""
        let statuses = summary.components(separatedBy: "evaluated; ").last?.components(separatedBy: "; ").first ?? ""
        let facts = (try? JSONSerialization.jsonObject(with: Data(contentsOf: sample))) as? [String: [Any]] ?? [:]
        return FileRun(statuses: statuses, providers: facts["providers"]?.count ?? -1, licenses: facts["licenses"]?.count ?? -1,
                       windows: lines("compliance_windows.jsonl"), gaps: lines("compliance_gap_analysis.jsonl"),
                       logEntries: lines("rules_execution_log.jsonl"))
    }()

    static func count(_ connection: Connection, _ sql: String) throws -> Int {
        Int(try connection.value(sql) ?? "") ?? -1
    }

    @Test func aRunWritesEveryProvidersResultsAndASecondRunDoesNothingUnlessForced() throws {
        let database = try Self.populated()
        let first = try Self.run(database)
        #expect(first.status == 0, "\(first.stderr)")
        let file = Self.fileRun
        #expect(file.windows > 0 && !file.statuses.isEmpty, "the file run of the sample: \(file)")
        #expect(first.stdout.contains("\(file.providers) providers; \(file.statuses); 0 rows rejected"), "\(first.stdout) against \(file)")
        // The summary: gap types, rows written, rule versions, time; off a terminal, one structured log line per batch.
        #expect(first.stdout.contains("\ngaps by type: "), "\(first.stdout)")
        #expect(first.stdout.contains("written: \(file.windows) windows, \(file.gaps) gaps, \(file.logEntries) log entries"), "\(first.stdout)")
        #expect(first.stdout.contains("\nrule versions: US-TX/physician-license@1, ") || first.stdout.contains(", US-TX/physician-license@1"), "\(first.stdout)")
        let batchLines = first.stderr.split(separator: "\n").filter { $0.contains("batch written") }
        #expect(batchLines.count == (file.providers + 6) / 7, "\(first.stderr)")
        #expect(batchLines.last?.contains("providers_done=\(file.providers) ") == true, "\(first.stderr)")
        #expect(first.stderr.contains("run completed"), "\(first.stderr)")
        #expect(!first.stderr.contains("\u{1B}["), "no progress bar off a terminal")
        let connection = try Connection(url: database)
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows") == Self.fileRun.windows)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log") == Self.fileRun.logEntries)
        #expect(try Self.count(connection, "SELECT count(DISTINCT entry_sequence) FROM rules_execution_log") == Self.fileRun.logEntries)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log WHERE inputs_sha256 <> encode(sha256(convert_to(inputs_canonical, 'UTF8')), 'hex')") == 0)
        #expect(try connection.value("SELECT status || ' ' || providers_done || ' ' || log_entries FROM evaluation_runs") == "completed \(Self.fileRun.providers) \(Self.fileRun.logEntries)")

        let second = try Self.run(database)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("already completed"), "\(second.stdout)")
        #expect(try Self.count(connection, "SELECT count(*) FROM evaluation_runs") == 1)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log") == Self.fileRun.logEntries)

        let forced = try Self.run(database, ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try Self.count(connection, "SELECT count(*) FROM evaluation_runs WHERE status = 'completed'") == 2)
        // Windows and gaps are replaced (the current ones), the log appended.
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows") == Self.fileRun.windows)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log") == 2 * Self.fileRun.logEntries)

        // Every run leaves its audit row, as the engine.
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'run' AND actor_role = 'credrules_engine' AND status = 'success'") == 3)
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'run' AND metadata_json ? 'evaluation_run_id'") == 3)
    }

    /// The next night brings the current windows and gaps up to date in place: the same rows as a run
    /// into a database that had none, a row whose key stays is updated (its change event holds the
    /// columns that changed), and only a row whose key comes or goes is inserted or deleted.
    @Test func aLaterNightUpdatesTheResultsInPlaceAndRecordsOnlyWhatChanged() throws {
        let database = try Self.populated(), fresh = try Self.populated()
        #expect(try Self.run(database).status == 0)
        let connection = try Connection(url: database)
        // Between the nights, in both databases: one provider's CME events go, a DEA registration goes, a license lapses.
        for url in [database, fresh] {
            let writer = try Connection(url: url)
            try writer.execute("DELETE FROM cme_events WHERE provider_id = credrules_id('prov-000003')")
            try writer.execute("DELETE FROM dea_registrations WHERE id = (SELECT id FROM dea_registrations ORDER BY external_id LIMIT 1)")
            try writer.execute("""
                UPDATE licenses SET expiration_date = DATE '2026-11-20', status = 'expired'
                WHERE id = (SELECT id FROM licenses WHERE provider_id = credrules_id('prov-000004') ORDER BY id LIMIT 1)
                """)
        }
        // A row's key as NightlyOutputTable matches it (the rule version by its hash: the databases' ids differ).
        let windowKey = "provider_id || '|' || coalesce(credential_type, '') || '|' || coalesce(credential_id, '') || '|' || coalesce(v.rule_sha256, '')"
        let gapKey = "provider_id || '|' || coalesce(credential_id, '') || '|' || coalesce(v.rule_sha256, '') || '|' || gap_type || '|' || coalesce(requirement_id, '') || '|' || coalesce(code, '')"
        func keys(_ connection: Connection, _ table: String, _ key: String) throws -> [String: Int] {
            var counted: [String: Int] = [:]
            for key in try connection.column("SELECT \(key) FROM \(table) t LEFT JOIN rule_versions v ON v.id = t.rule_version_id").compactMap({ $0 }) {
                counted[key, default: 0] += 1
            }
            return counted
        }
        func surplus(_ a: [String: Int], over b: [String: Int]) -> Int { a.reduce(0) { $0 + max(0, $1.value - (b[$1.key] ?? 0)) } }
        let windowsBefore = try keys(connection, "compliance_windows", windowKey), gapsBefore = try keys(connection, "compliance_gap_analysis", gapKey)
        let windowIDs = try connection.column("SELECT id::text FROM compliance_windows ORDER BY id")
        let boundary = try #require(try connection.value("SELECT clock_timestamp()::text"))

        let nextNight = ["run", "--as-of", "2026-11-27", "--batch-size", "7"]
        for url in [database, fresh] {
            let outcome = try DatabaseCommandTests.credrules(nextNight, database: url)
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let reference = try Connection(url: fresh)
        for table in ["compliance_windows", "compliance_gap_analysis"] {
            #expect(try NightlyResilienceTests.digest(connection, table: table) == NightlyResilienceTests.digest(reference, table: table), "\(table)")
        }
        func events(_ table: String, _ type: String) throws -> Int {
            try Self.count(connection, "SELECT count(*) FROM change_events WHERE table_name = '\(table)' AND change_type = '\(type)' AND created_at > '\(boundary)'")
        }
        let windowsAfter = try keys(connection, "compliance_windows", windowKey), gapsAfter = try keys(connection, "compliance_gap_analysis", gapKey)
        for (table, before, after) in [("compliance_windows", windowsBefore, windowsAfter), ("compliance_gap_analysis", gapsBefore, gapsAfter)] {
            let inserted = surplus(after, over: before), deleted = surplus(before, over: after)
            #expect(inserted + deleted > 0, "\(table): the changed facts change some rows' keys")
            #expect(try events(table, "insert") == inserted, "\(table)")
            #expect(try events(table, "delete") == deleted, "\(table)")
        }
        // The DEA registration's window is deleted; every other window keeps its row and is updated (its run, date and day count).
        let windowsDeleted = surplus(windowsBefore, over: windowsAfter)
        #expect(windowsDeleted == 1)
        let kept = Set(try connection.column("SELECT id::text FROM compliance_windows").compactMap { $0 }).intersection(windowIDs.compactMap { $0 })
        #expect(kept.count == windowIDs.count - windowsDeleted)
        #expect(try events("compliance_windows", "update") == kept.count)
        // An update's change event: the columns that changed, before and after, never the whole row.
        let changedColumns = try connection.column("""
            SELECT DISTINCT k FROM change_events, jsonb_object_keys(new_value) k
            WHERE table_name = 'compliance_windows' AND change_type = 'update' AND created_at > '\(boundary)' ORDER BY k
            """).compactMap { $0 }
        #expect(Set(["as_of", "days_until_due", "evaluation_run_id", "updated_at"]).isSubset(of: changedColumns), "\(changedColumns)")
        #expect(Set(changedColumns).isDisjoint(with: ["id", "provider_id", "credential_id", "created_at"]), "\(changedColumns)")
        #expect(try Self.count(connection, """
            SELECT count(*) FROM change_events WHERE change_type = 'update' AND created_at > '\(boundary)'
              AND (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(previous_value) k) IS DISTINCT FROM (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(new_value) k)
            """) == 0)
    }

    @Test func aRunStoppedAfterTwoBatchesResumesWithNoDuplicateAndNoLostRow() throws {
        let whole = try Self.populated(), interrupted = try Self.populated()
        #expect(try Self.run(whole).status == 0)
        let stopped = try Self.run(interrupted, environment: ["CREDRULES_TEST_STOP_AFTER_BATCHES": "2"])
        #expect(stopped.status == 3, "\(stopped.stderr)")
        let connection = try Connection(url: interrupted)
        #expect(try connection.value("SELECT status || ' ' || providers_done || ' ' || batches_done FROM evaluation_runs") == "running 14 2")
        let resumed = try Self.run(interrupted)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming run"), "\(resumed.stderr)")
        #expect(try Self.count(connection, "SELECT count(*) FROM evaluation_runs") == 1)
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows") == Self.fileRun.windows)
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_gap_analysis") == Self.fileRun.gaps)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log") == Self.fileRun.logEntries)
        #expect(try Self.count(connection, "SELECT max(entry_sequence) FROM rules_execution_log") == Self.fileRun.logEntries)
        // The chain continues across the restart: the same last hash as the uninterrupted run.
        let reference = try Connection(url: whole)
        let head = "SELECT last_entry_sha256 || ' ' || providers_done || ' ' || log_entries FROM evaluation_runs"
        let expected = try reference.value(head)
        #expect(try connection.value(head) == expected)
    }

    @Test func threeShardsCoverEachProviderExactlyOnce() throws {
        let database = try Self.populated()
        for shard in ["0/3", "1/3", "2/3"] {
            let outcome = try Self.run(database, ["--shard", shard])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let connection = try Connection(url: database)
        #expect(try Self.count(connection, "SELECT sum(providers_done) FROM evaluation_runs") == Self.fileRun.providers)
        #expect(try Self.count(connection, "SELECT count(*) FROM evaluation_runs WHERE providers_done > 0") == 3)
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows") == Self.fileRun.windows)
        // Each provider's entries all come from one run.
        #expect(try Self.count(connection, "SELECT count(*) FROM (SELECT provider_id FROM rules_execution_log GROUP BY provider_id HAVING count(DISTINCT evaluation_run_id) > 1) x") == 0)
        let withWindows = try Self.count(connection, "SELECT count(DISTINCT provider_id) FROM compliance_windows")
        #expect(try Self.count(connection, "SELECT count(DISTINCT provider_id) FROM rules_execution_log") == withWindows)
        let outOfRange = try Self.run(database, ["--shard", "3/3"])
        #expect(outOfRange.status == 2)
        #expect(outOfRange.stderr.contains("--shard must be k/n with 0 ≤ k < n, got `3/3`"), "\(outOfRange.stderr)")
    }

    @Test func aSecondProcessForTheSameShardIsRefused() throws {
        let database = try Self.populated()
        let holder = try Connection(url: database)
        #expect(try holder.value("SELECT pg_try_advisory_lock(hashtext('credrules.run'), hashtext('0/1'))") == "t")
        let refused = try Self.run(database)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("another credrules run holds shard 0/1"), "\(refused.stderr)")
        #expect(try Self.count(holder, "SELECT count(*) FROM compliance_windows") == 0)
        #expect(try Self.count(holder, "SELECT count(*) FROM audit_logs WHERE action = 'run' AND status = 'failure'") == 1)
        _ = try holder.value("SELECT pg_advisory_unlock(hashtext('credrules.run'), hashtext('0/1'))")
        #expect(try Self.run(database, ["--shard", "0/1"]).status == 0)
    }

    /// A run whose writing session is gone but whose reading session still lives (it goes on
    /// until it next speaks to the server) still holds the shard: its reading lock.
    @Test func aLiveReadingSessionOfAnotherRunKeepsTheShard() throws {
        let database = try Self.populated()
        let holder = try Connection(url: database)
        #expect(try holder.value("SELECT pg_try_advisory_lock(hashtext('credrules.run.reader'), hashtext('0/1'))") == "t")
        let refused = try Self.run(database)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("another credrules run holds shard 0/1 (the advisory lock of its reading session)"), "\(refused.stderr)")
        #expect(try Self.count(holder, "SELECT count(*) FROM evaluation_runs") == 0)
        #expect(try Self.count(holder, "SELECT count(*) FROM compliance_windows") == 0)
        // Another shard's reading lock is another key.
        #expect(try Self.run(database, ["--shard", "1/2"]).status == 0)
        _ = try holder.value("SELECT pg_advisory_unlock(hashtext('credrules.run.reader'), hashtext('0/1'))")
        #expect(try Self.run(database, ["--shard", "0/2"]).status == 0)
    }

    @Test func theEngineRoleWritesItsOutputsAndNothingElse() throws {
        let database = try Self.populated()
        #expect(try Self.run(database).status == 0)
        let connection = try Connection(url: database)
        try connection.asRole("credrules_engine") { () throws -> Void in
            #expect(try Self.count(connection, "SELECT count(*) FROM licenses") == Self.fileRun.licenses)
            for statement in [
                "UPDATE licenses SET status = 'expired'",
                "INSERT INTO provider_states (id, provider_id, state) SELECT gen_random_uuid(), id, 'TX' FROM providers LIMIT 1",
                "DELETE FROM cme_events",
                "INSERT INTO rule_versions (id, rule_type, version_number, rule_json, rule_canonical, rule_sha256) VALUES (gen_random_uuid(), 'x', 99, '{}', '{}', repeat('0', 64))",
                "UPDATE rules_execution_log SET rule_type = 'x'",
                "DELETE FROM audit_logs",
            ] {
                #expect(throws: StoreError.self, "\(statement)") { try connection.execute(statement) }
            }
        }
    }

    @Test func replayOfARunReproducesEveryEntryFromTheDatabaseAndFindsATamperedOne() throws {
        let database = try Self.populated()
        #expect(try Self.run(database).status == 0)
        let connection = try Connection(url: database)
        let runID = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
        let intact = try DatabaseCommandTests.credrules(["replay", "--run", runID], database: database)
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.hasSuffix("\(Self.fileRun.logEntries) entries: all identical\n"), "\(intact.stdout)")

        // A superuser who switches immutability off (0003 audits that) alters one entry's stored
        // outputs (same length, so the spliced-in days_until_due stays in place) and removes the
        // last entry (ExecutionLogStorageTests has every other kind).
        try connection.executeScript("""
            ALTER TABLE rules_execution_entries DISABLE TRIGGER immutable_rows;
            ALTER TABLE rules_execution_documents DISABLE TRIGGER immutable_rows;
            ALTER TABLE rules_execution_documents DROP CONSTRAINT rules_execution_documents_sha256_check;
            SET session_replication_role = replica;
            """, name: "tampering")
        try connection.execute("""
            UPDATE rules_execution_documents d SET body = replace(body, 'compliant', 'COMPLIANT')
            FROM rules_execution_entries e WHERE e.entry_sequence = 5 AND d.provider_id = e.provider_id AND d.sha256 = e.outputs_document
            """)
        try connection.execute("DELETE FROM rules_execution_entries WHERE entry_sequence = \(Self.fileRun.logEntries)")
        let tampered = try DatabaseCommandTests.credrules(["replay", "--run", runID], database: database)
        #expect(tampered.status == 1)
        let lines = tampered.stdout.split(separator: "\n").map(String.init)
        let altered = try #require(lines.firstIndex { $0.hasPrefix("entry 5 (") }, "\(tampered.stdout)")
        #expect(lines[altered].hasSuffix("): ALTERED"), "\(tampered.stdout)")
        #expect(lines[altered + 1] == "  the stored outputs document no longer matches its SHA-256 address: it was altered", "\(tampered.stdout)")
        #expect(lines[altered + 2] == "  outputs_json does not match outputs_sha256", "\(tampered.stdout)")
        #expect(lines.filter { !$0.hasPrefix("  ") && !$0.hasSuffix(": identical") }.count == 3, "\(tampered.stdout)")
        #expect(tampered.stdout.contains("the run manifest records \(Self.fileRun.logEntries) entries; the log ends after entry \(Self.fileRun.logEntries - 1)"), "\(tampered.stdout)")
        let missing = try DatabaseCommandTests.credrules(["replay", "--run", "00000000-0000-0000-0000-000000000000"], database: database)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no evaluation run 00000000-0000-0000-0000-000000000000"), "\(missing.stderr)")
    }

    /// A provider's windows, gaps and log documents, in a stable order, for comparing two writes.
    static func written(_ connection: Connection, provider: String, run: String? = nil) throws -> [String] {
        let id = "credrules_id('\(provider)')"
        let runFilter = run.map { " AND evaluation_run_id = '\($0)'" } ?? ""
        return [
            try connection.value("""
                SELECT string_agg(concat_ws('|', credential_id, credential_type, cme_window_start, cme_window_end, next_renewal_date,
                    days_until_due, compliance_status, rule_version_id, license_id, as_of, renewal_number), ';'
                    ORDER BY credential_id, renewal_number, rule_version_id) FROM compliance_windows WHERE provider_id = \(id)
                """) ?? "",
            try connection.value("""
                SELECT string_agg(concat_ws('|', gap_type, description, severity, rule_version_id, credential_id, requirement_id, citation,
                    code, due_date), ';' ORDER BY credential_id, requirement_id, gap_type, description) FROM compliance_gap_analysis
                WHERE provider_id = \(id)
                """) ?? "",
            try connection.value("""
                SELECT string_agg(inputs_canonical || outputs_canonical, ';' ORDER BY inputs_canonical, outputs_canonical)
                FROM rules_execution_log WHERE provider_id = \(id)\(runFilter)
                """) ?? "",
        ]
    }

    @Test func evalOfOneStoredProviderWritesWhatTheNightlyRunWritesForIt() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        let one = try DatabaseCommandTests.credrules(["eval", "--database", database, "--provider", "prov-000002", "--as-of", Self.asOf],
                                                     database: database)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stdout.contains("provider prov-000002 re-evaluated as of \(Self.asOf) in run "), "\(one.stdout)")
        // Only that provider is written, under a run of its own: no shard, one provider, completed.
        #expect(try Self.count(connection, "SELECT count(DISTINCT provider_id) FROM compliance_windows") == 1)
        #expect(try connection.value("SELECT status || ' ' || providers_done || ' ' || coalesce(shard, 'none') || ' ' || batches_done FROM evaluation_runs")
                == "completed 1 none 1")
        let alone = try Self.written(connection, provider: "prov-000002")
        #expect(alone.allSatisfy { !$0.isEmpty }, "\(alone)")
        let evalRun = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows WHERE credential_type = 'license' AND license_id IS NULL") == 0)
        // Its log is a whole chain of its own, which replay checks like any run's.
        let replayed = try DatabaseCommandTests.credrules(["replay", "--run", evalRun], database: database)
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.hasSuffix("entries: all identical\n"), "\(replayed.stdout)")
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'eval' AND actor_role = 'credrules_engine' AND status = 'success' AND metadata_json ? 'evaluation_run_id'") == 1)

        // The nightly run then replaces the provider's windows and gaps with the same rows, and
        // appends the same log documents under its own run.
        #expect(try Self.run(database).status == 0)
        let nightlyRun = try #require(try connection.value("SELECT id::text FROM evaluation_runs WHERE shard = '0/1'"))
        let nightly = try Self.written(connection, provider: "prov-000002", run: nightlyRun)
        #expect(nightly[0] == alone[0])
        #expect(nightly[1] == alone[1])
        #expect(nightly[2] == alone[2])
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows") == Self.fileRun.windows)
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_gap_analysis") == Self.fileRun.gaps)

        // By uuid, again: windows replaced (not doubled), log appended.
        let windows = try Self.count(connection, "SELECT count(*) FROM compliance_windows WHERE provider_id = credrules_id('prov-000002')")
        let entries = try Self.count(connection, "SELECT count(*) FROM rules_execution_log WHERE provider_id = credrules_id('prov-000002')")
        let uuid = try #require(try connection.value("SELECT credrules_id('prov-000002')::text"))
        let again = try DatabaseCommandTests.credrules(["eval", "--database", database, "--provider", uuid, "--as-of", Self.asOf], database: database)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows WHERE provider_id = credrules_id('prov-000002')") == windows)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log WHERE provider_id = credrules_id('prov-000002')") == entries * 3 / 2)
        #expect(try Self.written(connection, provider: "prov-000002")[0] == alone[0])
    }

    @Test func evalOfOneStoredProviderRefusesBadInputAndWritesNothing() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        func nothingWritten() throws {
            #expect(try Self.count(connection, "SELECT count(*) FROM evaluation_runs") == 0)
            #expect(try Self.count(connection, "SELECT count(*) FROM compliance_windows") == 0)
            #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log") == 0)
        }
        let unknown = try DatabaseCommandTests.credrules(["eval", "--database", database, "--provider", "prov-nobody", "--as-of", Self.asOf],
                                                         database: database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no provider `prov-nobody` in the database"), "\(unknown.stderr)")
        try nothingWritten()
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'eval' AND status = 'failure'") == 1)

        let badDate = try DatabaseCommandTests.credrules(["eval", "--database", database, "--provider", "prov-000001", "--as-of", "2026-02-30"],
                                                         database: database)
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--as-of must be a YYYY-MM-DD date, got `2026-02-30`"), "\(badDate.stderr)")
        try nothingWritten()

        let withPacks = try DatabaseCommandTests.credrules(
            ["eval", "--database", database, "--provider", "prov-000001", "--as-of", Self.asOf, "--packs", "RulePacks"], database: database)
        #expect(withPacks.status == 2)
        #expect(withPacks.stderr.contains("--packs, --facts, --out and --strict do not apply"), "\(withPacks.stderr)")
        let noProvider = try DatabaseCommandTests.credrules(["eval", "--database", database, "--as-of", Self.asOf], database: database)
        #expect(noProvider.status == 2)
        #expect(noProvider.stderr.contains("--database needs --provider ID"), "\(noProvider.stderr)")
        try nothingWritten()

        // A database with the facts but nothing published.
        let unpublished = try TestDatabase.migrated()
        let bare = try Connection(url: unpublished)
        let none = try DatabaseCommandTests.credrules(["eval", "--database", unpublished, "--provider", "prov-000001", "--as-of", Self.asOf],
                                                      database: unpublished)
        #expect(none.status == 1)
        #expect(none.stderr.contains("no published rule versions: run `credrules publish` first"), "\(none.stderr)")
        #expect(try Self.count(bare, "SELECT count(*) FROM evaluation_runs") == 0)
    }
}
