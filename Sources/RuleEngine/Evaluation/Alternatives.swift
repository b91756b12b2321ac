import RuleBase
import RuleIR

extension CredentialEvaluator {
    /// Grammar/pack-language.md §4.1: when a requirement is not met by its own facts (`unmet` or
    /// `unknown`), the first alternative naming it whose condition holds makes it `met`, with the
    /// alternative and its citation in the reason and `satisfied_by`. What the requirement's own
    /// evaluation found stays in the trace; its gaps go, since nothing is left to do.
    /// In place: most requirements have none, and a copy of every result would cost more than the check.
    func applyAlternatives(_ alternatives: [Alternative], to result: inout RequirementResult, scope: Scope) {
        guard !alternatives.isEmpty, result.outcome == .unmet || result.outcome == .unknown else { return }
        var trace: [String] = []
        if tracing { trace.append("on its own: \(result.outcome.rawValue), \(result.reason)") }
        for alternative in alternatives {
            let cite = loaded.citationReferences[alternative.cite] ?? alternative.cite
            switch scope.evaluate(alternative.when) {
            case .value(.bool(true)):
                if tracing { trace.append("alternative \(alternative.id): `\(alternative.when.source)` → true (\(cite))") }
                result.outcome = .met
                result.reason = "met by \(alternative.title) under \(alternative.id) (\(cite)); on its own \(result.reason)"
                result.satisfiedBy = alternative.id
                result.gaps = []
                result.trace += trace
                return
            case .value(let v):
                if tracing { trace.append("alternative \(alternative.id): `\(alternative.when.source)` → \(Self.describe(v))") }
            case .missing(let keys):
                if tracing { trace.append("alternative \(alternative.id): not decided, missing \(keys.joined(separator: ", "))") }
            case .failed(let message):
                if tracing { trace.append("alternative \(alternative.id): failed: \(message)") }
            }
        }
        if tracing { result.trace += trace.dropFirst() }
    }
}
