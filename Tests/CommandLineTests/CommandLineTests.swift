import Foundation
import Testing

@Suite(.serialized) struct CommandLineTests {
    let sample = "Examples/sample-facts.json"

    @Test func checkIsCleanOnTheBundledPacksAndRunsTheirTests() throws {
        let result = try CLI.run(["check", "RulePacks"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("pack tests:"))
        #expect(result.stderr.contains(" 0 failed"))
    }

    @Test func checkPointsAtTheErrorWithACaretAndExitsOne() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pack = dir.appendingPathComponent("bad.yaml")
        try """
            pack: US-TX/bad
            version: 1
            title: Bad
            authority: Test
            credential: license
            applies_to: {state: TX}
            effective: {from: 2025-01-01}
            citations: {cme: "22 TAC 161.35"}
            cycle: {months: 24}
            requirements:
              - id: ethics
                kind: cme_hours
                hours: 2
                categories: [ethics]
                when: credential.stat == "TX"
                cite: cme
            """.write(to: pack, atomically: true, encoding: .utf8)
        let result = try CLI.run(["check", pack.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.yaml:15:11: error"), "\(result.stderr)")
        #expect(result.stderr.contains("did you mean `credential.state`?"))
        #expect(result.stderr.contains("^"))
        let sarif = try CLI.run(["check", pack.path, "--format", "sarif"])
        #expect(sarif.status == 1)
        #expect(sarif.stdout.contains("\"version\": \"2.1.0\""))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CLI.run(["check", "no/such/folder"]).status == 2)
        #expect(try CLI.run(["eval", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-13-01"]).status == 2)
        let missing = try CLI.run(["eval", "--packs", "RulePacks", "--facts", "no/such/facts.json", "--as-of", "2026-11-26"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read `no/such/facts.json`"))
        #expect(try CLI.run(["eval", "--no-such-option"]).status == 2)
    }

    @Test func evalJSONIsDeterministicAndHasEveryTable() throws {
        let arguments = ["eval", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26", "--format", "json"]
        let first = try CLI.run(arguments)
        let second = try CLI.run(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["rule_versions", "compliance_windows", "compliance_gap_analysis", "rules_execution_log", "errors",
                                     "run_manifest"])
        let windows = try #require(object["compliance_windows"] as? [[String: Any]])
        #expect(windows.count > 40)
        let statuses = Set(windows.compactMap { $0["compliance_status"] as? String })
        #expect(statuses.isSuperset(of: ["compliant", "in_progress", "at_risk", "non_compliant"]))
        #expect(windows.allSatisfy { $0["days_until_due"] is Int && ($0["next_renewal_date"] as? String)?.count == 10 })
        let versions = try #require(object["rule_versions"] as? [[String: Any]])
        #expect(versions.allSatisfy { ($0["hash"] as? String)?.count == 64 })
    }

    @Test func evalOutFolderThenReplayIsIdenticalAndTamperingIsCaught() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let eval = try CLI.run(["eval", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26", "--out", dir.path])
        #expect(eval.status == 0, "\(eval.stderr)")
        for table in ["compliance_windows", "compliance_gap_analysis", "rules_execution_log", "errors"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(table).jsonl").path))
        }
        let log = dir.appendingPathComponent("rules_execution_log.jsonl")
        let replay = try CLI.run(["replay", log.path, "--packs", "RulePacks"])
        #expect(replay.status == 0, "\(replay.stdout)")
        #expect(replay.stdout.contains("entries: all identical"))
        let one = try CLI.run(["replay", log.path, "--packs", "RulePacks", "--entry", "3"])
        #expect(one.stdout.hasPrefix("entry 3 "))
        #expect(one.stdout.contains("1 entry: all identical"))

        // Change a logged output: its recorded hash no longer matches, and replay says which field.
        var lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        let original = lines[0]
        guard let range = original.range(of: #""compliance_status":"#) else { Issue.record("no status in log"); return }
        let statusStart = original[range.upperBound...]
        let currentStatus = String(statusStart.prefix { $0 != "," })
        let forged = currentStatus == #""compliant""# ? #""at_risk""# : #""compliant""#
        lines[0] = original.replacingCharacters(in: range.upperBound..<original.index(range.upperBound, offsetBy: currentStatus.count), with: forged)
        try (lines.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        let tampered = try CLI.run(["replay", log.path, "--packs", "RulePacks", "--entry", "1"])
        #expect(tampered.status == 1)
        #expect(tampered.stdout.contains("ALTERED"))
        #expect(tampered.stdout.contains("outputs_json does not match outputs_sha256"))
    }

    @Test func anOutFolderThatCannotBeCreatedIsAnErrorNamingIt() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("taken")
        try "not a folder".write(to: blocker, atomically: true, encoding: .utf8)
        let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26",
                                  "--out", blocker.appendingPathComponent("out").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot create the folder"))
        #expect(result.stderr.contains("is a file"))
        #expect(!result.stderr.contains("Usage:"))
    }

    @Test func invalidRowsAreReportedAndTheRestEvaluated() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = dir.appendingPathComponent("facts.jsonl")
        try """
            {"providers":[{"id":"p1"}],"licenses":[{"id":"L1","provider_id":"p1","state":"TX","license_type":"MD","status":"active","issue_date":"2015-01-01","expiration_date":"2027-02-30"}]}
            this is not json
            {"providers":[{"id":"p2"}],"licenses":[{"id":"L2","provider_id":"p2","state":"TX","license_type":"MD","status":"active","issue_date":"2015-01-01","expiration_date":"2027-01-31"}],"cme_events":[{"id":"E1","provider_id":"p2","category":"ethics","credits_earned":-2,"completion_date":"2026-01-01"}]}

            """.write(to: facts, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", facts.path, "--as-of", "2026-11-26", "--out", out.path])
        #expect(result.status == 1)
        let errors = try String(contentsOf: out.appendingPathComponent("errors.jsonl"), encoding: .utf8)
        #expect(errors.contains(#""column":"expiration_date""#))
        #expect(errors.contains(#""line":2"#))
        #expect(errors.contains(#""column":"credits_earned""#))
        let windows = try String(contentsOf: out.appendingPathComponent("compliance_windows.jsonl"), encoding: .utf8)
        #expect(windows.contains(#""credential_id":"L2""#))
        // L1's row was rejected: it is reported as undecidable, never dropped.
        #expect(windows.contains(#""compliance_status":"unknown","credential_id":"L1""#))
    }

    @Test func exprBatchAnswersEveryLineInOrder() throws {
        let input = """
            {"expr": "decimal('1.25') + decimal('0.1')"}
            not json
            {"expr": "x.name", "bindings": {"x": {"map": [[{"string": "name"}, {"int": "1024"}]]}}, "type_env": {"x": "map(string, int)"}}
            {"expr": "1 +"}
            {"expr": "y", "type_env": {"x": "int"}}
            {"expr": "1 / 0"}

            """
        let result = try CLI.run(["expr", "--batch"], stdin: input)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0] == #"{"value":{"decimal":"1.35"}}"#)
        #expect(lines[1].contains(#""stage":"input""#))
        #expect(lines[2] == #"{"value":{"int":"1024"}}"#)
        #expect(lines[3].contains(#""stage":"parse""#))
        #expect(lines[4].contains(#""stage":"check""#))
        #expect(lines[5].contains(#""stage":"eval""#))
    }

    @Test func exprForAPerson() throws {
        let result = try CLI.run(["expr", "date('2024-01-31').addMonths(1)"])
        #expect(result.stdout == "date('2024-02-29')\n")
        let bad = try CLI.run(["expr", "completion_dat > 1"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("undeclared reference"))
    }

    @Test func packTestsPassAndCompileWritesAManifest() throws {
        let tests = try CLI.run(["test", "RulePacks"])
        #expect(tests.status == 0, "\(tests.stdout.suffix(2000))")
        #expect(tests.stdout.contains(" passed, 0 failed"))
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let compile = try CLI.run(["compile", "RulePacks", "--out", dir.path])
        #expect(compile.status == 0, "\(compile.stderr)")
        let manifest = try String(contentsOf: dir.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(manifest.contains("US-TX/physician-license"))
        // Evaluating the compiled JSON gives the same bytes as evaluating the YAML.
        let fromJSON = try CLI.run(["eval", "--packs", dir.path, "--facts", sample, "--as-of", "2026-11-26", "--format", "json"])
        let fromYAML = try CLI.run(["eval", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26", "--format", "json"])
        #expect(fromJSON.stdout == fromYAML.stdout)
    }

    @Test func impactAndDiffCompareTwoVersions() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = CLI.repositoryRoot.appendingPathComponent("RulePacks/US-TX/physician-license.yaml")
        let text = try String(contentsOf: old, encoding: .utf8)
        let stricter = text.replacingOccurrences(of: "version: 1\n", with: "version: 2\n")
            .replacingOccurrences(of: "2019-09-01: 48", with: "2019-09-01: 60")
        #expect(stricter != text)
        let new = dir.appendingPathComponent("physician-license.v2.yaml")
        try stricter.write(to: new, atomically: true, encoding: .utf8)
        let diff = try CLI.run(["diff", old.path, new.path])
        #expect(diff.status == 0, "\(diff.stderr)")
        #expect(diff.stdout.contains("total_hours"))
        let impact = try CLI.run(["impact", "--from", old.path, "--to", new.path, "--facts", sample, "--as-of", "2026-11-26"])
        #expect(impact.status == 0, "\(impact.stderr)")
        #expect(impact.stdout.contains("credentials evaluated"))
    }

    @Test func explainShowsTheDecisionTree() throws {
        let result = try CLI.run(["explain", "--provider", "prov-000012", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("⇒ "))
        #expect(result.stdout.contains("cycle: renewal"))
    }

    @Test func explainShowsTheConfidenceOfTheSourceEachVerdictRestsOn() throws {
        // US-CA's citations are marked V; a verdict's line names its source's mark, text and JSON.
        let text = try CLI.run(["explain", "--provider", "prov-000005", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("US-CA/md-license"))
        #expect(text.stdout.contains("; confidence V)"))
        let json = try CLI.run(["explain", "--provider", "prov-000005", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26",
                                "--format", "json"])
        #expect(json.stdout.contains("\"citation_confidence\": \"V\""), "\(json.stdout.prefix(400))")
    }
}

@Suite struct RenderTests {
    @Test func renderStatesEveryRequirementWithItsCitation() throws {
        let result = try CLI.run(["render", "RulePacks/US-FL/md-license.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("# "))
        #expect(result.stdout.contains("## Requirements"))
        #expect(result.stdout.contains("## Citations"))
        // Florida's domestic-violence course is due at every third renewal.
        #expect(result.stdout.contains("3rd renewal") || result.stdout.contains("renewals 3"), "\(result.stdout)")
        #expect(!result.stdout.contains("1 hours"))
    }
}
