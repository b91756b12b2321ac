import RuleBase
import RuleCompiler
import RuleExpressions
import RuleIR
import Testing

/// Comprehension row variables are typed by the fact schema: `check` finds an unknown column
/// and a type mismatch at file:line:col, not the evaluation.
@Suite struct RowTypeTests {
    @Test func anUnknownColumnOfARowIsACheckErrorWithASuggestion() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(
            "when: provider.direct_patient_care", "when: dea_registrations.exists(r, r.stat == credential.state)"))
        #expect(version == nil)
        let d = try #require(diagnostics.first { $0.id == "expr.unknownColumn" }, "\(diagnostics)")
        #expect(d.message == "no column 'stat' in dea_registrations rows")
        #expect(d.help == "did you mean `state`?")
        #expect(d.span?.start.line == 38)
        #expect(d.span?.start.column == 41)
    }

    @Test func comparingADateColumnWithAStringIsACheckError() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(
            "when: provider.direct_patient_care", "when: licenses.exists(l, l.expiration_date > '2020-01-01')"))
        #expect(version == nil)
        let d = try #require(diagnostics.first { $0.id == "expr.typeError" }, "\(diagnostics)")
        #expect(d.message.contains("(date, string)"), "\(d.message)")
        #expect(d.span?.start.line == 38)
    }

    @Test func typedColumnsCheckAndEvaluate() throws {
        let env = PackEnvironment.make(parameters: [])
        let compiled = try CompiledExpression.compile(
            "cme_events.filter(e, e.category == 'ethics' && e.completion_date >= cycle.start).map(e, e.credits_earned).sum() >= decimal('2')",
            in: env).get()
        #expect(compiled.resultType == .bool)
        #expect(compiled.columns == ["cme_events.category", "cme_events.completion_date", "cme_events.credits_earned"])
        // `has()` on an optional column is fine; on a column the table lacks it is an error.
        #expect((try? CompiledExpression.compile("licenses.all(l, has(l.issue_date))", in: env).get()) != nil)
        guard case .failure(let issues) = CompiledExpression.compile("licenses.all(l, has(l.issued))", in: env) else {
            Issue.record("has() of an unknown column checked")
            return
        }
        #expect(issues.first?.message == "no column 'issued' in licenses rows")
    }
}
