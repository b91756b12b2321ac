import RuleBase
import RuleEngine
import Testing

/// A facts document read compactly (rows parsed per provider) validates and evaluates as the
/// whole parsed document does, and says on which line each bad row is.
@Suite struct FactsDocumentTests {
    static let text = """
        {"providers": [{"id": "p2"}, {"id": "p1"}],
         "licenses": [
           {"id": "L1", "provider_id": "p1", "state": "TX", "license_type": "MD", "status": "active", "issue_date": "2015-01-01", "expiration_date": "2027-01-31"},
           {"id": "L2", "provider_id": "p2", "state": "TX", "license_type": "MD", "status": "Active", "expiration_date": "2027-01-31"},
           {"id": "L3", "provider_id": "ghost", "state": "TX", "status": "active", "expiration_date": "2027-01-31"},
           {"id": "L1", "provider_id": "p2", "state": "TX", "status": "active", "expiration_date": "2027-01-31"}
         ],
         "cme_events": [{"id": "E1", "provider_id": "p1", "category": "general", "credits_earned": 3, "completion_date": "2026-01-01"}],
         "licences": [], "documents": [{"id": "d"}]}
        """

    @Test func validatesAsTheWholeDocumentDoes() throws {
        let document = try FactsDocument(bytes: Array(Self.text.utf8))
        let compact = document.load(groups: 0..<document.groupCount)
        let whole = FactLoader.load(try JSONParser.parse(Self.text))
        func rows(_ providers: [ProviderFacts]) -> [String] {
            providers.flatMap { p in p.tables.keys.sorted().flatMap { t in p.rows(t).map { "\(p.providerID)/\(t)/\($0.id)" } } }
        }
        #expect(rows(compact.providers) == rows(whole.providers))
        #expect(compact.providers.map { $0.rejected.map(\.error.message) } == whole.providers.map { $0.rejected.map(\.error.message) })
        var wholeErrors = whole.errors
        for index in wholeErrors.indices { wholeErrors[index].line = nil }
        var compactErrors = document.documentErrors + compact.errors
        for index in compactErrors.indices { compactErrors[index].line = nil }
        #expect(Set(compactErrors) == Set(wholeErrors))
        #expect(compactErrors.count == wholeErrors.count)
    }

    @Test func eachRejectedRowCarriesItsLine() throws {
        let document = try FactsDocument(bytes: Array(Self.text.utf8))
        let errors = document.load(groups: 0..<document.groupCount).errors
        #expect(errors.first { $0.rowID == "L2" }?.line == 4)
        #expect(errors.first { $0.rowID == "L3" }?.line == 5)
        #expect(errors.first { $0.rowID == "L1" }?.line == 6)
    }

    @Test func evaluatesTheSameRowsInBatches() throws {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        let asOf = Fixtures.date("2026-06-01")
        let whole = evaluator.evaluate(document: try JSONParser.parse(Self.text), asOf: asOf)
        let document = try FactsDocument(bytes: Array(Self.text.utf8))
        var batched = EvaluationBatch()
        for group in 0..<document.groupCount {
            batched.append(evaluator.evaluate(document: document, groups: group..<(group + 1), asOf: asOf, keepEvaluations: true))
        }
        #expect(batched.windowLines.bytes == whole.windowLines.bytes)
        // The same gaps; a rejected row's gap also says on which line the row is.
        func withoutLines(_ text: String) -> String { text.replacingOccurrences(of: "(line 6 ", with: "(").replacingOccurrences(of: "(line 4 ", with: "(") }
        #expect(withoutLines(String(decoding: batched.gapLines.bytes, as: UTF8.self)) == String(decoding: whole.gapLines.bytes, as: UTF8.self))
        #expect(batched.logLines.bytes == whole.logLines.bytes)
    }

    @Test func syntaxErrorsAnywhereAndOversizeDocumentsAreRefused() {
        #expect(throws: FactsDocument.ReadError.self) { try FactsDocument(bytes: Array(#"{"licenses": [{"id": "L1",}]}"#.utf8)) }
        #expect(throws: FactsDocument.ReadError.self) { try FactsDocument(bytes: Array(#"{"licenses": []} x"#.utf8)) }
        #expect(throws: FactsDocument.ReadError.self) { try FactsDocument(bytes: Array(#"{"a": 1, "a": 2}"#.utf8)) }
        do {
            _ = try FactsDocument(bytes: Array(Self.text.utf8), limit: 100)
            Issue.record("an oversize document was accepted")
        } catch {
            #expect(error.message.contains("write the population as JSON Lines"))
        }
    }

    @Test func aDocumentThatIsNotAnObjectIsAnError() throws {
        let document = try FactsDocument(bytes: Array("[1, 2]".utf8))
        #expect(document.documentErrors.map(\.message) == ["facts must be a JSON object of table name to rows"])
    }
}
