import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Provider attributes a pack declares (`Grammar/pack-language.md` §7.1): facts are validated against the
/// declaration, the default stands in for a missing fact, and `explain` says which value was used.
@Suite struct DeclaredAttributeEvaluationTests {
    static let meaning = "Practises in Texas (test rule §1)"

    static var version: RuleVersion {
        var version = Fixtures.texas
        var declaration = AttributeDeclaration(key: "practises_in_texas", type: .bool, defaultValue: .bool(true))
        declaration.meaning = meaning
        version.attributes = [AttributeDeclaration(key: "direct_patient_care", type: .bool, defaultValue: nil), declaration]
        // The ethics hours apply only to physicians practising in Texas.
        version.requirements[2].when = Fixtures.expr("provider.practises_in_texas", attributes: ["practises_in_texas"])
        return version
    }

    func evaluate(_ attributes: [(String, JSONValue)], versions: [RuleVersion] = [version]) throws -> EvaluationBatch {
        let evaluator = Evaluator(ruleVersions: try versions.map { try Fixtures.loaded($0) }, tracing: true)
        return evaluator.evaluate(document: Fixtures.facts(events: Fixtures.fullEvents, attributes: attributes),
                                  asOf: Fixtures.date("2026-12-15"))
    }

    @Test func theCatalogueHoldsTheSharedAndTheDeclaredAttributes() {
        let catalogue = AttributeCatalogue.including([Self.version])
        #expect(catalogue.declaration(of: "practises_in_texas")?.meaning == Self.meaning)
        #expect(catalogue.declaration(of: "primary_care") != nil)
        #expect(AttributeCatalogue.shared.declaration(of: "practises_in_texas") == nil)
    }

    @Test func aDeclaredFactIsAcceptedAndUsed() throws {
        let batch = try evaluate([("direct_patient_care", .bool(false)), ("practises_in_texas", .bool(false))])
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        let e = try #require(batch.evaluations.first)
        #expect(e.requirements.first { $0.id == "cme-ethics" }?.outcome == .notApplicable)
        #expect(e.defaultsUsed.isEmpty)
        let text = Explain.render(e, version: Self.version)
        #expect(text.contains("├─ attribute on file: provider.practises_in_texas = false (Practises in Texas (test rule §1))"))
        #expect(Explain.json(e, version: Self.version).objectMembers?.first { $0.0 == "attributes_on_file" }?.1.compactText
            == #"{"direct_patient_care":false,"practises_in_texas":false}"#)
    }

    @Test func theDefaultStandsInAndExplainSaysSo() throws {
        let batch = try evaluate([("direct_patient_care", .bool(false))])
        let e = try #require(batch.evaluations.first)
        #expect(e.requirements.first { $0.id == "cme-ethics" }?.outcome == .met)
        #expect(e.defaultsUsed.map(\.0) == ["practises_in_texas"])
        #expect(e.defaultsUsed.first?.1 == .bool(true))
        #expect(Explain.render(e, version: Self.version)
            .contains("├─ default used: provider.practises_in_texas = true (no fact on file); declared by the pack: Practises in Texas (test rule §1)"))
        // The execution log records the default, as for a shared attribute.
        #expect(e.outputs.objectMembers?.first { $0.0 == "attribute_defaults_used" }?.1.compactText == #"{"practises_in_texas":true}"#)
    }

    @Test func aFactOfTheWrongTypeIsRejected() throws {
        let batch = try evaluate([("direct_patient_care", .bool(false)), ("practises_in_texas", .string("no"))])
        #expect(batch.errors.map(\.message) == ["attribute `practises_in_texas` is declared bool: expected true or false (not a string), found \"no\""])
    }

    @Test func withoutThePackTheKeyIsUnknown() throws {
        let batch = try evaluate([("direct_patient_care", .bool(false)), ("practises_in_texas", .bool(false))], versions: [Fixtures.texas])
        #expect(batch.errors.count == 1)
        #expect(batch.errors.first?.message.hasPrefix("unknown provider attribute `practises_in_texas`") == true)
    }
}
