import Foundation
import RuleBase
import RuleIR
@testable import RuleStore
import Testing

/// The stored execution log (migration 0006): documents once per provider and content, a small
/// entry per evaluation, the Data Bible's `rules_execution_log` read back byte for byte, and
/// `replay --run` / `--log-id` finding every kind of tampering.
@Suite struct ExecutionLogStorageTests {
    typealias Run = RunCommandTests

    static func replay(_ arguments: [String], _ database: String) throws -> DatabaseCommandTests.Outcome {
        try DatabaseCommandTests.credrules(["replay"] + arguments, database: database)
    }

    static func count(_ connection: Connection, _ sql: String, _ parameters: [SQLParameter?] = []) throws -> Int {
        Int(try connection.value(sql, parameters) ?? "") ?? -1
    }

    // MARK: - the writer's cuts

    @Test func theCutsAreUndoneByTheSpliceExactly() throws {
        let inputs = #"{"as_of":"2026-11-26","credential":{"id":"lic-1","table":"licenses"},"facts":{}}"#
        let cut = LogDocumentCut.inputs(inputs, asOf: "2026-11-26")
        #expect(cut == LogDocumentCut(body: #"{"credential":{"id":"lic-1","table":"licenses"},"facts":{}}"#, spliceAt: [1], spliceWhat: "m"))
        #expect(cut.spliced(member: #""as_of":"2026-11-26","#, dayCount: nil) == inputs)
        // Another date than the entry's, or no as_of first: kept whole.
        #expect(LogDocumentCut.inputs(inputs, asOf: "2026-11-27").spliceAt == nil)
        #expect(LogDocumentCut.inputs(#"{"credential":{}}"#, asOf: "2026-11-26").spliceAt == nil)

        // Non-ASCII before the cuts: positions count characters, as PostgreSQL's left() does. The
        // day count is cut where a text says "<n> day", not in a key, a number or another phrase.
        let outputs = #"{"attribute_defaults_used":{"days_until_due":7,"é":"ü"},"credential":{"id":"lic-ü"},"days_until_due":-12,"#
            + #""gaps":[{"description":"expired on 2026-11-14, 12 days ago","due_date":"2026-11-14"}],"#
            + #""requirements":[{"reason":"12 hours; due in 12 days, 112 days, 12 day"}]}"#
        let (outputsCut, days) = LogDocumentCut.outputs(outputs)
        #expect(days == -12)
        #expect(outputsCut.body == #"{"attribute_defaults_used":{"days_until_due":7,"é":"ü"},"credential":{"id":"lic-ü"},"#
            + #""gaps":[{"description":"expired on 2026-11-14,  days ago","due_date":"2026-11-14"}],"#
            + #""requirements":[{"reason":"12 hours; due in  days, 112 days,  day"}]}"#)
        #expect(outputsCut.spliceWhat == "mddd")
        let prefix = Array(#"{"attribute_defaults_used":{"days_until_due":7,"é":"ü"},"credential":{"id":"lic-ü"},"#.unicodeScalars).count
        #expect(outputsCut.spliceAt?.first == prefix)
        #expect(outputsCut.spliced(member: #""days_until_due":-12,"#, dayCount: "12") == outputs)
        #expect(outputsCut.spliced(member: #""days_until_due":-12,"#, dayCount: nil) == nil)
        // The next night, one day further: the same body.
        let nextNight = outputs.replacingOccurrences(of: "-12,", with: "-13,").replacingOccurrences(of: " 12 day", with: " 13 day")
        #expect(LogDocumentCut.outputs(nextNight).0 == outputsCut)
        // A value PostgreSQL's integer does not print the same way, null, or the last member: kept whole.
        for whole in [#"{"days_until_due":null,"gaps":[]}"#, #"{"days_until_due":99999999999,"gaps":[]}"#,
                      #"{"days_until_due":1.5,"gaps":[]}"#, #"{"days_until_due":-2147483648,"gaps":[]}"#, #"{"gaps":[],"days_until_due":3}"#, #"{"gaps":["\"days_until_due\":3,"]}"#] {
            let (kept, none) = LogDocumentCut.outputs(whole)
            #expect(kept == LogDocumentCut(body: whole), "\(whole)")
            #expect(none == nil, "\(whole)")
        }
    }

    @Test func aMalformedSealedEntryIsAnErrorNamingIt() throws {
        #expect(throws: StoreError.self) { try StoredLogEntry(entry: "not json", inputs: "{}", outputs: "{}") }
        let error = #expect(throws: StoreError.self) {
            try StoredLogEntry(entry: #"{"entry_sequence":1,"inputs_json":{},"outputs_json":{}}"#, inputs: "{}", outputs: "{}")
        }
        #expect(error?.message.contains("has no `provider_id`") == true, "\(String(describing: error))")
    }

    // MARK: - two nights

    @Test func anUnchangedNightStoresNoNewInputsAndOnlyOutputsThatReallyChanged() throws {
        let database = try Run.populated()
        #expect(try Run.run(database).status == 0)
        let connection = try Connection(url: database)
        let firstDocuments = try Self.count(connection, "SELECT count(*) FROM rules_execution_documents")
        let entries = try Self.count(connection, "SELECT count(*) FROM rules_execution_entries")
        #expect(entries == Run.fileRun.logEntries)
        // Night one: every entry's two documents are new (per provider and content).
        #expect(try firstDocuments == Self.count(connection, "SELECT count(DISTINCT inputs_document) + count(DISTINCT outputs_document) FROM rules_execution_entries"))

        let second = try DatabaseCommandTests.credrules(["run", "--as-of", "2026-11-27", "--batch-size", "7"], database: database)
        #expect(second.status == 0, "\(second.stderr)")
        let nights = try connection.column("SELECT id::text FROM evaluation_runs ORDER BY as_of").compactMap { $0 }
        try #require(nights.count == 2)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_entries WHERE evaluation_run_id = $1::uuid", [.text(nights[1])]) == entries)
        // No inputs document is new: they differ from night one only in as_of, which the entry holds.
        #expect(try Self.count(connection, """
            SELECT count(*) FROM rules_execution_entries n WHERE n.evaluation_run_id = $2::uuid AND NOT EXISTS (
                SELECT 1 FROM rules_execution_entries o WHERE o.evaluation_run_id = $1::uuid AND o.inputs_document = n.inputs_document)
            """, [.text(nights[0]), .text(nights[1])]) == 0)
        // An outputs document is new only when more than the calendar changed: days_until_due
        // and the day counts of texts (" in 48 days"), which the entry's days_until_due restores.
        let pairs = """
            FROM rules_execution_log n JOIN rules_execution_log o ON o.evaluation_run_id = $1::uuid AND o.provider_id = n.provider_id
                AND o.rule_version_id = n.rule_version_id AND o.inputs_json -> 'credential' = n.inputs_json -> 'credential'
            JOIN rules_execution_entries ne ON ne.id = n.id JOIN rules_execution_entries oe ON oe.id = o.id
            WHERE n.evaluation_run_id = $2::uuid
            """
        func calendarFree(_ side: String) -> String {
            "regexp_replace((\(side).outputs_json - 'days_until_due')::text, ' [0-9]+ day', ' N day', 'g')"
        }
        let runs: [SQLParameter?] = [.text(nights[0]), .text(nights[1])]
        #expect(try Self.count(connection, "SELECT count(*) \(pairs)", runs) == entries)
        let changed = try Self.count(connection, "SELECT count(*) \(pairs) AND ne.outputs_document <> oe.outputs_document", runs)
        #expect(try Self.count(connection, "SELECT count(*) \(pairs) AND \(calendarFree("n")) <> \(calendarFree("o"))", runs) == changed)
        #expect(try Self.count(connection, "SELECT count(*) \(pairs) AND ne.outputs_document = oe.outputs_document AND \(calendarFree("n")) <> \(calendarFree("o"))", runs) == 0)
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_documents") == firstDocuments + changed)
        // In the sample nothing but the calendar changes overnight: no document at all is new.
        #expect(changed == 0, "\(changed) of \(entries) outputs documents stored again")
        // Days until due moved by one for every entry that has it.
        #expect(try Self.count(connection, "SELECT count(*) \(pairs) AND ne.days_until_due <> oe.days_until_due - 1", runs) == 0)

        // Both nights read back byte for byte under the Data Bible's names.
        for (column, hash) in [("inputs_canonical", "inputs_sha256"), ("outputs_canonical", "outputs_sha256")] {
            #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log WHERE \(column) IS NULL OR encode(sha256(convert_to(\(column), 'UTF8')), 'hex') <> \(hash)") == 0)
        }
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_log WHERE inputs_json IS DISTINCT FROM inputs_canonical::jsonb OR outputs_json ->> 'days_until_due' IS DISTINCT FROM (SELECT e.days_until_due::text FROM rules_execution_entries e WHERE e.id = rules_execution_log.id)") == 0)
        let replayed = try Self.replay(["--run", nights[1]], database)
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.hasSuffix("\(entries) entries: all identical\n"), "\(replayed.stdout)")
    }

    // MARK: - migrating a database that holds log rows

    /// A database at 0005 holding the sample's file-run log as 0005's writer stored it (plus one
    /// row with jsonb only, as a client of the Data Bible's table could write), then migrated.
    @Test func migrationKeepsEveryEntryReadableByteForByte() throws {
        let url = try TestDatabase.empty()
        let connection = try Connection(url: url)
        let all = try Migration.bundled()
        try Migrator(migrations: all.filter { $0.version <= 5 }).migrate(on: connection)
        let sample = DatabaseCommandTests.repositoryRoot.appendingPathComponent("Examples/sample-facts.json")
        let path = try TestDatabase.sampleFactsWithReferences()
        defer { try? FileManager.default.removeItem(at: path) }
        #expect(try DatabaseCommandTests.credrules(["db", "import", path.path], database: url).status == 0)
        #expect(try DatabaseCommandTests.credrules(["publish", "RulePacks"], database: url).status == 0)

        let out = FileManager.default.temporaryDirectory.appendingPathComponent("credrules-migrate-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let eval = try DatabaseCommandTests.credrules(["eval", "--packs", "RulePacks", "--facts", sample.path, "--as-of", Run.asOf, "--out", out.path], database: "")
        try #require(eval.status == 0, "\(eval.stderr)")
        let lines = try String(contentsOf: out.appendingPathComponent("rules_execution_log.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        let manifest = try JSONParser.parse(try String(contentsOf: out.appendingPathComponent("run_manifest.json"), encoding: .utf8))
        let head = try #require(manifest["execution_log"]?["last_entry_sha256"]?.stringValue)
        let runID = try #require(try connection.value("""
            INSERT INTO evaluation_runs (as_of, rule_version_ids, shard, status, log_entries, last_entry_sha256)
            VALUES ($1::date, ARRAY(SELECT id FROM rule_versions), '0/1', 'completed', $2, $3) RETURNING id::text
            """, [.text(Run.asOf), .int(lines.count), .text(head)]))
        let map = try #require(try connection.value("SELECT jsonb_object_agg((rule_json->>'pack') || '@' || (rule_json->>'version'), id)::text FROM rule_versions"))
        var expected: [String: (inputs: String, outputs: String)] = [:]
        for line in lines {
            let entry = try JSONParser.parse(line)
            let inputs = try #require(entry["inputs_json"]).canonicalText, outputs = try #require(entry["outputs_json"]).canonicalText
            // 0005's writer (ExecutionLogStore before 0006), one row at a time.
            let id = try #require(try connection.value("""
                INSERT INTO rules_execution_log (provider_id, rule_version_id, rule_type, inputs_json, outputs_json, inputs_sha256,
                    outputs_sha256, evaluation_run_id, executed_at, entry_sequence, entry_previous_sha256, entry_sha256,
                    inputs_canonical, outputs_canonical)
                SELECT credrules_id(e->>'provider_id'), ($4::jsonb->>(e->>'rule_version_id'))::uuid, e->>'rule_type',
                       $2::text::jsonb, $3::text::jsonb, e->>'inputs_sha256', e->>'outputs_sha256', $5::uuid,
                       (e->>'executed_at')::date::timestamp AT TIME ZONE 'UTC', (e->>'entry_sequence')::integer, e->>'entry_previous_sha256',
                       e->>'entry_sha256', $2::text, $3::text
                FROM (SELECT $1::jsonb AS e) j RETURNING id::text
                """, [.text(line), .text(inputs), .text(outputs), .text(map), .text(runID)]))
            expected[id] = (inputs, outputs)
        }
        let legacy = try #require(try connection.value("""
            INSERT INTO rules_execution_log (provider_id, rule_version_id, rule_type, inputs_json, outputs_json)
            SELECT provider_id, rule_version_id, rule_type, '{"as_of": "2020-01-01", "hours": 1.50}', '{"days_until_due": 3}'
            FROM rules_execution_log LIMIT 1 RETURNING id::text
            """))
        let before = try connection.execute("SELECT id::text, inputs_json::text, outputs_json::text, executed_at::text FROM rules_execution_log ORDER BY id").rows

        let applied = try Migrator(migrations: all).migrate(on: connection)
        #expect(applied.map(\.version).contains(6))
        #expect(try connection.value("SELECT relkind::text FROM pg_class WHERE relname = 'rules_execution_log'") == "v")
        // Every id, document and column reads back as it was.
        #expect(try connection.execute("SELECT id::text, inputs_json::text, outputs_json::text, executed_at::text FROM rules_execution_log ORDER BY id").rows == before)
        let stored = try connection.execute("SELECT id::text, inputs_canonical, outputs_canonical FROM rules_execution_log WHERE id <> $1::uuid", [.text(legacy)])
        #expect(stored.count == lines.count)
        for row in 0..<stored.count {
            let id = try #require(try stored.string(row, "id"))
            #expect(try stored.string(row, "inputs_canonical") == expected[id]?.inputs, "inputs of \(id)")
            #expect(try stored.string(row, "outputs_canonical") == expected[id]?.outputs, "outputs of \(id)")
        }
        // The row without canonical text keeps its jsonb and still has none.
        #expect(try connection.execute("SELECT inputs_canonical, outputs_canonical, inputs_json ->> 'hours' FROM rules_execution_log WHERE id = $1::uuid",
                                       [.text(legacy)]).rows == [[nil, nil, "1.50"]])
        // The moved documents were cut like new ones: one per provider and content.
        #expect(try Self.count(connection, "SELECT count(*) FROM rules_execution_documents WHERE splice_at IS NOT NULL") > 0)

        let replayed = try Self.replay(["--run", runID], url)
        #expect(replayed.status == 0, "\(replayed.stdout)\(replayed.stderr)")
        #expect(replayed.stdout.hasSuffix("\(lines.count) entries: all identical\n"), "\(replayed.stdout)")
        let one = try #require(expected.keys.sorted().first)
        let single = try Self.replay(["--log-id", one], url)
        #expect(single.status == 0, "\(single.stdout)\(single.stderr)")
        #expect(single.stdout.hasSuffix("1 entry: identical\n"), "\(single.stdout)")
    }

    // MARK: - tampering, as the table owner with the triggers off

    /// A run of the sample, its id, the number of its entries and the ids of entries by sequence.
    static func tamperable() throws -> (database: String, connection: Connection, runID: String, entries: Int, ids: [Int: String]) {
        let database = try Run.populated()
        #expect(try Run.run(database).status == 0)
        let connection = try Connection(url: database)
        let runID = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
        var ids: [Int: String] = [:]
        for row in try connection.execute("SELECT entry_sequence, id::text FROM rules_execution_entries").rows {
            if let sequence = row[0].flatMap({ Int($0) }), let id = row[1] { ids[sequence] = id }
        }
        // What an owner or superuser can do (0003 audits the DDL): the triggers off, the
        // foreign keys skipped (replication mode), the address check dropped.
        try connection.executeScript("""
            ALTER TABLE rules_execution_entries DISABLE TRIGGER immutable_rows;
            ALTER TABLE rules_execution_documents DISABLE TRIGGER immutable_rows;
            ALTER TABLE rules_execution_documents DROP CONSTRAINT rules_execution_documents_sha256_check;
            SET session_replication_role = replica;
            """, name: "tampering")
        return (database, connection, runID, ids.count, ids)
    }

    static func lines(_ outcome: DatabaseCommandTests.Outcome) -> [String] { outcome.stdout.split(separator: "\n").map(String.init) }

    /// The problem lines printed under the entry with this sequence number.
    static func problems(of sequence: Int, in outcome: DatabaseCommandTests.Outcome) -> (verdict: String, lines: [String])? {
        let all = lines(outcome)
        guard let index = all.firstIndex(where: { $0.hasPrefix("entry \(sequence) (") }) else { return nil }
        let verdict = String(all[index].split(separator: ":").last ?? "").trimmingCharacters(in: .whitespaces)
        return (verdict, Array(all[(index + 1)...].prefix { $0.hasPrefix("  ") }))
    }

    @Test func aDeletedEntryIsFoundByTheRunAndByItsNeighbour() throws {
        let (database, connection, runID, entries, ids) = try Self.tamperable()
        try connection.execute("DELETE FROM rules_execution_entries WHERE id = $1::uuid", [.text(ids[5]!)])
        let run = try Self.replay(["--run", runID], database)
        #expect(run.status == 1)
        #expect(run.stdout.contains("log: INCOMPLETE\n  missing: entry 5\n"), "\(run.stdout)")
        #expect(run.stdout.hasSuffix("\(entries - 1) entries: 1 problem\n"), "\(run.stdout)")
        let after = try Self.replay(["--log-id", ids[6]!], database)
        #expect(after.status == 1)
        #expect(Self.problems(of: 6, in: after)?.lines == ["  entry 5, before it, is missing"], "\(after.stdout)")
        let before = try Self.replay(["--log-id", ids[4]!], database)
        #expect(Self.problems(of: 4, in: before)?.lines == ["  entry 5, after it, is missing (the run record holds \(entries) entries)"], "\(before.stdout)")
        let gone = try Self.replay(["--log-id", ids[5]!], database)
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no execution log entry \(ids[5]!)"), "\(gone.stderr)")
        // Removing the last entry is found by the run record alone.
        try connection.execute("DELETE FROM rules_execution_entries WHERE id = $1::uuid", [.text(ids[entries]!)])
        let tail = try Self.replay(["--run", runID], database)
        #expect(tail.stdout.contains("the run manifest records \(entries) entries; the log ends after entry \(entries - 1)"), "\(tail.stdout)")
    }

    @Test func anInsertedOrReplacedEntryIsFound() throws {
        let (database, connection, runID, entries, ids) = try Self.tamperable()
        // A copy of entry 3 appended after the last.
        let copy = try #require(try connection.value("""
            INSERT INTO rules_execution_entries (provider_id, rule_version_id, evaluation_run_id, executed_at, entry_sequence, days_until_due,
                rule_type, inputs_document, outputs_document, inputs_sha256, outputs_sha256, entry_previous_sha256, entry_sha256)
            SELECT provider_id, rule_version_id, evaluation_run_id, executed_at, $2, days_until_due, rule_type, inputs_document,
                   outputs_document, inputs_sha256, outputs_sha256, entry_previous_sha256, entry_sha256
            FROM rules_execution_entries WHERE id = $1::uuid RETURNING id::text
            """, [.text(ids[3]!), .int(entries + 1)]))
        let run = try Self.replay(["--run", runID], database)
        #expect(run.status == 1)
        #expect(Self.problems(of: entries + 1, in: run)?.verdict == "ALTERED", "\(run.stdout)")
        #expect(run.stdout.contains("the run manifest records \(entries) entries; the log holds entries up to \(entries + 1)"), "\(run.stdout)")
        let inserted = try Self.replay(["--log-id", copy], database)
        #expect(inserted.status == 1)
        #expect(Self.problems(of: entries + 1, in: inserted)?.lines.contains(
            "  the run record holds \(entries) entries; this is entry \(entries + 1): it was inserted") == true, "\(inserted.stdout)")
        let last = try Self.replay(["--log-id", ids[entries]!], database)
        #expect(Self.problems(of: entries, in: last)?.lines.contains {
            $0.contains("entry \(entries + 1) does not link to this entry's entry_sha256")
        } == true, "\(last.stdout)")

        // Entry 7 replaced by entry 8's row moved into its place: its own hash and its links fail.
        try connection.execute("DELETE FROM rules_execution_entries WHERE id = $1::uuid", [.text(ids[7]!)])
        try connection.execute("UPDATE rules_execution_entries SET entry_sequence = 7 WHERE id = $1::uuid", [.text(ids[8]!)])
        let moved = try Self.replay(["--log-id", ids[8]!], database)
        #expect(moved.status == 1)
        let movedProblems = try #require(Self.problems(of: 7, in: moved), "\(moved.stdout)")
        #expect(movedProblems.verdict == "ALTERED", "\(moved.stdout)")
        #expect(movedProblems.lines.contains("  entry 8, after it, is missing (the run record holds \(entries) entries)"), "\(moved.stdout)")
        #expect(movedProblems.lines.contains("  entry_previous_sha256 is not entry 6's entry_sha256: that entry was altered, or an entry was inserted or replaced"), "\(moved.stdout)")
    }

    /// The first entry after the first whose row matches `condition` (SQL on `e`, `d`: its
    /// outputs document), and that has an entry after it.
    static func sequence(_ connection: Connection, where condition: String) throws -> Int {
        let found = try connection.value("""
            SELECT min(e.entry_sequence) FROM rules_execution_entries e
            JOIN rules_execution_documents d ON d.provider_id = e.provider_id AND d.sha256 = e.outputs_document
            WHERE e.entry_sequence > 1 AND e.entry_sequence < (SELECT max(entry_sequence) FROM rules_execution_entries) - 6 AND \(condition)
            """)
        return try #require(found.flatMap { Int($0) }, "an entry where \(condition)")
    }

    @Test func anAlteredEntryIsFound() throws {
        let (database, connection, runID, entries, ids) = try Self.tamperable()
        let a = try Self.sequence(connection, where: "e.days_until_due IS NOT NULL"), b = a + 2, c = a + 4
        // The as-of-dependent value the entry holds, its executed_at, its rule type.
        try connection.execute("UPDATE rules_execution_entries SET days_until_due = days_until_due + 1 WHERE id = $1::uuid", [.text(ids[a]!)])
        try connection.execute("UPDATE rules_execution_entries SET executed_at = executed_at + interval '1 day' WHERE id = $1::uuid", [.text(ids[b]!)])
        try connection.execute("UPDATE rules_execution_entries SET rule_type = 'US-TX/forged' WHERE id = $1::uuid", [.text(ids[c]!)])
        let run = try Self.replay(["--run", runID], database)
        #expect(run.status == 1)
        #expect(run.stdout.hasSuffix("\(entries) entries: 3 problems\n"), "\(run.stdout)")
        #expect(Self.problems(of: a, in: run)?.verdict == "ALTERED", "\(run.stdout)")
        #expect(Self.problems(of: a, in: run)?.lines.first == "  the stored bytes of outputs_json do not match outputs_sha256", "\(run.stdout)")
        // as_of is spliced from executed_at, so the two agree; the sealed hash of the inputs does not.
        #expect(Self.problems(of: b, in: run)?.verdict == "ALTERED", "\(run.stdout)")
        #expect(Self.problems(of: b, in: run)?.lines.first == "  the stored bytes of inputs_json do not match inputs_sha256", "\(run.stdout)")
        #expect(Self.problems(of: c, in: run)?.lines.contains { $0.hasPrefix("  rule_type \"US-TX/forged\" differs from") } == true, "\(run.stdout)")
        let one = try Self.replay(["--log-id", ids[a]!], database)
        #expect(one.status == 1)
        #expect(Self.problems(of: a, in: one)?.verdict == "ALTERED", "\(one.stdout)")
        #expect(one.stdout.hasSuffix("1 entry: 1 problem\n"), "\(one.stdout)")
    }

    @Test func anAlteredStoredDocumentIsFoundEvenWhenEveryHashIsForged() throws {
        let (database, connection, runID, entries, ids) = try Self.tamperable()
        let k = try Self.sequence(connection, where: #"d.body LIKE '%"compliance_status":"compliant"%'"#)
        let document = "SELECT outputs_document FROM rules_execution_entries WHERE id = $1::uuid"
        let forgery = #"replace(body, '"compliance_status":"compliant"', '"compliance_status":"at_risk"')"#
        // 1. The bytes changed under their address (and the splice point moved with them: the
        //    status precedes every cut, and `at_risk` is two characters shorter).
        try connection.execute("UPDATE rules_execution_documents SET body = \(forgery), splice_at = ARRAY(SELECT at - 2 FROM unnest(splice_at) AS at) WHERE sha256 = (\(document))", [.text(ids[k]!)])
        let run = try Self.replay(["--run", runID], database)
        #expect(run.status == 1)
        #expect(Self.problems(of: k, in: run)?.verdict == "ALTERED", "\(run.stdout)")
        #expect(Self.problems(of: k, in: run)?.lines.first == "  the stored outputs document no longer matches its SHA-256 address: it was altered", "\(run.stdout)")
        #expect(run.stdout.hasSuffix("\(entries) entries: 1 problem\n"), "\(run.stdout)")
        let one = try Self.replay(["--log-id", ids[k]!], database)
        #expect(Self.problems(of: k, in: one)?.verdict == "ALTERED", "\(one.stdout)")

        // 2. The document moved to the address of its new bytes: the entry's reference finds nothing.
        let moved = try #require(try connection.value(
            "UPDATE rules_execution_documents SET sha256 = sha256(convert_to(body, 'UTF8')) WHERE sha256 = (\(document)) RETURNING encode(sha256, 'hex')",
            [.text(ids[k]!)]))
        let missing = try Self.replay(["--log-id", ids[k]!], database)
        #expect(Self.problems(of: k, in: missing)?.verdict == "INVALID", "\(missing.stdout)")
        #expect(Self.problems(of: k, in: missing)?.lines.first == "  the stored outputs document is missing from rules_execution_documents", "\(missing.stdout)")

        // 3. The entry re-pointed at the forged document, its outputs_sha256 and entry_sha256
        //    recomputed: consistent on its own, it is found by its re-run and by the next entry's link.
        let entry = try connection.execute("""
            SELECT e.entry_previous_sha256, e.entry_sequence::text, p.external_id, e.rule_type,
                   (rv.rule_json->>'pack') || '@' || (rv.rule_json->>'version'), e.inputs_sha256,
                   credrules_log_document(d.body, d.splice_at, d.splice_what, credrules_log_days_member(x.days_until_due), abs(x.days_until_due)::text)
            FROM rules_execution_log e JOIN rules_execution_entries x ON x.id = e.id JOIN providers p ON p.id = e.provider_id
            JOIN rule_versions rv ON rv.id = e.rule_version_id
            JOIN rules_execution_documents d ON d.provider_id = e.provider_id AND d.sha256 = decode($2, 'hex')
            WHERE e.id = $1::uuid
            """, [.text(ids[k]!), .text(moved)]).rows[0]
        let outputsHash = sha256Hex(entry[6]!)
        let header = #"{"entry_previous_sha256":"\#(entry[0]!)","entry_sequence":\#(entry[1]!),"executed_at":"\#(Run.asOf)","inputs_sha256":"\#(entry[5]!)","outputs_sha256":"\#(outputsHash)","provider_id":"\#(entry[2]!)","rule_type":"\#(entry[3]!)","rule_version_id":"\#(entry[4]!)"}"#
        try connection.execute("""
            UPDATE rules_execution_entries SET outputs_document = decode($2, 'hex'), outputs_sha256 = decode($3, 'hex'), entry_sha256 = decode($4, 'hex')
            WHERE id = $1::uuid
            """, [.text(ids[k]!), .text(moved), .text(outputsHash), .text(sha256Hex(header))])
        let forged = try Self.replay(["--run", runID], database)
        #expect(forged.status == 1)
        let forgedEntry = try #require(Self.problems(of: k, in: forged), "\(forged.stdout)")
        #expect(forgedEntry.verdict == "DIFFERS", "the forged entry is consistent on its own, but its outputs are not what its inputs give: \(forged.stdout)")
        #expect(forgedEntry.lines.contains { $0.contains("does not match") } == false, "\(forged.stdout)")
        #expect(Self.problems(of: k + 1, in: forged)?.lines == ["  entry_previous_sha256 is not entry \(k)'s entry_sha256: that entry was altered, or an entry was inserted or replaced"],
                "\(forged.stdout)")
        let neighbour = try Self.replay(["--log-id", ids[k]!], database)
        #expect(Self.problems(of: k, in: neighbour)?.lines.contains("  entry \(k + 1) does not link to this entry's entry_sha256: this entry was altered, or one after it was inserted or replaced") == true,
                "\(neighbour.stdout)")
    }

    // MARK: - bad input

    @Test func badIdsAreClearErrors() throws {
        let database = try TestDatabase.migrated()
        let malformed = try Self.replay(["--log-id", "42; DROP TABLE x"], database)
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("--log-id takes a rules_execution_log id (a uuid), got `42; DROP TABLE x`"), "\(malformed.stderr)")
        let badRun = try Self.replay(["--run", "last-night"], database)
        #expect(badRun.status == 2)
        #expect(badRun.stderr.contains("--run takes an evaluation run id (a uuid), got `last-night`"), "\(badRun.stderr)")
        let unknown = try Self.replay(["--log-id", "00000000-0000-0000-0000-000000000001"], database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no execution log entry 00000000-0000-0000-0000-000000000001"), "\(unknown.stderr)")
        let noRun = try Self.replay(["--run", "00000000-0000-0000-0000-000000000002"], database)
        #expect(noRun.status == 1)
        #expect(noRun.stderr.contains("no evaluation run 00000000-0000-0000-0000-000000000002"), "\(noRun.stderr)")
        let both = try Self.replay(["--run", "00000000-0000-0000-0000-000000000002", "--log-id", "00000000-0000-0000-0000-000000000001"], database)
        #expect(both.status == 2)
        #expect(both.stderr.contains("give --run (a whole run) or --log-id (one entry), not both"), "\(both.stderr)")
        let withFile = try Self.replay(["some.jsonl", "--log-id", "00000000-0000-0000-0000-000000000001"], database)
        #expect(withFile.status == 2)
    }

    // MARK: - governance of the two tables

    @Test func theViewIsImmutableAndTheRetentionPurgeKeepsEveryReferencedDocument() throws {
        let database = try Run.populated()
        // A night eight years ago: older than any retention cutoff.
        let old = try DatabaseCommandTests.credrules(["run", "--as-of", "2018-11-26", "--batch-size", "7"], database: database)
        #expect(old.status == 0, "\(old.stderr)")
        let connection = try Connection(url: database)
        let counts = "SELECT (SELECT count(*) FROM rules_execution_entries) || '/' || (SELECT count(*) FROM rules_execution_documents)"
        let before = try connection.value(counts)
        for statement in ["UPDATE rules_execution_log SET rule_type = 'x'", "DELETE FROM rules_execution_log"] {
            let error = #expect(throws: StoreError.self, "\(statement)") { try connection.execute(statement) }
            #expect(error?.message.contains("is not allowed: the table is immutable") == true, "\(statement): \(String(describing: error))")
        }
        #expect(throws: StoreError.self) { try connection.execute("TRUNCATE rules_execution_log") }
        try connection.asRole("credrules_retention") { () throws -> Void in
            _ = try connection.value("SELECT credrules_retention_purge(current_date)")
        }
        // The purger itself cannot delete log rows, expired or not.
        try connection.execute("SET ROLE credrules_purger")
        try connection.execute("SELECT set_config('credrules.retention_cutoff', '2100-01-01', false)")
        #expect(throws: StoreError.self) { try connection.execute("DELETE FROM rules_execution_documents") }
        #expect(throws: StoreError.self) { try connection.execute("DELETE FROM rules_execution_entries") }
        try connection.execute("RESET ROLE")
        #expect(try connection.value(counts) == before)
        let runID = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
        let replayed = try Self.replay(["--run", runID], database)
        #expect(replayed.status == 0, "\(replayed.stdout)")
        // The app reads a provider's entries and documents, and writes neither.
        let provider = try #require(try connection.value("SELECT provider_id::text FROM rules_execution_entries LIMIT 1"))
        try connection.asRole("credrules_app", app: "provider", provider: provider) { () throws -> Void in
            #expect(try connection.value("SELECT count(DISTINCT provider_id) FROM rules_execution_log WHERE inputs_canonical IS NOT NULL") == "1")
            #expect(try connection.value("SELECT count(DISTINCT provider_id) FROM rules_execution_documents") == "1")
            #expect(throws: StoreError.self) { try connection.execute("INSERT INTO rules_execution_documents (provider_id, sha256, body) SELECT $1::uuid, sha256('\\x7b7d'), '{}'", [.text(provider)]) }
            #expect(throws: StoreError.self) { try connection.execute("INSERT INTO rules_execution_log (provider_id, rule_version_id, rule_type, inputs_json, outputs_json) SELECT provider_id, rule_version_id, 'x', '{}', '{}' FROM rules_execution_entries LIMIT 1") }
        }
    }
}
