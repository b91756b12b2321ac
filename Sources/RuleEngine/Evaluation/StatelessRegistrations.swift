import RuleIR

/// Registration rows without a state (`Grammar/pack-language.md` §3.4).
extension CredentialEvaluator {
    /// What a `same_state` requirement cannot decide because some rows have no `state`; nil when every row has one.
    static func statelessRows(_ rows: [FactRow]) -> String? {
        let missing = rows.filter { ($0.string("state") ?? "").isEmpty }
        guard let first = missing.first else { return nil }
        let more = missing.count > 1 ? " (and \(missing.count - 1) more)" : ""
        return "\(first.table) row \(first.id)\(more) has no state, so whether it is the registration for this state is unknown"
    }
}
