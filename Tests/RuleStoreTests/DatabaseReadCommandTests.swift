import Foundation
import RuleStore
import Testing

/// `credrules explain --database` and `credrules impact --database`: the commands that read the
/// stored population and write nothing but their audit row, against the test server.
@Suite struct DatabaseReadCommandTests {
    static let asOf = "2026-11-26"
    static let sample = DatabaseCommandTests.repositoryRoot.appendingPathComponent("Examples/sample-facts.json").path

    /// The recorded hash of a document: made up (the id's bytes in hex, padded), fixed and of the right form.
    static func documentHash(_ id: String) -> String {
        let hex = id.utf8.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        return hex + String(repeating: "0", count: 64 - hex.count)
    }

    /// A migrated database holding the sample population, its documents with an S3 address and a
    /// recorded hash each, and the published RulePacks; its URL.
    static func populated() throws -> String {
        let database = try TestDatabase.migrated()
        let path = try TestDatabase.sampleFactsWithReferences { id in
            ["s3_uri": "s3://credentials/\(id).pdf", "sha256_hash": documentHash(id), "file_type": "pdf"]
        }
        defer { try? FileManager.default.removeItem(at: path) }
        let imported = try DatabaseCommandTests.credrules(["db", "import", path.path], database: database)
        try #require(imported.status == 0, "\(imported.stderr)")
        let published = try DatabaseCommandTests.credrules(["publish", "RulePacks"], database: database)
        try #require(published.status == 0, "\(published.stderr)")
        return database
    }

    static func credrules(_ arguments: [String], _ database: String) throws -> DatabaseCommandTests.Outcome {
        try DatabaseCommandTests.credrules(arguments, database: database)
    }

    static func count(_ connection: Connection, _ sql: String) throws -> Int { Int(try connection.value(sql) ?? "") ?? -1 }

    /// The rows every table but audit_logs holds that a reading command could write.
    static func writableCounts(_ connection: Connection) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["compliance_windows", "compliance_gap_analysis", "rules_execution_log", "evaluation_runs", "rule_versions",
                      "providers", "licenses", "cme_events", "documents", "document_lineage", "change_events"] {
            counts[table] = try count(connection, "SELECT count(*) FROM \(table)")
        }
        return counts
    }

    // MARK: explain

    @Test func explainShowsEachVerdictWithItsCitationAndTheDocumentOfEveryCountedFact() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        let before = try Self.writableCounts(connection)
        let explained = try Self.credrules(["explain", "--provider", "prov-000012", "--as-of", Self.asOf], database)
        #expect(explained.status == 0, "\(explained.stderr)")
        let text = explained.stdout
        // Verdict → law: the requirement's outcome with its citation, as a file explain shows it.
        #expect(text.contains("├─ cme-category-1 [cme_hours] → MET: 46 of 40 hours  (HRS 453-6 (Act 66, 2001)"), "\(text)")
        // → evidence: the license and each counted CME event, with its document or the plain absence of one.
        #expect(text.contains("│  ↳ licenses lic-000012-1 ← document doc-00001201: s3://credentials/doc-00001201.pdf, sha256 \(Self.documentHash("doc-00001201")), pdf (via extracted_from_doc_id, document_lineage *)"), "\(text)")
        #expect(text.contains("│  ↳ cme_events cme-000012-2 ← document doc-00001202: s3://credentials/doc-00001202.pdf, sha256 \(Self.documentHash("doc-00001202"))"), "\(text)")
        #expect(text.contains("│  ↳ cme_events cme-000012-3: no source document on record"), "\(text)")

        // A row a condition read without counting it (the DEA pack's exemption asks about board
        // certifications) is named with its document too.
        let dea = try Self.credrules(["explain", "--provider", "prov-000003", "--as-of", Self.asOf], database)
        #expect(dea.status == 0, "\(dea.stderr)")
        #expect(dea.stdout.contains("│  ↳ also read: board_certifications bc-000003-1 ← document doc-00000303: s3://credentials/doc-00000303.pdf, sha256 \(Self.documentHash("doc-00000303"))"), "\(dea.stdout)")

        // No night has run: nothing on record yet.
        #expect(text.contains("⇒ compliant\n  on record: no verdict for this credential and rule version\n"), "\(text)")

        // The same verdicts, citations and traces as explain over the file: only the evidence and record lines are added.
        let file = try Self.credrules(["explain", "--provider", "prov-000012", "--packs", "RulePacks", "--facts", Self.sample, "--as-of", Self.asOf], database)
        #expect(file.status == 0, "\(file.stderr)")
        let withoutEvidence = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("↳ ") && !$0.hasPrefix("  on record: ") }.joined(separator: "\n")
        #expect(withoutEvidence == file.stdout)
        #expect(!file.stdout.contains("↳ "))

        // By uuid, the same explanation.
        let uuid = try #require(try connection.value("SELECT id::text FROM providers WHERE external_id = 'prov-000012'"))
        let byUUID = try Self.credrules(["explain", "--provider", uuid.uppercased(), "--as-of", Self.asOf], database)
        #expect(byUUID.status == 0, "\(byUUID.stderr)")
        #expect(byUUID.stdout == text)

        // JSON: the same content as data.
        let json = try Self.credrules(["explain", "--provider", "prov-000012", "--as-of", Self.asOf, "--format", "json"], database)
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout.prefix(300))")
        #expect(document["provider_uuid"] as? String == uuid)
        let evaluation = try #require((document["evaluations"] as? [[String: Any]])?.first)
        let credentialEvidence = try #require((evaluation["credential"] as? [String: Any])?["evidence"] as? [[String: Any]])
        let licenseDocument = try #require((credentialEvidence.first?["documents"] as? [[String: Any]])?.first)
        #expect(licenseDocument["s3_uri"] as? String == "s3://credentials/doc-00001201.pdf")
        #expect(licenseDocument["sha256_hash"] as? String == Self.documentHash("doc-00001201"))
        let requirement = try #require((evaluation["requirements"] as? [[String: Any]])?.first { $0["id"] as? String == "cme-category-1" })
        let events = try #require(requirement["evidence"] as? [[String: Any]])
        #expect(events.map { $0["id"] as? String ?? "" } == (requirement["counted_rows"] as? [String]))
        let bare = try #require(events.first { $0["id"] as? String == "cme-000012-3" })
        #expect((bare["documents"] as? [Any])?.isEmpty == true)
        #expect(bare["source"] as? String == "no source document on record")

        // Nothing written but one audit row per explain, as the engine.
        #expect(try Self.writableCounts(connection) == before)
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'explain' AND actor_role = 'credrules_engine' AND status = 'success' AND metadata_json->>'provider_id' = '\(uuid)'") == 3)
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'explain' AND status = 'success'") == 4)
    }

    @Test func aFactWhoseDocumentWasReplacedShowsTheCurrentDocumentThenTheOneItsLineageRecords() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        // A corrected license scan replaces the first: the row points to the new document, the lineage keeps both.
        try connection.execute("""
            INSERT INTO documents (id, external_id, provider_id, s3_uri, sha256_hash, file_type)
            VALUES (credrules_id('doc-rescan'), 'doc-rescan', credrules_id('prov-000012'), 's3://credentials/rescan.pdf', repeat('ab', 32), 'pdf')
            """)
        try connection.execute("UPDATE licenses SET extracted_from_doc_id = credrules_id('doc-rescan') WHERE external_id = 'lic-000012-1'")
        // A counted event whose id holds what an array literal or a statement would trip on stays one id.
        let oddID = #"cme-"odd\,{id}'--"#
        try connection.execute("""
            INSERT INTO cme_events (id, external_id, provider_id, title, category, credit_type, credits_earned, completion_date, extracted_from_doc_id)
            SELECT credrules_id($1), $1, provider_id, title, category, credit_type, credits_earned, completion_date, credrules_id('doc-rescan')
            FROM cme_events WHERE external_id = 'cme-000012-2'
            """, [.text(oddID)])
        let explained = try Self.credrules(["explain", "--provider", "prov-000012", "--as-of", Self.asOf], database)
        #expect(explained.status == 0, "\(explained.stderr)")
        let lines = explained.stdout.split(separator: "\n").map(String.init).filter { $0.contains("↳ licenses lic-000012-1") }
        #expect(lines == [
            "│  ↳ licenses lic-000012-1 ← document doc-rescan: s3://credentials/rescan.pdf, sha256 \(String(repeating: "ab", count: 32)), pdf (via extracted_from_doc_id, document_lineage *)",
            "│  ↳ licenses lic-000012-1 ← document doc-00001201: s3://credentials/doc-00001201.pdf, sha256 \(Self.documentHash("doc-00001201")), pdf (via document_lineage *)",
        ], "\(explained.stdout)")
        #expect(explained.stdout.contains("│  ↳ cme_events \(oddID) ← document doc-rescan: s3://credentials/rescan.pdf"), "\(explained.stdout)")
    }

    @Test func anUnknownProviderFailsClearlyAndAnInjectedIDIsOnlyData() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        let before = try Self.writableCounts(connection)
        for id in ["prov-999999", "00000000-0000-4000-8000-000000000000", "x' OR '1'='1", "'; DROP TABLE providers; --",
                   "prov-000012' --", "00000000-0000-4000-8000-00000000000'"] {
            let outcome = try Self.credrules(["explain", "--provider", id, "--as-of", Self.asOf], database)
            #expect(outcome.status == 2, "\(id): \(outcome.stderr)")
            #expect(outcome.stderr.contains("Error: no provider with file id or uuid `\(id)` in the database"), "\(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
        #expect(try Self.writableCounts(connection) == before)
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'explain' AND status = 'failure'") == 6)

        let both = try Self.credrules(["explain", "--provider", "prov-000012", "--facts", Self.sample, "--database", database, "--as-of", Self.asOf], database)
        #expect(both.status == 2)
        #expect(both.stderr.contains("--facts and --database exclude each other"), "\(both.stderr)")
        let packs = try Self.credrules(["explain", "--provider", "prov-000012", "--packs", "RulePacks", "--as-of", Self.asOf], database)
        #expect(packs.status == 2)
        #expect(packs.stderr.contains("--packs goes with --facts"), "\(packs.stderr)")
    }

    @Test func explainTakesTheDateOfTheLatestVerdictsOnRecordWhenNoneIsGiven() throws {
        let database = try Self.populated()
        let noDate = try Self.credrules(["explain", "--provider", "prov-000012"], database)
        #expect(noDate.status == 2)
        #expect(noDate.stderr.contains("--as-of is needed: no verdict or completed run is on record"), "\(noDate.stderr)")
        let run = try DatabaseCommandTests.credrules(["run", "--as-of", "2026-11-20"], database: database)
        #expect(run.status == 0, "\(run.stderr)")
        let explained = try Self.credrules(["explain", "--provider", "prov-000012"], database)
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stderr.contains("as of 2026-11-20: the provider's latest verdicts on record"), "\(explained.stderr)")
        #expect(explained.stdout.contains("├─ credential license lic-000012-1, as of 2026-11-20"), "\(explained.stdout)")
        // The verdict the run wrote, beside the one explained.
        let connection = try Connection(url: database)
        let runID = try #require(try connection.value("SELECT id::text FROM evaluation_runs"))
        #expect(explained.stdout.contains("⇒ compliant\n  on record: compliant as of 2026-11-20 (evaluation run \(runID))\n"), "\(explained.stdout)")
        // A later date gives another verdict than the one on record, and says so.
        let later = try Self.credrules(["explain", "--provider", "prov-000012", "--as-of", "2028-06-01", "--format", "json"], database)
        #expect(later.status == 0, "\(later.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(later.stdout.utf8)) as? [String: Any])
        let evaluation = try #require((document["evaluations"] as? [[String: Any]])?.first)
        let record = try #require(evaluation["on_record"] as? [String: Any])
        #expect(record["compliance_status"] as? String == "compliant")
        #expect(record["evaluation_run_id"] as? String == runID)
        #expect(evaluation["compliance_status"] as? String == "non_compliant")
        #expect(record["same_status"] as? Bool == false)
        let laterText = try Self.credrules(["explain", "--provider", "prov-000012", "--as-of", "2028-06-01"], database)
        #expect(laterText.stdout.contains("⇒ non_compliant\n  on record: compliant as of 2026-11-20 (evaluation run \(runID)) — differs from this evaluation"), "\(laterText.stdout)")
    }

    // MARK: impact

    /// US/dea-registration with the MATE Act training raised from 8 to 80 hours: a change that
    /// moves many of the sample's DEA registrations.
    static func stricterDEA() throws -> String {
        let text = try String(contentsOfFile: DatabaseCommandTests.repositoryRoot.appendingPathComponent("RulePacks/US/dea-registration.yaml").path, encoding: .utf8)
        let stricter = text.replacingOccurrences(of: "version: 1\n", with: "version: 2\n")
            .replacingOccurrences(of: "    hours: 8\n", with: "    hours: 80\n")
        #expect(stricter != text)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credrules-dea-\(UUID().uuidString).yaml").path
        try stricter.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func impactOverTheStoredPopulationEqualsImpactOverTheSameFactsAndWritesNothingButItsAuditRow() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        // A night has run, so the output tables hold rows an impact must leave alone.
        #expect(try DatabaseCommandTests.credrules(["run", "--as-of", Self.asOf], database: database).status == 0)
        let stricter = try Self.stricterDEA()
        defer { try? FileManager.default.removeItem(atPath: stricter) }
        let before = try Self.writableCounts(connection)
        #expect(before["compliance_windows", default: 0] > 0)
        let auditBefore = try Self.count(connection, "SELECT count(*) FROM audit_logs")

        let dea = "RulePacks/US/dea-registration.yaml"
        for format in ["human", "json"] {
            let file = try Self.credrules(["impact", "--from", dea, "--to", stricter, "--facts", Self.sample, "--as-of", Self.asOf, "--format", format], database)
            #expect(file.status == 0, "\(file.stderr)")
            let stored = try Self.credrules(["impact", "--from", "US/dea-registration@1", "--to", stricter, "--as-of", Self.asOf,
                                             "--batch-size", "7", "--format", format], database)
            #expect(stored.status == 0, "\(stored.stderr)")
            #expect(stored.stdout == file.stdout)
            if format == "json" {
                let report = try #require(try JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [String: Any])
                #expect((report["changed"] as? Int ?? 0) > 5, "\(stored.stdout)")
                #expect(report["from_rule_version"] as? String == "US/dea-registration@1")
            }
        }
        // The same version named by row id, by publish number, or compiled from its file: the same report.
        let rowID = try #require(try connection.value("SELECT id::text FROM rule_versions WHERE rule_type = 'US/dea-registration'"))
        let reference = try Self.credrules(["impact", "--from", dea, "--to", stricter, "--as-of", Self.asOf, "--format", "json"], database)
        for name in [rowID, "US/dea-registration#1"] {
            let named = try Self.credrules(["impact", "--from", name, "--to", stricter, "--as-of", Self.asOf, "--format", "json"], database)
            #expect(named.status == 0, "\(named.stderr)")
            #expect(named.stdout == reference.stdout, "\(name)")
        }
        // Without --as-of, the date of the latest completed run.
        let unchanged = try Self.credrules(["impact", "--from", rowID, "--to", "US/dea-registration@1"], database)
        #expect(unchanged.status == 0, "\(unchanged.stderr)")
        #expect(unchanged.stderr.contains("as of \(Self.asOf): the latest completed run"), "\(unchanged.stderr)")
        #expect(unchanged.stdout.hasPrefix("US/dea-registration@1 → US/dea-registration@1 as of \(Self.asOf)\n"), "\(unchanged.stdout)")
        #expect(unchanged.stdout.contains(" credentials evaluated, 0 change status\n"), "\(unchanged.stdout)")

        #expect(try Self.writableCounts(connection) == before)
        // Six impacts over the database (the two over the file touch no database), each audited as the engine.
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs") == auditBefore + 6)
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'impact' AND actor_role = 'credrules_engine' AND status = 'success' AND (metadata_json->>'providers')::int = 60") == 6)
    }

    @Test func aRuleVersionTheDatabaseDoesNotHaveFailsClearlyAndAnInjectedOneIsOnlyData() throws {
        let database = try Self.populated()
        let connection = try Connection(url: database)
        let before = try Self.writableCounts(connection)
        let cases: [(String, String)] = [
            ("00000000-0000-4000-8000-000000000000", "--from: no rule version `00000000-0000-4000-8000-000000000000` in the database"),
            ("US/dea-registration@7", "--from: no rule version `US/dea-registration@7` in the database"),
            ("US/dea-registration#2", "--from: no rule version `US/dea-registration#2` in the database"),
            ("'; DELETE FROM rule_versions; --@1", "--from: no rule version `'; DELETE FROM rule_versions; --@1` in the database"),
            ("US/dea-registration@1' OR '1'='1", "--from `US/dea-registration@1' OR '1'='1` is neither a pack file nor a stored rule version"),
            ("00000000-0000-4000-8000-00000000000'", "is neither a pack file nor a stored rule version"),
        ]
        for (name, message) in cases {
            let outcome = try Self.credrules(["impact", "--from", name, "--to", "US/dea-registration@1", "--as-of", Self.asOf], database)
            #expect(outcome.status == 2, "\(name): \(outcome.stderr)")
            #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
            #expect(outcome.stdout.isEmpty)
        }
        #expect(try Self.writableCounts(connection) == before)
        #expect(try Self.count(connection, "SELECT count(*) FROM audit_logs WHERE action = 'impact' AND status = 'failure'") == cases.count)
        let bad = try Self.credrules(["impact", "--from", "US/dea-registration@1", "--to", "US/dea-registration@1", "--as-of", "2026-13-01"], database)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--as-of must be a YYYY-MM-DD date, got `2026-13-01`"), "\(bad.stderr)")
    }
}
