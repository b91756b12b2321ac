import Foundation
import RuleBase
import RuleExpressions
import RuleTestSupport
import Testing

/// Generator-based fuzzing of the expression front end and evaluator: mutated pack-style
/// expressions must compile or fail with a positioned issue, and evaluation must end in a
/// value or an error, never a crash, a hang or an unbounded allocation.
@Suite struct ExpressionFuzzTests {
    static let seeds = [
        "cme_events.filter(e, e.category == 'ethics' && e.completion_date >= cycle.start).map(e, e.credits_earned).sum() >= decimal('2')",
        "provider.direct_patient_care && cycle.renewal_number in [1, 2]",
        "board_certifications.exists(c, c.specialty in ['radiology', 'pathology'] && c.expiration_date >= as_of)",
        "cycle.months_licensed < 13 ? 25 : 50",
        "dea_registrations.exists_one(r, r.state == credential.state) || size(licenses) > 2",
        "date('2024-01-31').addMonths(1) == date('2024-02-29') && 'abc'.matches('^a.c$')",
        "{'a': [1, 2u, 3.0], 'b': b'xyz'}['a'].all(x, x != null)",
        "timestamp('2024-01-01T00:00:00Z') + duration('1h') > timestamp('2023-12-31T23:00:00Z')",
    ]

    static let fragments = ["(", ")", "[", "]", "{", "}", ".", ",", "'", "\"", "\\", "?", ":", "!", "-", "&&", "||", "==",
                            "in", "map(", "filter(", "all(", "1e400", "9223372036854775808", "0x", "b'", "r'", "'''", "\u{0}",
                            "é", "😀", " ", "\n", "has(", "size(", "decimal('", "date('", "null", "dyn(", "type("]

    static var environment: CELEnvironment {
        CELEnvironment(variables: [
            ("as_of", .date), ("cycle.start", .date), ("cycle.renewal_number", .int), ("cycle.months_licensed", .int),
            ("credential.state", .string), ("provider.direct_patient_care", .bool),
            ("cme_events", .list(.map(.string, .dyn))), ("board_certifications", .list(.map(.string, .dyn))),
            ("dea_registrations", .list(.map(.string, .dyn))), ("licenses", .list(.map(.string, .dyn))),
        ])
    }

    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var scalars = Array(text.unicodeScalars)
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let position = scalars.isEmpty ? 0 : Int(rng.next() % UInt64(scalars.count))
            switch rng.next() % 4 {
            case 0 where !scalars.isEmpty: scalars.remove(at: position)
            case 1: scalars.insert(contentsOf: fragments[Int(rng.next() % UInt64(fragments.count))].unicodeScalars, at: position)
            case 2: scalars = Array(scalars.prefix(position))
            default:
                if !scalars.isEmpty, let s = Unicode.Scalar(UInt32(rng.next() % 0x7F)) { scalars[position] = s }
            }
        }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }

    @Test func mutatedExpressionsNeverCrash() {
        var rng = SplitMix64(seed: 0xC0FFEE)
        let env = Self.environment
        let activation = CELActivation(environment: env, values: [
            "as_of": .date(CalendarDate(year: 2026, month: 6, day: 1)!), "cycle.start": .date(CalendarDate(year: 2025, month: 2, day: 1)!),
            "cycle.renewal_number": .int(1), "cycle.months_licensed": .int(20), "credential.state": .string("TX"),
            "provider.direct_patient_care": .bool(true), "cme_events": .list([]), "board_certifications": .list([]),
            "dea_registrations": .list([]), "licenses": .list([]),
        ])
        var compiled = 0
        var rejected = 0
        for round in 0..<4000 {
            let text = Self.mutate(Self.seeds[round % Self.seeds.count], &rng)
            for check in [true, false] {
                switch CompiledExpression.compile(text, in: env, check: check) {
                case .success(let program):
                    compiled += 1
                    _ = program.evaluate(activation)
                case .failure(let issues):
                    rejected += 1
                    #expect(!issues.isEmpty)
                    for issue in issues {
                        #expect(issue.offset >= 0 && issue.offset <= text.utf8.count, "offset \(issue.offset) outside `\(text)`")
                    }
                }
            }
        }
        #expect(compiled > 100)
        #expect(rejected > 100)
    }

    /// Inputs found while fuzzing or known to be hostile, kept as regression cases: each must
    /// be rejected with a message, quickly.
    static let pathological: [String] = {
        let tens = "[1,2,3,4,5,6,7,8,9,10]"
        let twenties = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]"
        let nestedMaps = "[" + Array(repeating: tens, count: 20).joined(separator: ",") + "].map(x, "
            + twenties + ".map(y, " + tens + ".map(z, " + twenties + ".map(w, " + twenties + ".map(v, v)))))"
        var cases: [String] = []
        cases.append(String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000))
        cases.append(String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000))
        cases.append(String(repeating: "-", count: 20_000) + "1")
        cases.append(String(repeating: "!", count: 20_000) + "true")
        cases.append(Array(repeating: "1", count: 60_000).joined(separator: "+"))
        cases.append(nestedMaps)
        cases.append("'" + String(repeating: "a", count: 200_000) + "'")
        return cases
    }()

    @Test(arguments: ExpressionFuzzTests.pathological)
    func pathologicalInputEndsInAnError(text: String) {
        switch CompiledExpression.compile(text, in: CELEnvironment(variables: []), check: true) {
        case .failure(let issues):
            #expect(!issues.isEmpty)
        case .success(let program):
            guard case .failure(let issue) = program.evaluate(CELActivation(slots: [])) else {
                Issue.record("expected a cost-limit error for input of \(text.count) characters")
                return
            }
            #expect(!issue.message.isEmpty)
        }
    }
}
