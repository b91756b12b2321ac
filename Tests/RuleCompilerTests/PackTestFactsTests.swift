import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// Pack-test facts go through the engine's fact schema: a test cannot pass on a fact the
/// engine would reject.
@Suite struct PackTestFactsTests {
    struct Case: Sendable, CustomStringConvertible {
        let old: String, new: String, id: String, line: Int, column: Int, message: String
        var description: String { new }
    }

    static let cases: [Case] = [
        Case(old: "category: general", new: "category: generl", id: "pack.invalidFact", line: 51, column: 39,
             message: "cme_events.category: `generl` is not a CME category: expected one of the 24 codes of Grammar/categories.md; did you mean `general`?"),
        Case(old: "status: active", new: "status: Active", id: "pack.invalidFact", line: 50, column: 64,
             message: "licenses.status: `Active` is not a license status: expected one of `active`, `inactive`, `expired`, `suspended`, `revoked`; did you mean `active`?"),
        Case(old: "state: TX, license_type: MD, status: active", new: "state: Virginia, license_type: MD, status: active",
             id: "pack.invalidFact", line: 50, column: 34,
             message: "licenses.state: `Virginia` is not a state code: expected a two-letter USPS code such as `TX` or `DC`; did you mean `VA`?"),
        Case(old: "issue_date: 2015-03-01", new: "issue_date: 2028-03-01", id: "pack.invalidFact", line: 50, column: 84,
             message: "licenses: issue_date 2028-03-01 is after expiration_date 2027-01-31"),
        Case(old: "{id: E1, category", new: "{id: E1, colour: blue, category", id: "pack.unknownKey", line: 51, column: 29,
             message: "unknown column `colour` in `cme_events`"),
        Case(old: "[{key: direct_patient_care, value: false}]", new: "[{key: direct_patient_care, value: \"false\"}]",
             id: "pack.wrongType", line: 52, column: 63, message: "expected true or false, found `false` (a quoted string)"),
    ]

    @Test(arguments: cases)
    func aFactTheEngineWouldRejectFailsCheck(_ c: Case) throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(c.old, c.new))
        #expect(version == nil)
        let d = try #require(diagnostics.first { $0.id == c.id }, "\(diagnostics)")
        #expect(d.message == c.message)
        #expect(d.span?.start == SourceLocation(line: c.line, column: c.column))
    }

    @Test func aRowWithoutARequiredColumnFailsCheck() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(", completion_date: 2026-01-10}", "}"))
        #expect(version == nil)
        #expect(diagnostics.contains { $0.id == "pack.invalidFact" && $0.message == "a `cme_events` row needs `completion_date`" })
    }
}
