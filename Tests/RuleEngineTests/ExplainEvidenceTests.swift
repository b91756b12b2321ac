import RuleBase
import RuleEngine
import RuleIR
import Testing

/// The fact rows an explanation rests on, the documents a caller attaches to them, and the
/// impact report's examples, which must not depend on the order providers arrive in.
@Suite struct ExplainEvidenceTests {
    func evaluate(_ facts: JSONValue, asOf: String = "2026-06-01") throws -> CredentialEvaluation {
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded()], tracing: true).evaluate(document: facts, asOf: Fixtures.date(asOf))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        return try #require(batch.evaluations.first)
    }

    @Test func theCountedFactsAreTheCredentialThenEachRequirementsRowsOnceWithTheirTables() throws {
        let events = [("E1", "general", "40", "2025-06-01"), ("E2", "ethics", "2", "2025-07-01"), ("X1", "general", "5", "2010-01-01")]
        let e = try evaluate(Fixtures.facts(events: events))
        let rows = Explain.countedFacts(e, version: Fixtures.texas)
        // E2 counts for the total and for ethics: listed once; X1, outside the window, not at all.
        #expect(rows == [FactRowReference(table: "licenses", id: "L-p1"), FactRowReference(table: "cme_events", id: "E1"),
                         FactRowReference(table: "cme_events", id: "E2")])
        let total = try #require(e.requirements.first { $0.id == "cme-total" })
        #expect(Explain.countedFacts(of: total, in: Fixtures.texas).map(\.id) == total.countedRows)
        let current = try #require(e.requirements.first { $0.id == "license-current" })
        #expect(Explain.countedFacts(of: current, in: Fixtures.texas).isEmpty)
    }

    @Test func evidenceFollowsEachCountedRowAndANoDocumentRowSaysSo() throws {
        let e = try evaluate(Fixtures.facts(events: [("E1", "general", "48", "2025-06-01"), ("E2", "ethics", "2", "2025-07-01")]))
        let plain = Explain.render(e, version: Fixtures.texas)
        #expect(!plain.contains("↳"))
        let scan = SourceDocument(id: "doc-1", s3URI: "s3://b/l.pdf", sha256: String(repeating: "a", count: 64), fileType: "pdf",
                                  via: ["extracted_from_doc_id"])
        let evidence = Evidence(documents: [FactRowReference(table: "licenses", id: "L-p1"): [scan]])
        let text = Explain.render(e, version: Fixtures.texas, evidence: evidence)
        let lines = text.split(separator: "\n").map(String.init)
        let credential = try #require(lines.firstIndex { $0.hasPrefix("├─ credential license L-p1") })
        #expect(lines[credential + 1] == "│  ↳ licenses L-p1 ← document doc-1: s3://b/l.pdf, sha256 \(String(repeating: "a", count: 64)), pdf (via extracted_from_doc_id)")
        #expect(lines.contains("│  ↳ cme_events E1: no source document on record"), "\(text)")
        // Only the evidence lines are added.
        #expect(lines.filter { !$0.contains("↳") } == plain.split(separator: "\n").map(String.init))

        let json = Explain.json(e, version: Fixtures.texas, evidence: evidence)
        #expect(json["credential"]?["evidence"]?.arrayValue?.first?["documents"]?.arrayValue?.first?["s3_uri"]?.stringValue == "s3://b/l.pdf")
        let ethics = json["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-ethics" }
        #expect(ethics?["evidence"]?.arrayValue?.first?["source"]?.stringValue == "no source document on record")
        #expect(Explain.json(e, version: Fixtures.texas)["credential"]?["evidence"] == nil)
    }

    @Test func rowsAConditionReadAreListedAsAlsoReadWithTheirDocuments() throws {
        // The pain course's exemption asks about board certifications: the radiology certificate decided it.
        let cert: (String, JSONValue) = ("board_certifications", .array([.object([
            ("id", .string("B1")), ("provider_id", .string("p1")), ("specialty", .string("radiology")),
            ("expiration_date", .string("2030-01-01")),
        ])]))
        let e = try evaluate(Fixtures.facts(issue: "2024-03-01", expiration: "2026-03-01", extra: [cert]), asOf: "2025-06-01")
        #expect(Explain.alsoRead(e, version: Fixtures.texas) == [FactRowReference(table: "board_certifications", id: "B1")])
        let text = Explain.render(e, version: Fixtures.texas, evidence: Evidence())
        #expect(text.contains("\n│  ↳ also read: board_certifications B1: no source document on record\n"), "\(text)")
        #expect(Explain.json(e, version: Fixtures.texas, evidence: Evidence())["also_read"]?.arrayValue?.first?["id"]?.stringValue == "B1")
        // Without a board certification on file, nothing else was read.
        #expect(Explain.alsoRead(try evaluate(Fixtures.facts()), version: Fixtures.texas).isEmpty)
    }

    @Test func aCredentialNoPackCoversStillNamesTheDocumentOfItsRow() throws {
        let facts = try JSONParser.parse(#"{"licenses": [{"id": "NJ1", "provider_id": "p1", "state": "NJ", "license_type": "MD", "status": "active", "expiration_date": "2027-03-31"}]}"#)
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded()]).evaluate(document: facts, asOf: Fixtures.date("2026-06-01"))
        let e = try #require(batch.evaluations.first)
        #expect(!e.wasEvaluated)
        #expect(Explain.countedFacts(e, version: nil) == [FactRowReference(table: "licenses", id: "NJ1")])
        let text = Explain.render(unevaluated: e, evidence: Evidence())
        #expect(text.contains("\n│  ↳ licenses NJ1: no source document on record\n"), "\(text)")
        #expect(!Explain.render(unevaluated: e).contains("↳"))
        #expect(Explain.json(unevaluated: e, evidence: Evidence())["credential"]?["evidence"]?.arrayValue?.count == 1)
    }

    @Test func impactExamplesAreTheFirstFiveInIDOrderHoweverTheProvidersArrive() {
        let transition = ImpactReport.Transition(from: "compliant", to: "non_compliant")
        let ids = (1...9).map { "p\($0)/L\($0)" }
        func report(_ order: [String], batch: Int) -> ImpactReport {
            var whole = ImpactReport()
            for start in stride(from: 0, to: order.count, by: batch) {
                var part = ImpactReport()
                part.examples[transition] = Array(order[start..<min(start + batch, order.count)]).sorted().prefix(ImpactReport.exampleCount).map { $0 }
                whole.merge(part)
            }
            return whole
        }
        let forward = report(ids, batch: 4), backward = report(ids.reversed(), batch: 2), shuffled = report(["p7/L7", "p2/L2", "p9/L9", "p1/L1", "p5/L5", "p3/L3", "p8/L8", "p4/L4", "p6/L6"], batch: 3)
        #expect(forward.examples[transition] == ["p1/L1", "p2/L2", "p3/L3", "p4/L4", "p5/L5"])
        #expect(backward.examples == forward.examples)
        #expect(shuffled.examples == forward.examples)
    }
}
