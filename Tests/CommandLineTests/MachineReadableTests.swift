import Foundation
import Testing

/// Machine-readable output is one document on standard output, and the CI options (issue 10).
@Suite(.serialized) struct MachineReadableTests {
    let sample = "Examples/sample-facts.json"
    static let texas = CLI.repositoryRoot.appendingPathComponent("RulePacks/US-TX/physician-license.yaml")

    /// A folder with the Texas pack, one of its tests made to fail, and a pack that does not compile (the caller removes it).
    static func packsWithAFailingTestAndABrokenPack() throws -> URL {
        let dir = try CLI.temporaryDirectory()
        let text = try String(contentsOf: texas, encoding: .utf8)
        let expectation = "    expect:\n      status: compliant\n"
        let failing = text.replacingOccurrences(of: expectation, with: "    expect:\n      status: at_risk\n", range: text.range(of: expectation))
        #expect(failing != text)
        try failing.write(to: dir.appendingPathComponent("texas.yaml"), atomically: true, encoding: .utf8)
        try "pack: US-TX/broken\nversion: one\n".write(to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func checkJSONIsOneDocumentWithDiagnosticsAndTestFailures() throws {
        let dir = try Self.packsWithAFailingTestAndABrokenPack()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["check", dir.path, "--format", "json"])
        #expect(result.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]],
                                    "not one JSON document: \(result.stdout.prefix(300))")
        let ids = Set(document.compactMap { $0["id"] as? String })
        #expect(ids.contains("pack.testFailed"), "\(ids)")
        #expect(document.contains { ($0["file"] as? String)?.hasSuffix("broken.yaml") == true && $0["severity"] as? String == "error" })
    }

    @Test func checkSARIFIsOneLog() throws {
        let dir = try Self.packsWithAFailingTestAndABrokenPack()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["check", dir.path, "--format", "sarif"])
        #expect(result.status == 1)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let results = try #require(runs[0]["results"] as? [[String: Any]])
        #expect(results.contains { $0["ruleId"] as? String == "pack.testFailed" })
    }

    @Test func checkTestsThePacksThatCompile() throws {
        let dir = try Self.packsWithAFailingTestAndABrokenPack()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["check", dir.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("broken.yaml"))
        // Every test of the Texas pack ran: all but the one made to fail passed.
        let texasTests = try String(contentsOf: Self.texas, encoding: .utf8).components(separatedBy: "\n  - name: ").count - 1
        #expect(texasTests > 1)
        #expect(result.stderr.contains("pack tests: \(texasTests - 1) passed, 1 failed"), "\(result.stderr.suffix(400))")
    }

    @Test func warningsAsErrors() throws {
        let pack = "Tests/RuleCompilerTests/Cases/warnings/pack.yaml"
        let plain = try CLI.run(["check", pack])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(plain.stderr.contains("warning"))
        let strict = try CLI.run(["check", pack, "--warnings-as-errors"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("--warnings-as-errors"))
        #expect(try CLI.run(["check", "RulePacks", "--warnings-as-errors"]).status == 0)
    }

    @Test func testWritesJUnitWithOneTestCasePerPackTest() throws {
        let json = try CLI.run(["test", "RulePacks", "--format", "json"])
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let tests = reports.reduce(0) { $0 + (($1["tests"] as? [Any])?.count ?? 0) }
        let junit = try CLI.run(["test", "RulePacks", "--format", "junit"])
        #expect(junit.status == 0)
        #expect(junit.stdout.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        #expect(junit.stdout.components(separatedBy: "<testcase ").count - 1 == tests)
        #expect(junit.stdout.contains(#"<testsuites name="credrules" tests="\#(tests)" failures="0""#))
        #expect(junit.stdout.components(separatedBy: "<testsuite ").count - 1 == reports.count)

        let dir = try Self.packsWithAFailingTestAndABrokenPack()
        defer { try? FileManager.default.removeItem(at: dir) }
        let failing = try CLI.run(["test", dir.path, "--format", "junit"])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains(#"failures="1""#))
        #expect(failing.stdout.contains("<failure message="))
        #expect(!failing.stdout.contains("<failure message=\"\""))
        // The pack that does not compile is there too, as an error, with its position.
        #expect(failing.stdout.contains(#"errors="1">"#))
        #expect(failing.stdout.contains("broken.yaml:"), "\(failing.stdout.prefix(600))")
        #expect(failing.stdout.contains("<error message="))
    }

    @Test func diffWritesValuesAsJSONAndExitCodeSaysWhetherTheMeaningChanged() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: Self.texas, encoding: .utf8)
        let new = dir.appendingPathComponent("v2.yaml")
        try text.replacingOccurrences(of: "version: 1\n", with: "version: 2\n").replacingOccurrences(of: "2019-09-01: 48", with: "2019-09-01: 60")
            .write(to: new, atomically: true, encoding: .utf8)
        let result = try CLI.run(["diff", Self.texas.path, new.path, "--format", "json"])
        #expect(result.status == 0)
        #expect(!result.stdout.contains(#"\""#), "values are strings holding JSON: \(result.stdout)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect(changes.contains { !($0["new"] is String) && !($0["new"] is NSNull) }, "\(changes)")

        #expect(try CLI.run(["diff", Self.texas.path, new.path, "--exit-code"]).status == 1)
        #expect(try CLI.run(["diff", Self.texas.path, Self.texas.path, "--exit-code"]).status == 0)
    }

    @Test func impactJSONIsOnlyTheDocument() throws {
        let result = try CLI.run(["impact", "--from", Self.texas.path, "--to", Self.texas.path, "--facts", sample, "--as-of", "2026-11-26",
                                  "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
                                    "\(result.stdout.prefix(200))")
        #expect(document["from_rule_version"] as? String == "US-TX/physician-license@1")
        #expect(document["as_of"] as? String == "2026-11-26")
    }

    @Test func versionNamesTheToolAndThePackLanguage() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("credrules "))
        #expect(result.stdout.contains("pack language 1"))
    }

    @Test func explainJSONHasTheSameContentAsTheText() throws {
        let arguments = ["explain", "--provider", "prov-000002", "--packs", "RulePacks", "--facts", sample, "--as-of", "2026-11-26"]
        let text = try CLI.run(arguments)
        let json = try CLI.run(arguments + ["--format", "json"])
        #expect(json.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let evaluations = try #require(document["evaluations"] as? [[String: Any]])
        #expect(evaluations.count == text.stdout.components(separatedBy: "\n⇒ ").count - 1)
        for evaluation in evaluations {
            let requirements = try #require(evaluation["requirements"] as? [[String: Any]])
            for requirement in requirements {
                let id = try #require(requirement["id"] as? String)
                let outcome = try #require(requirement["outcome"] as? String)
                #expect(text.stdout.contains("─ \(id) ["), "\(id)")
                #expect(text.stdout.contains("→ \(outcome.uppercased()):"), "\(id)")
            }
        }
        // A DEA registration has no renewal number: the cycle line says nothing rather than `?`.
        #expect(!text.stdout.contains("renewal ?"), "\(text.stdout)")
        #expect(text.stdout.contains("Federal DEA"))
    }

    @Test func explainKeepsBlockExpressionsOnOneLine() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(contentsOf: Self.texas, encoding: .utf8)
        // The ethics requirement's condition as a block scalar, which keeps a final newline.
        let pack = dir.appendingPathComponent("texas.yaml")
        let anchor = "    credit_types: [ama_pra_1, aoa_1a]\n    cite: tac-161-35\n  - id: cme-opioid\n"
        let block = text.replacingOccurrences(
            of: anchor, with: "    credit_types: [ama_pra_1, aoa_1a]\n    cite: tac-161-35\n    when: |\n      credential.state == 'TX' &&\n        true\n  - id: cme-opioid\n")
        #expect(block != text)
        try block.write(to: pack, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["check", pack.path]).status == 0)
        let facts = dir.appendingPathComponent("facts.json")
        try #"{"providers":[{"id":"p1"}],"licenses":[{"id":"L1","provider_id":"p1","state":"TX","license_type":"MD","status":"active","issue_date":"2021-03-01","expiration_date":"2027-03-01"}]}"#
            .write(to: facts, atomically: true, encoding: .utf8)
        let result = try CLI.run(["explain", "--provider", "p1", "--packs", pack.path, "--facts", facts.path, "--as-of", "2026-01-15"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("when `credential.state == 'TX' && true` → true"), "\(result.stdout)")
        for line in result.stdout.split(separator: "\n") {
            #expect(line.filter { $0 == "`" }.count % 2 == 0, "a line ends inside backticks: \(line)")
        }
    }
}
