import RuleBase
import RuleEngine
import Testing

@Suite struct FactValidationTests {
    @Test func badRowsAreReportedAndOthersStillEvaluated() throws {
        let document = try JSONParser.parse("""
            {"providers": [{"id": "p1"}, {"id": "p2"}],
             "licenses": [
               {"id": "L1", "provider_id": "p1", "state": "TX", "license_type": "MD", "status": "active", "issue_date": "2015-01-01", "expiration_date": "2027-13-01"},
               {"id": "L2", "provider_id": "p2", "state": "TX", "license_type": "MD", "status": "active", "issue_date": "2015-01-01", "expiration_date": "2027-01-31"},
               {"id": "L3", "provider_id": "ghost", "state": "TX", "status": "active", "expiration_date": "2027-01-31"},
               {"id": "L4", "provider_id": "p2", "state": "TX", "status": "active"}
             ],
             "cme_events": [{"id": "E1", "provider_id": "p2", "category": "general", "credits_earned": -3, "completion_date": "2026-01-01"}]}
            """)
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        let batch = evaluator.evaluate(document: document, asOf: Fixtures.date("2026-06-01"))
        let summaries = batch.errors.map(\.summary).sorted()
        #expect(summaries == [
            "cme_events row E1 column credits_earned: credits_earned is negative (-3)",
            "licenses row L1 column expiration_date: `2027-13-01` is not a valid YYYY-MM-DD date",
            "licenses row L3 column provider_id: provider `ghost` is not in the providers table",
            "licenses row L4 column expiration_date: missing required column `expiration_date`",
        ])
        // The rejected licenses of known providers are reported as undecidable, not dropped.
        #expect(batch.evaluations.map(\.credentialID) == ["L1", "L2", "L4"])
        #expect(batch.evaluations.map(\.wasEvaluated) == [false, true, false])
    }

    @Test func unknownTablesAndNonObjectsAreErrors() throws {
        let (_, errors) = FactLoader.load(try JSONParser.parse(#"{"licences": [], "cme_events": 3}"#))
        #expect(errors.map(\.summary).sorted() == [
            "cme_events: table `cme_events` must be an array of rows",
            "licences: unknown table `licences` (did you mean `licenses`?)",
        ])
    }

    @Test func malformedJSONLinesAreErrorRowsNotExits() throws {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        let good = Fixtures.facts(provider: "p2", events: Fixtures.fullEvents).compactText
        let lines = ["{not json", good, ""].map { Array($0.utf8)[...] }
        let batch = evaluator.evaluate(lines: lines[...], firstLine: 1, asOf: Fixtures.date("2026-06-01"), keepEvaluations: true)
        #expect(batch.errors.count == 1)
        #expect(batch.errors.first?.line == 1)
        #expect(batch.evaluations.count == 1)
    }

    @Test func invalidUTF8InAJSONLinesLineIsAnErrorRow() throws {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        let good = Array(Fixtures.facts(provider: "p2", events: Fixtures.fullEvents).compactText.utf8)
        let badString = Array(#"{"providers": [{"id": "p"#.utf8) + [0xC3, 0x28] + Array(#""}]}"#.utf8)
        let badByte = Array(#"{"providers": "#.utf8) + [0xFF] + Array("[]}".utf8)
        let batch = evaluator.evaluate(lines: [badString[...], good[...], badByte[...]][...], firstLine: 7,
                                       asOf: Fixtures.date("2026-06-01"), keepEvaluations: true)
        #expect(batch.errors.map(\.line) == [7, 9])
        #expect(batch.errors.first?.message.contains("invalid UTF-8") == true)
        #expect(batch.evaluations.count == 1)
    }
}
