import RuleBase
import RuleEngine
import RuleExpressions
import RuleIR
import Testing

/// What an expression reads is what the checker resolved, never a substring of its text.
@Suite struct ExpressionReadsTests {
    @Test func aTableNamedInAStringLiteralIsNotRead() throws {
        // The fixture's pain-course `when` reads board_certifications: drop it.
        var version = Fixtures.texas
        version.requirements[4].when = nil
        version.requirements[0].when = Fixtures.expr("'board_certifications' != 'x'")
        let loaded = try LoadedRuleVersion(version)
        let batch = Evaluator(ruleVersions: [loaded]).evaluate(
            document: Fixtures.facts(extra: [("board_certifications", .array([.object([
                ("id", .string("B1")), ("provider_id", .string("p1")), ("specialty", .string("radiology")),
            ])]))]), asOf: Fixtures.date("2026-06-01"))
        let tables = (batch.logs.first?["inputs_json"]?["facts"]?.objectMembers ?? []).map(\.0)
        #expect(!tables.contains("board_certifications"), "\(tables)")
        #expect(tables.contains("cme_events"))
        version.requirements[0].when = Fixtures.expr("size(board_certifications) >= 0")
        let reading = Evaluator(ruleVersions: [try LoadedRuleVersion(version)]).evaluate(
            document: Fixtures.facts(), asOf: Fixtures.date("2026-06-01"))
        let readTables = (reading.logs.first?["inputs_json"]?["facts"]?.objectMembers ?? []).map(\.0)
        #expect(readTables.contains("board_certifications"))
    }

    @Test func theCompiledExpressionCarriesTheVariablesItResolved() throws {
        let env = CELEnvironment(variables: [("licenses", .list(.map(.string, .dyn))), ("provider.in_residency", .bool), ("cme_events", .dyn)])
        let compiled = try CompiledExpression.compile("provider.in_residency || 'cme_events' == '' || size(licenses) > 0", in: env).get()
        #expect(compiled.variables == ["licenses", "provider.in_residency"])
        let issues = CompiledExpression.compile("params.totl_hours > 1", in: env)
        guard case .failure(let found) = issues else { Issue.record("expected an issue"); return }
        #expect(found.first?.reference == "params.totl_hours")
        #expect(CompiledExpression.references(in: "params.x + 1 == 'a' && provider.in_residency", environment: env)?.variables == ["provider.in_residency"])
    }
}
