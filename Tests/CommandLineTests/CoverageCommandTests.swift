import Foundation
import Testing

@Suite(.serialized) struct CoverageCommandTests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func bundledPacksGiveEveryJurisdictionARowAndJSONIsOneDocument() throws {
        let result = try CLI.run(["coverage", "RulePacks", "--as-of", "2026-11-26", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try Self.object(result.stdout)
        let rows = try #require(document["jurisdictions"] as? [[String: Any]])
        let codes = rows.compactMap { $0["jurisdiction"] as? String }
        #expect(codes.first == "US")
        #expect(codes.count >= 52)
        #expect(Set(codes).isSuperset(of: ["US-DC", "US-TX", "US-WY", "US-AK"]))
        func cell(_ jurisdiction: String, _ credential: String) -> [String: Any]? {
            let cells = rows.first { $0["jurisdiction"] as? String == jurisdiction }?["cells"] as? [[String: Any]]
            return cells?.first { $0["credential"] as? String == credential }
        }
        #expect(cell("US-TX", "license_md")?["status"] as? String == "covered")
        #expect(cell("US", "dea_registration")?["status"] as? String == "covered")
        #expect(cell("US", "license_md")?["status"] as? String == "not_applicable")
        // A state without a registration of its own says so with its source; only the board-certification column is a gap.
        #expect(cell("US-TX", "csr_certificate")?["status"] as? String == "not_issued")
        #expect((cell("US-TX", "csr_certificate")?["not_issued"] as? [String: Any])?["confidence"] as? String == "V")
        #expect(cell("US-NJ", "csr_certificate")?["status"] as? String == "covered")
        // The summary agrees with the cells, and every gap is a cell with status gap.
        let summary = try #require(document["summary"] as? [String: Any])
        let gaps = try #require(document["gaps"] as? [[String: Any]])
        #expect(summary["gaps"] as? Int == gaps.count)
        let allCells = rows.flatMap { ($0["cells"] as? [[String: Any]]) ?? [] }
        #expect(allCells.count(where: { $0["status"] as? String == "gap" }) == gaps.count)
        let versions = allCells.flatMap { (($0["packs"] as? [[String: Any]]) ?? []).flatMap { ($0["versions"] as? [[String: Any]]) ?? [] } }
        #expect(!versions.isEmpty)
        for version in versions {
            let confidence = try #require(version["confidence"] as? [String: Int])
            #expect(Set(confidence.keys).isSuperset(of: ["V", "V2", "P", "R", "C", "unmarked"]))
            #expect(confidence.values.reduce(0, +) == version["requirements"] as? Int)
        }
    }

    @Test func tableNamesPacksAndGapsAndCountsTheSamplesUncoveredCredentials() throws {
        let result = try CLI.run(["coverage", "RulePacks", "--facts", "Examples/sample-facts.json", "--as-of", "2026-11-26"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("jurisdiction  license MD"))
        #expect(result.stdout.contains("Population as of 2026-11-26: ") && result.stdout.contains(" providers, "))
        let json = try Self.object(try CLI.run(["coverage", "RulePacks", "--facts", "Examples/sample-facts.json", "--as-of", "2026-11-26",
                                                "--format", "json"]).stdout)
        let population = try #require(json["population"] as? [String: Any])
        let credentials = try #require(population["credentials"] as? Int)
        #expect(credentials > 40)
        #expect((population["covered"] as? Int ?? 0) + (population["uncovered"] as? Int ?? 0) == credentials)
        let cells = try #require(population["uncovered_by_cell"] as? [[String: Any]])
        #expect(cells.compactMap { $0["count"] as? Int }.reduce(0, +) == population["uncovered"] as? Int)
    }

    @Test func aPopulationOutsideThePacksIsCountedByJurisdictionAndType() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pack = dir.appendingPathComponent("pack.yaml")
        try """
            pack: US-TX/md-license
            version: 1
            title: Texas MD
            authority: Test
            credential: license
            applies_to: {state: TX, license_types: [MD]}
            effective: {from: 2025-01-01}
            citations: {licensing: {text: "Tex. Occ. Code §156.001", confidence: P}}
            cycle: {months: 24}
            requirements:
              - id: current
                kind: credential_current
                cite: licensing
            """.write(to: pack, atomically: true, encoding: .utf8)
        let facts = dir.appendingPathComponent("facts.jsonl")
        let provider = { (id: String, state: String, type: String) in
            #"{"providers": [{"id": "\#(id)"}], "licenses": [{"id": "L-\#(id)", "provider_id": "\#(id)", "state": "\#(state)", "license_type": "\#(type)", "status": "active", "expiration_date": "2027-01-31"}]}"#
        }
        try [provider("p1", "TX", "MD"), provider("p2", "TX", "DO"), provider("p3", "NM", "MD"), provider("p4", "NM", "MD")]
            .joined(separator: "\n").write(to: facts, atomically: true, encoding: .utf8)
        let result = try CLI.run(["coverage", pack.path, "--facts", facts.path, "--as-of", "2026-11-26", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let population = try #require(try Self.object(result.stdout)["population"] as? [String: Any])
        #expect(population["providers"] as? Int == 4)
        #expect(population["covered"] as? Int == 1)
        let cells = try #require(population["uncovered_by_cell"] as? [[String: Any]])
        #expect(cells.map { "\($0["jurisdiction"] ?? "") \($0["credential"] ?? "") \($0["count"] ?? "")" }
            == ["US-NM license_md 2", "US-TX license_do 1"])
        // Before the pack takes effect, nothing is covered.
        let early = try Self.object(try CLI.run(["coverage", pack.path, "--facts", facts.path, "--as-of", "2024-06-01", "--format", "json"]).stdout)
        #expect((early["population"] as? [String: Any])?["covered"] as? Int == 0)
        // A line that is not JSON is a rejected row: reported, and exit 1.
        try ([provider("p1", "TX", "MD"), "{not json"].joined(separator: "\n")).write(to: facts, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["coverage", pack.path, "--facts", facts.path, "--as-of", "2026-11-26"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 2: invalid JSON"), "\(bad.stderr)")
        #expect(bad.stdout.contains("1 rejected row(s) not counted"))
    }

    @Test func usageErrorsExitTwo() throws {
        let noDate = try CLI.run(["coverage", "RulePacks", "--facts", "Examples/sample-facts.json"])
        #expect(noDate.status == 2)
        #expect(noDate.stderr.contains("--facts needs --as-of"))
        #expect(try CLI.run(["coverage", "RulePacks", "--as-of", "2026-02-30"]).status == 2)
        #expect(try CLI.run(["coverage", "RulePacks", "--format", "xml"]).status == 2)
        #expect(try CLI.run(["coverage", "no/such/folder"]).status == 2)
    }
}
