import RuleBase
import RuleIR

/// Runs the test cases a pack carries.
public enum PackTestRunner {
    /// The outcome of one pack test.
    public struct Outcome: Sendable, Hashable {
        /// Test name.
        public var name: String
        /// Whether every expectation held.
        public var passed: Bool
        /// Expected-versus-actual lines, one per failed expectation.
        public var failures: [String]
        /// Requirement ids the test saw met or unmet (for coverage).
        public var exercised: Set<String>
    }

    /// The result of a pack's tests.
    public struct Report: Sendable {
        /// Rule version id.
        public var ruleVersionID: String
        /// One outcome per test, in pack order.
        public var outcomes: [Outcome]
        /// Requirements that no test saw met or unmet.
        public var unexercised: [String]
    }

    /// Runs every test of a loaded rule version.
    public static func run(_ loaded: LoadedRuleVersion) -> Report {
        var outcomes: [Outcome] = []
        for test in loaded.version.tests {
            outcomes.append(run(test, loaded: loaded))
        }
        let exercised = outcomes.reduce(into: Set<String>()) { $0.formUnion($1.exercised) }
        let unexercised = loaded.version.requirements.map(\.id).filter { !exercised.contains($0) }
        return Report(ruleVersionID: loaded.version.id, outcomes: outcomes, unexercised: unexercised)
    }

    static func run(_ test: PackTest, loaded: LoadedRuleVersion) -> Outcome {
        let (providers, errors) = FactLoader.load(test.facts, defaultProviderID: FactLoader.defaultProviderID,
                                                  attributes: .including([loaded.version]))
        var failures = errors.map { "facts: \($0.summary)" }
        let evaluations = providers.flatMap { Evaluator.evaluate(loaded, provider: $0, asOf: test.asOf) }
        guard evaluations.count == 1, let e = evaluations.first else {
            failures.append("expected exactly one credential matching the pack, found \(evaluations.count)")
            return Outcome(name: test.name, passed: false, failures: failures, exercised: [])
        }
        let expect = test.expect
        if let status = expect.status, status != e.status.rawValue {
            failures.append("status: expected \(status), got \(e.status.rawValue)")
        }
        func check(_ label: String, _ expected: [String]?, _ outcome: RequirementOutcome) {
            guard let expected else { return }
            let actual = e.requirements.filter { $0.outcome == outcome }.map(\.id)
            if Set(expected) != Set(actual) {
                failures.append("\(label): expected [\(expected.sorted().joined(separator: ", "))], got [\(actual.sorted().joined(separator: ", "))]")
            }
        }
        check("met", expect.met, .met)
        check("unmet", expect.unmet, .unmet)
        check("exempt", expect.exempt, .exempt)
        check("not_applicable", expect.notApplicable, .notApplicable)
        check("unknown", expect.unknown, .unknown)
        if let expected = expect.metByAlternative {
            let actual = e.requirements.filter { $0.satisfiedBy != nil }.map(\.id)
            if Set(expected) != Set(actual) {
                failures.append("met_by_alternative: expected [\(expected.sorted().joined(separator: ", "))], got [\(actual.sorted().joined(separator: ", "))]")
            }
        }
        if let gaps = expect.gaps {
            let actual = e.gaps.map(\.type.rawValue).sorted()
            if gaps.sorted() != actual {
                failures.append("gaps: expected [\(gaps.sorted().joined(separator: ", "))], got [\(actual.joined(separator: ", "))]")
            }
        }
        if !failures.isEmpty {
            // Show every requirement so the analyst sees expected against actual in one place.
            for r in e.requirements {
                failures.append("  \(r.id): \(r.outcome.rawValue) — \(r.reason)")
            }
        }
        let exercised = Set(e.requirements.filter { $0.outcome == .met || $0.outcome == .unmet || $0.outcome == .exempt }.map(\.id))
        return Outcome(name: test.name, passed: failures.isEmpty, failures: failures, exercised: exercised)
    }
}
