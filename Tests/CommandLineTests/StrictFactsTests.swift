import Foundation
import Testing

/// `eval --strict`: one rejected row fails the run before anything is written.
@Suite struct StrictFactsTests {
    static let good = #"{"providers":[{"id":"p2"}],"licenses":[{"id":"L2","provider_id":"p2","state":"TX","license_type":"MD","status":"active","issue_date":"2015-01-01","expiration_date":"2027-01-31"}]}"#
    static let bad = #"{"providers":[{"id":"p1"}],"licenses":[{"id":"L1","provider_id":"p1","state":"TX","license_type":"MD","status":"Active","issue_date":"2015-01-01","expiration_date":"2027-01-31"}]}"#

    @Test(arguments: ["facts.jsonl", "facts.json"])
    func aRejectedRowFailsTheWholeRunAndWritesNothing(_ name: String) throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = dir.appendingPathComponent(name)
        let text = name.hasSuffix(".jsonl") ? Self.good + "\n" + Self.bad + "\n"
            : #"{"providers":[{"id":"p1"}],"licenses":[{"id":"L1","provider_id":"p1","state":"TX","status":"Active","expiration_date":"2027-01-31"}]}"#
        try text.write(to: facts, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", facts.path, "--as-of", "2026-11-26", "--out", out.path, "--strict"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("licenses row L1 column status: `Active` is not a license status"), "\(result.stderr)")
        #expect(result.stderr.contains("--strict: 1 rows rejected; nothing evaluated, no outputs written"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func cleanFactsPassStrict() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = dir.appendingPathComponent("facts.jsonl")
        try (Self.good + "\n").write(to: facts, atomically: true, encoding: .utf8)
        let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", facts.path, "--as-of", "2026-11-26", "--format", "jsonl", "--strict"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""credential_id":"L2""#))
    }
}
