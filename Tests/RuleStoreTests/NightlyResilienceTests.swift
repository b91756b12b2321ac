import Foundation
import RuleStore
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `credrules run` treated as a black box that can die at any moment: killed with SIGKILL between
/// batches and inside a batch's transaction, its connection terminated, its server restarted, run
/// three shards at once and twice for one shard, and run by a login that holds nothing but
/// `credrules_engine`. Every interrupted run is started again and must end with exactly the tables
/// an uninterrupted run writes.
///
/// A run is stopped at a chosen point without any hook in the binary: a second connection takes a
/// lock the run's next statement needs, the test waits (a bounded poll) until `pg_stat_activity`
/// shows the run's backend waiting on it, and then acts. The run's population is the sample
/// (Examples/sample-facts.json, 60 providers) with the bundled packs, in batches of 7 providers.
@Suite struct NightlyResilienceTests {
    static let asOf = "2026-11-26"
    static let batchSize = "7"

    // MARK: kill -9, then resume

    /// Where a run is stopped: what runs before (`prepare`), the lock that stops it, and whether
    /// the statement it waits in is inside its batch transaction.
    struct KillPoint: Sendable, CustomTestStringConvertible {
        enum Before: Sendable { case twoBatchesCommitted, aCompletedRunThenForce }
        let name: String
        let before: Before
        /// The lock, taken inside a transaction of the holding connection; `$1` is the run's id
        /// when the statement has a parameter.
        let lock: String
        let insideBatchTransaction: Bool
        var testDescription: String { name }
    }

    static let killPoints: [KillPoint] = [
        // Batches 1 and 2 committed; the resumed run waits reading the page of batch 3 (no transaction open).
        KillPoint(name: "between batches", before: .twoBatchesCommitted,
                  lock: "LOCK TABLE providers IN ACCESS EXCLUSIVE MODE", insideBatchTransaction: false),
        // A forced run over existing results waits bringing batch 1's windows up to date (its first write of the batch).
        KillPoint(name: "replacing windows", before: .aCompletedRunThenForce,
                  lock: "LOCK TABLE compliance_windows IN ACCESS EXCLUSIVE MODE", insideBatchTransaction: true),
        // Batch 3's windows and gaps written; the run waits appending its log entries.
        KillPoint(name: "appending the log", before: .twoBatchesCommitted,
                  lock: "LOCK TABLE rules_execution_log IN ACCESS EXCLUSIVE MODE", insideBatchTransaction: true),
        // Everything of batch 3 written; the run waits advancing its evaluation_runs row (the last statement).
        KillPoint(name: "advancing the run record", before: .twoBatchesCommitted,
                  lock: "SELECT 1 FROM evaluation_runs WHERE id = $1::uuid FOR NO KEY UPDATE", insideBatchTransaction: true),
    ]

    @Test(arguments: killPoints)
    func aRunKilledWithSIGKILLResumesAndEndsWithTheTablesOfAnUninterruptedRun(_ point: KillPoint) throws {
        let reference = try Reference.shared()
        let database = try Population.clone()
        var runID: String?
        switch point.before {
        case .twoBatchesCommitted:
            let stopped = try Self.run(database, environment: ["CREDRULES_TEST_STOP_AFTER_BATCHES": "2"])
            try #require(stopped.status == 3, "\(stopped.stderr)")
            runID = try Connection(url: database).value("SELECT id::text FROM evaluation_runs")
        case .aCompletedRunThenForce:
            try #require(try Self.run(database).status == 0)
        }

        let holder = try Connection(url: database)
        try holder.execute("BEGIN")
        try holder.execute(point.lock, point.lock.contains("$1") ? [.text(try #require(runID))] : [])
        let victim = try Self.child(Self.runArguments(point.before == .aCompletedRunThenForce ? ["--force"] : []), database: database)
        let backend = try Self.waitUntilBlocked(holder, victim)
        #expect(backend.insideTransaction == point.insideBatchTransaction,
                "the run waits in `\(backend.query)` (transaction started before it: \(backend.insideTransaction))")
        victim.kill9()
        let killed = try victim.wait()
        #expect(killed.signalled && killed.status == SIGKILL, "\(killed)")

        // Inside a batch the blocked backend is the writing session, which holds the shard's advisory
        // lock: a new run is refused, not run beside it. (Between batches the run waits on its reading
        // session; the writing session was idle, ended with the process and released the lock, and the
        // reading session can write nothing, so a new run may start; here it would wait on our lock.)
        if point.insideBatchTransaction {
            let tooEarly = try Self.run(database)
            #expect(tooEarly.status == 1, "\(tooEarly.stderr)")
            #expect(tooEarly.stderr.contains("another credrules run holds shard 0/1"), "\(tooEarly.stderr)")
        }

        try holder.execute("ROLLBACK")
        try Self.waitUntilGone(holder, backend.pid)
        // Nothing of the interrupted batch was committed: the record and the log agree.
        let interrupted = try #require(try holder.value("SELECT id::text FROM evaluation_runs WHERE status = 'running'"),
                                       "the killed run stays `running`")
        #expect(try holder.value("SELECT (SELECT count(*) FROM rules_execution_log WHERE evaluation_run_id = r.id) = r.log_entries FROM evaluation_runs r WHERE id = $1::uuid", [.text(interrupted)]) == "t")

        try Self.expectResumed(reference, database, interrupted: interrupted, saying: "resuming run \(interrupted)",
                               runs: point.before == .aCompletedRunThenForce ? 2 : 1)

        // Done means done: the same night again changes nothing.
        let again = try Self.run(database)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("run \(interrupted) already completed"), "\(again.stdout)")
        try Self.expectFinishedLike(reference, database, runID: interrupted, runs: point.before == .aCompletedRunThenForce ? 2 : 1)
    }

    // MARK: a dropped connection, a restarted server

    @Test func aRunWhoseConnectionIsTerminatedExitsWithAClearErrorAndTheNextRunResumes() throws {
        let reference = try Reference.shared()
        let database = try Population.clone()
        try #require(try Self.run(database, environment: ["CREDRULES_TEST_STOP_AFTER_BATCHES": "2"]).status == 3)
        let holder = try Connection(url: database)
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE rules_execution_log IN ACCESS EXCLUSIVE MODE")
        let victim = try Self.child(Self.runArguments(), database: database)
        let backend = try Self.waitUntilBlocked(holder, victim)
        #expect(try holder.value("SELECT pg_terminate_backend($1)", [.int(Int(backend.pid))]) == "t")
        let dropped = try victim.wait()
        #expect(!dropped.signalled && dropped.status == 1, "\(dropped)")
        #expect(dropped.stderr.hasPrefix("resuming run "), "\(dropped.stderr)")
        #expect(dropped.stderr.contains("Error: ") && dropped.stderr.contains("server closed the connection unexpectedly"),
                "\(dropped.stderr)")
        try holder.execute("ROLLBACK")

        let interrupted = try #require(try holder.value("SELECT id::text FROM evaluation_runs WHERE status = 'running'"))
        try Self.expectResumed(reference, database, interrupted: interrupted,
                               saying: "resuming run \(interrupted) after 14 providers (2 batches)", runs: 1)
    }

    /// On a server of its own (Tools/postgres/start.sh), so that restarting it disturbs no other
    /// test: `pg_ctl restart -m immediate` (every backend killed, crash recovery) while the run
    /// waits inside batch 3.
    @Test func aRunWhoseServerRestartsExitsAndTheNextRunResumes() throws {
        let reference = try Reference.shared()
        let server = try DedicatedServer()
        defer { server.stop() }
        let database = try server.database("credrules_restart")
        let migrated = try DatabaseCommandTests.credrules(["db", "migrate"], database: database)
        try #require(migrated.status == 0, "\(migrated.stderr)")
        try Population.load(into: database)
        try #require(try Self.run(database, environment: ["CREDRULES_TEST_STOP_AFTER_BATCHES": "2"]).status == 3)

        let victim: ChildProcess
        do {
            let holder = try Connection(url: database)
            try holder.execute("BEGIN")
            try holder.execute("LOCK TABLE rules_execution_log IN ACCESS EXCLUSIVE MODE")
            victim = try Self.child(Self.runArguments(), database: database)
            _ = try Self.waitUntilBlocked(holder, victim)
            try server.restartImmediately()
        }
        let crashed = try victim.wait()
        #expect(!crashed.signalled && crashed.status == 1, "\(crashed)")
        #expect(crashed.stderr.contains("Error: "), "\(crashed.stderr)")

        let connection = try Connection(url: database)
        let interrupted = try #require(try connection.value("SELECT id::text FROM evaluation_runs WHERE status = 'running'"))
        #expect(try connection.value("SELECT providers_done || ' ' || batches_done FROM evaluation_runs") == "14 2")
        try Self.expectResumed(reference, database, interrupted: interrupted,
                               saying: "resuming run \(interrupted) after 14 providers (2 batches)", runs: 1)
    }

    /// A run that fails on an error its connection survives (here a lock timeout, set through the
    /// URL) is marked `failed`; started again, it resumes like a killed one, so the providers of
    /// the failed run's committed batches are not logged twice for that night (under two run ids).
    @Test func aRunThatFailedOnATransientErrorIsResumedNotStartedOver() throws {
        let reference = try Reference.shared()
        let database = try Population.clone()
        try #require(try Self.run(database, environment: ["CREDRULES_TEST_STOP_AFTER_BATCHES": "2"]).status == 3)
        let holder = try Connection(url: database)
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE rules_execution_log IN ACCESS EXCLUSIVE MODE")
        let impatient = try Self.run(database + "?options=-c%20lock_timeout%3D300")
        #expect(impatient.status == 1, "\(impatient.stderr)")
        #expect(impatient.stderr.contains("canceling statement due to lock timeout"), "\(impatient.stderr)")
        try holder.execute("ROLLBACK")
        #expect(try holder.value("SELECT status || ' ' || providers_done FROM evaluation_runs") == "failed 14")

        let again = try Self.run(database)
        #expect(again.status == 0, "\(again.stderr)")
        // The current results are right either way (windows and gaps are replaced).
        #expect(try Self.digest(holder, table: "compliance_windows") == reference.windows)
        #expect(try Self.digest(holder, table: "compliance_gap_analysis") == reference.gaps)
        let logged = try Self.count(holder, "SELECT count(*) FROM rules_execution_log")
        #expect(again.stderr.contains("resuming run"), "\(again.stderr)")
        #expect(logged == reference.logEntries, "log entries for one night, one shard, one set of rule versions")
    }

    // MARK: shards at once

    @Test func threeShardProcessesStartedAtOnceEvaluateEveryProviderExactlyOnce() throws {
        let reference = try Reference.shared()
        let database = try Population.clone()
        let children = try ["0/3", "1/3", "2/3"].map { try Self.child(Self.runArguments(["--shard", $0]), database: database) }
        for (index, child) in children.enumerated() {
            let outcome = try child.wait()
            #expect(outcome.status == 0 && !outcome.signalled, "shard \(index)/3: \(outcome.stderr)")
        }
        let connection = try Connection(url: database)
        #expect(try connection.column("SELECT shard || ' ' || status FROM evaluation_runs ORDER BY shard") == ["0/3 completed", "1/3 completed", "2/3 completed"])
        #expect(try Self.count(connection, "SELECT sum(providers_done) FROM evaluation_runs") == reference.providers)
        // Each run took only its shard's providers, and no provider was logged by two runs.
        #expect(try Self.count(connection, """
            SELECT count(*) FROM rules_execution_log l JOIN evaluation_runs r ON r.id = l.evaluation_run_id
            WHERE credrules_shard_of(l.provider_id, 3) <> split_part(r.shard, '/', 1)::integer
            """) == 0)
        #expect(try Self.count(connection, "SELECT count(*) FROM (SELECT provider_id FROM rules_execution_log GROUP BY provider_id HAVING count(DISTINCT evaluation_run_id) > 1) x") == 0)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log") == reference.logEntries)
        #expect(try Self.count(connection, "SELECT count(DISTINCT provider_id) FROM rules_execution_log") == reference.loggedProviders)
        #expect(try Self.digest(connection, table: "compliance_windows") == reference.windows)
        #expect(try Self.digest(connection, table: "compliance_gap_analysis") == reference.gaps)
        for runID in try connection.column("SELECT id::text FROM evaluation_runs ORDER BY shard").compactMap({ $0 }) {
            try Self.expectChainIntact(connection, database, runID: runID)
        }
    }

    @Test func twoProcessesStartedAtOnceForOneShardOneRunsTheOtherIsRefusedAndWritesNothing() throws {
        let reference = try Reference.shared()
        let database = try Population.clone()
        let holder = try Connection(url: database)
        // Whichever wins the shard's lock waits here, so the loser cannot find it already finished.
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE compliance_windows IN ACCESS EXCLUSIVE MODE")
        let pair = try [Self.child(Self.runArguments(), database: database), Self.child(Self.runArguments(), database: database)]
        let loser = try Self.eventually("one of the two runs to exit") { pair.firstIndex { $0.hasExited } }
        let refused = try pair[loser].wait()
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("another credrules run holds shard 0/1 (its advisory lock)"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        _ = try Self.waitUntilBlocked(holder, pair[1 - loser])
        #expect(try Self.count(holder, "SELECT count(*) FROM evaluation_runs") == 1)
        try holder.execute("ROLLBACK")

        let winner = try pair[1 - loser].wait()
        #expect(winner.status == 0, "\(winner.stderr)")
        let connection = try Connection(url: database)
        let runID = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
        try Self.expectFinishedLike(reference, database, runID: runID, runs: 1)
        #expect(try connection.column("SELECT status FROM audit_logs WHERE action = 'run' ORDER BY status") == ["failure", "success"])
    }

    // MARK: the engine's role

    /// The run as a login that is a member of `credrules_engine` and nothing else (no superuser,
    /// no encryption key in its environment): it does the night's work, and that login can read
    /// the facts but change none, cannot decrypt, and cannot touch rule versions, the log or the audit trail.
    @Test func aLoginHoldingOnlyTheEngineRoleRunsTheNightAndCanDoNothingElse() throws {
        let reference = try Reference.shared()
        let database = try Population.clone()
        let admin = try Connection(url: database)
        let login = "credrules_nightly_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute("CREATE ROLE \(login) LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE IN ROLE credrules_engine")
        defer { _ = try? admin.execute("DROP ROLE IF EXISTS \(login)") }
        var components = try #require(URLComponents(string: database))
        components.user = login
        let asEngine = try #require(components.string)

        let night = try DatabaseCommandTests.credrules(Self.runArguments(), database: asEngine, environment: ["CREDRULES_ENCRYPTION_KEY": ""])
        #expect(night.status == 0, "\(night.stderr)")
        let runID = try #require(try admin.value("SELECT id::text FROM evaluation_runs WHERE status = 'completed'"))
        try Self.expectFinishedLike(reference, database, runID: runID, runs: 1)
        #expect(try admin.value("SELECT actor_role || ' ' || status FROM audit_logs WHERE action = 'run'") == "credrules_engine success")

        do {
            let engine = try Connection(url: asEngine)
            #expect(try engine.value("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user") == "false")
            for table in ["providers", "licenses", "cme_events", "provider_states", "board_certifications", "rule_versions"] {
                #expect(try Self.count(engine, "SELECT count(*) FROM \(table)") > 0, "\(table)")
            }
            // Personal data is ciphertext (0x01 ‖ nonce ‖ ciphertext ‖ tag), and the database holds no key.
            let npi = try #require(try engine.value("SELECT encode(npi, 'hex') FROM providers WHERE external_id = 'prov-000001'"))
            #expect(npi.hasPrefix("01") && npi.count == 2 * (1 + 12 + 10 + 16), "\(npi)")
            #expect(!npi.contains(Data("9198054279".utf8).map { String(format: "%02x", $0) }.joined()))
            for statement in [
                "UPDATE providers SET first_name = 'x'",
                "DELETE FROM providers",
                "INSERT INTO licenses (id, provider_id, state, status) SELECT gen_random_uuid(), id, 'TX', 'active' FROM providers LIMIT 1",
                "DELETE FROM licenses",
                "UPDATE cme_events SET credits_earned = 100",
                "UPDATE documents SET s3_uri = 's3://elsewhere'",
                "UPDATE rule_versions SET rule_type = 'x'",
                "DELETE FROM rule_versions",
                "DELETE FROM rules_execution_log",
                "UPDATE rules_execution_log SET rule_type = 'x'",
                "DELETE FROM evaluation_runs",
                "TRUNCATE compliance_windows",
                "SELECT count(*) FROM audit_logs",
                "SELECT count(*) FROM change_events",
                "DELETE FROM credential_versions",
                "SELECT credrules_retention_purge(DATE '2026-01-01')",
                "ALTER TABLE compliance_windows ADD COLUMN note text",
                "SET ROLE credrules_loader",
                "SET ROLE credrules_app",
            ] {
                let error = #expect(throws: StoreError.self, "\(statement)") { try engine.execute(statement) }
                let message = error.map { String(describing: $0) } ?? ""
                #expect(message.contains("permission denied") || message.contains("must be owner"), "\(statement): \(message)")
            }
            // What it may write, it may write: the outputs (rolled back here).
            try engine.execute("BEGIN")
            try engine.execute("DELETE FROM compliance_gap_analysis")
            try engine.execute("UPDATE compliance_windows SET days_until_due = days_until_due")
            try engine.execute("ROLLBACK")
        }
    }

    // MARK: helpers

    static func runArguments(_ extra: [String] = []) -> [String] {
        ["run", "--as-of", asOf, "--batch-size", batchSize] + extra
    }

    static func run(_ database: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> DatabaseCommandTests.Outcome {
        try DatabaseCommandTests.credrules(runArguments(extra), database: database, environment: environment)
    }

    static func count(_ connection: Connection, _ sql: String) throws -> Int {
        Int(try connection.value(sql) ?? "") ?? -1
    }

    /// The table's rows without what differs between equal runs (row ids, run ids, times; the
    /// rule version by its hash, not its row id): `count md5`.
    static func digest(_ connection: Connection, table: String) throws -> String {
        // Table names come from this file only.
        try connection.value("""
            SELECT count(*) || ' ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '') FROM (
                SELECT ((to_jsonb(t) - 'id' - 'evaluation_run_id' - 'created_at' - 'updated_at' - 'rule_version_id')
                        || jsonb_build_object('rule_sha256', v.rule_sha256))::text AS r
                FROM \(table) t LEFT JOIN rule_versions v ON v.id = t.rule_version_id) x
            """) ?? ""
    }

    /// The next run exits 0, says on stderr that it resumes `interrupted` (`saying`), and leaves
    /// the database as an uninterrupted run would (``expectFinishedLike``).
    static func expectResumed(_ reference: Reference, _ database: String, interrupted: String, saying message: String, runs: Int,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let resumed = try run(database)
        #expect(resumed.status == 0, "\(resumed.stderr)", sourceLocation: sourceLocation)
        #expect(resumed.stderr.contains(message), "\(resumed.stderr)", sourceLocation: sourceLocation)
        try expectFinishedLike(reference, database, runID: interrupted, runs: runs, sourceLocation: sourceLocation)
    }

    /// The database holds what an uninterrupted run writes: every provider's windows and gaps once,
    /// the run's log complete (entries 1…N, no gap, no duplicate, the same chain head), `runs`
    /// evaluation runs all completed, and `replay --run` finds every entry identical.
    static func expectFinishedLike(_ reference: Reference, _ database: String, runID: String, runs: Int,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let connection = try Connection(url: database)
        #expect(try connection.column("SELECT status FROM evaluation_runs") == Array(repeating: "completed", count: runs),
                sourceLocation: sourceLocation)
        #expect(try digest(connection, table: "compliance_windows") == reference.windows, sourceLocation: sourceLocation)
        #expect(try digest(connection, table: "compliance_gap_analysis") == reference.gaps, sourceLocation: sourceLocation)
        #expect(try count(connection, "SELECT count(*) FROM rules_execution_log") == runs * reference.logEntries, sourceLocation: sourceLocation)
        #expect(try connection.value("""
            SELECT count(*) || ' ' || count(DISTINCT entry_sequence) || ' ' || min(entry_sequence) || ' ' || max(entry_sequence)
            FROM rules_execution_log WHERE evaluation_run_id = $1::uuid
            """, [.text(runID)]) == "\(reference.logEntries) \(reference.logEntries) 1 \(reference.logEntries)", sourceLocation: sourceLocation)
        #expect(try connection.value(Reference.runRecord, [.text(runID)]) == reference.runRecord, sourceLocation: sourceLocation)
        try expectChainIntact(connection, database, runID: runID, sourceLocation: sourceLocation)
    }

    static func expectChainIntact(_ connection: Connection, _ database: String, runID: String,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let entries = try count(connection, "SELECT log_entries FROM evaluation_runs WHERE id = '\(runID)'")
        let replay = try DatabaseCommandTests.credrules(["replay", "--run", runID], database: database)
        #expect(replay.status == 0, "\(replay.stderr)", sourceLocation: sourceLocation)
        #expect(entries > 0 && replay.stdout.hasSuffix("\(entries) entries: all identical\n"), "\(replay.stdout)", sourceLocation: sourceLocation)
    }

    /// The run's backend as `pg_stat_activity` shows it waiting on a lock.
    struct BlockedBackend {
        let pid: Int32
        let query: String
        /// Its transaction began before the statement it waits in (an explicit transaction).
        let insideTransaction: Bool
    }

    /// Waits (bounded) until a backend of this database other than `holder` waits on a lock.
    static func waitUntilBlocked(_ holder: Connection, _ child: ChildProcess) throws -> BlockedBackend {
        try eventually("the run to wait on the test's lock") {
            if child.hasExited {
                let outcome = try child.wait()
                throw TestDatabase.SetupError(description: "the run exited before reaching the lock: \(outcome)")
            }
            // Inside the holder's transaction pg_stat_activity is a snapshot taken at its first read: drop it.
            try holder.execute("SELECT pg_stat_clear_snapshot()")
            let result = try holder.execute("""
                SELECT pid, query, (xact_start < query_start)::text AS inside FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                """)
            guard result.count == 1, let pid = try result.int(0, "pid") else { return nil }
            return BlockedBackend(pid: Int32(pid), query: try result.string(0, "query") ?? "",
                                  insideTransaction: try result.string(0, "inside") == "true")
        }
    }

    static func waitUntilGone(_ connection: Connection, _ pid: Int32) throws {
        _ = try eventually("backend \(pid) to end") {
            try connection.execute("SELECT pg_stat_clear_snapshot()")
            return try connection.value("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [.int(Int(pid))]) == "0" ? true : nil
        }
    }

    /// Polls `probe` every 20 ms until it returns a value; fails after `timeout` seconds (generous:
    /// the machine is shared; the poll ends as soon as the condition holds).
    static func eventually<T>(_ what: String, timeout: TimeInterval = 120, _ probe: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let value = try probe() { return value }
            guard Date() < deadline else { throw TestDatabase.SetupError(description: "timed out after \(Int(timeout)) s waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

extension NightlyResilienceTests {
    /// A `credrules` run started in the background.
    static func child(_ arguments: [String], database: String) throws -> ChildProcess {
        try ChildProcess(credrules: arguments, database: database)
    }

    /// The sample population with its organizations and documents, imported and the bundled
    /// packs published once per test process into a template database; each test clones it.
    enum Population {
        private static let lock = NSLock()
        nonisolated(unsafe) private static var template: Result<String, any Error>?
        nonisolated(unsafe) private static var counter = 0

        /// The sample facts file with the organizations and documents its rows refer to (db import needs them).
        static func factsFile() throws -> URL {
            try TestDatabase.sampleFactsWithReferences()
        }

        /// Imports the sample and publishes RulePacks into a migrated database.
        static func load(into database: String) throws {
            let file = try factsFile()
            defer { try? FileManager.default.removeItem(at: file) }
            let imported = try DatabaseCommandTests.credrules(["db", "import", file.path], database: database)
            try #require(imported.status == 0, "\(imported.stderr)")
            let published = try DatabaseCommandTests.credrules(["publish", "RulePacks"], database: database)
            try #require(published.status == 0, "\(published.stderr)")
        }

        /// A new database holding the populated template's contents; its URL.
        static func clone() throws -> String {
            try lock.withLock {
                if template == nil {
                    template = Result {
                        let url = try TestDatabase.migrated()
                        try load(into: url)
                        return url
                    }
                }
                let source = try template!.get()
                let sourceName = try #require(URLComponents(string: source)?.path.dropFirst()).description
                counter += 1
                let name = "credrules_resilience_\(ProcessInfo.processInfo.processIdentifier)_\(counter)"
                // Both names are made in this file from digits and a fixed prefix.
                try Connection(url: try TestDatabase.serverURL()).execute("CREATE DATABASE \(name) TEMPLATE \(sourceName)")
                return try TestDatabase.url(database: name)
            }
        }
    }

    /// What one uninterrupted run of the sample writes, measured once per test process.
    struct Reference: Sendable {
        let windows: String
        let gaps: String
        let logEntries: Int
        let providers: Int
        let loggedProviders: Int
        /// `providers_done batches_done log_entries windows_written gaps_written last_entry_sha256`.
        let runRecord: String

        static let runRecord = """
            SELECT providers_done || ' ' || batches_done || ' ' || log_entries || ' ' || windows_written || ' ' || gaps_written
                   || ' ' || last_entry_sha256 FROM evaluation_runs WHERE id = $1::uuid
            """

        private static let lock = NSLock()
        nonisolated(unsafe) private static var measured: Result<Reference, any Error>?

        static func shared() throws -> Reference {
            try lock.withLock {
                if measured == nil { measured = Result { try measure() } }
                return try measured!.get()
            }
        }

        private static func measure() throws -> Reference {
            let database = try Population.clone()
            let outcome = try NightlyResilienceTests.run(database)
            try #require(outcome.status == 0, "\(outcome.stderr)")
            let connection = try Connection(url: database)
            let runID = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
            let reference = Reference(
                windows: try NightlyResilienceTests.digest(connection, table: "compliance_windows"),
                gaps: try NightlyResilienceTests.digest(connection, table: "compliance_gap_analysis"),
                logEntries: try NightlyResilienceTests.count(connection, "SELECT count(*) FROM rules_execution_log"),
                providers: try NightlyResilienceTests.count(connection, "SELECT count(*) FROM providers"),
                loggedProviders: try NightlyResilienceTests.count(connection, "SELECT count(DISTINCT provider_id) FROM rules_execution_log"),
                runRecord: try connection.value(runRecord, [.text(runID)]) ?? "")
            // A reference that cannot fail the comparisons would prove nothing.
            try #require(reference.logEntries > 20 && reference.providers == 60 && !reference.windows.hasPrefix("0 "), "\(reference)")
            return reference
        }
    }

    /// A PostgreSQL server of one test's own (Tools/postgres/start.sh), stopped by `stop()`.
    final class DedicatedServer {
        let url: String
        let folder: String

        init() throws {
            let output = try Self.shell(["Tools/postgres/start.sh"])
            func value(_ name: String) -> String? {
                output.split(separator: "\n").first { $0.hasPrefix("export \(name)='") }
                    .map { String($0.dropFirst("export \(name)='".count).dropLast()) }
            }
            url = try #require(value("CREDRULES_TEST_DATABASE_URL"), "start.sh printed: \(output)")
            folder = try #require(value("CREDRULES_PG_DIR"), "start.sh printed: \(output)")
        }

        func database(_ name: String) throws -> String {
            try Connection(url: url).execute("CREATE DATABASE \(name)")
            var components = try #require(URLComponents(string: url))
            components.path = "/" + name
            return try #require(components.string)
        }

        /// `pg_ctl restart -m immediate`: every backend killed without clean-up, crash recovery, up again.
        func restartImmediately() throws {
            _ = try Self.shell(["-c", """
                bindir=/usr/lib/postgresql/15/bin; [ -x "$bindir/pg_ctl" ] || bindir="$(pg_config --bindir)"
                as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
                cd / && "${as[@]}" "$bindir/pg_ctl" -D "$1/data" -l "$1/server.log" -m immediate -w -t 120 restart >/dev/null
                """, "restart", folder])
        }

        func stop() { _ = try? Self.shell(["Tools/postgres/stop.sh", folder]) }

        /// Runs bash with `arguments` in the repository root; its stdout, or an error with its stderr.
        @discardableResult
        static func shell(_ arguments: [String]) throws -> String {
            let ending = try ChildProcess(bash: arguments).wait()
            guard ending.status == 0, !ending.signalled else {
                throw TestDatabase.SetupError(description: "bash \(arguments.joined(separator: " ")) failed: \(ending.stderr)")
            }
            return ending.stdout
        }
    }
}
