import RuleBase
import RuleEngine
import RuleIR
import Testing

/// The rows the engine writes have exactly the columns ``OutputSchema`` declares, and every
/// coded column holds a code of its vocabulary.
@Suite struct OutputSchemaTests {
    static func check(_ rows: [JSONValue], against table: OutputSchema.Table) {
        #expect(!rows.isEmpty)
        for row in rows {
            #expect((row.objectMembers ?? []).map(\.0) == table.columnNames, "\(table.name)")
            for column in table.columns {
                let value = row[column.name] ?? .null
                if value.isNull { #expect(column.nullable, "\(table.name).\(column.name) is null") }
                if let codes = column.vocabulary, let code = value.stringValue { #expect(codes.contains(code), "\(table.name).\(column.name): \(code)") }
            }
        }
    }

    @Test func windowsGapsAndLogRowsMatchTheOutputSchema() throws {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        let batch = evaluator.evaluate(document: Fixtures.facts(events: [("E1", "general", "3", "2026-01-01")]), asOf: Fixtures.date("2026-12-15"))
        Self.check(batch.windows, against: OutputSchema.complianceWindows)
        Self.check(batch.gaps, against: OutputSchema.complianceGapAnalysis)
        Self.check(batch.logs, against: OutputSchema.rulesExecutionLog)
    }
}
