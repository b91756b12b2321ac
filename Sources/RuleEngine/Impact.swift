public import RuleBase

/// Who changes status when one version of a pack replaces another.
public struct ImpactReport: Sendable {
    /// A status change, `not_evaluated` when a version does not apply to the credential.
    public struct Transition: Sendable, Hashable, Comparable {
        /// Status under the old version.
        public var from: String
        /// Status under the new version.
        public var to: String

        public static func < (lhs: Transition, rhs: Transition) -> Bool { (lhs.from, lhs.to) < (rhs.from, rhs.to) }
    }

    /// Credentials evaluated under either version.
    public var evaluated = 0
    /// Credentials whose status changed.
    public var changed = 0
    /// Count per transition (unchanged ones included).
    public var counts: [Transition: Int] = [:]
    /// Up to five `provider/credential` examples per changed transition, in provider order.
    public var examples: [Transition: [String]] = [:]

    /// Creates an empty report.
    public init() {}

    /// Adds one provider's evaluations under both versions.
    public mutating func add(old: [CredentialEvaluation], new: [CredentialEvaluation]) {
        let before = Dictionary(old.map { ($0.credentialID, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { ($0.credentialID, $0) }, uniquingKeysWith: { a, _ in a })
        for credential in Set(before.keys).union(after.keys).sorted() {
            let transition = Transition(from: before[credential]?.status.rawValue ?? "not_evaluated",
                                        to: after[credential]?.status.rawValue ?? "not_evaluated")
            evaluated += 1
            counts[transition, default: 0] += 1
            if transition.from != transition.to {
                changed += 1
                let provider = before[credential]?.providerID ?? after[credential]?.providerID ?? "?"
                if examples[transition, default: []].count < 5 { examples[transition, default: []].append("\(provider)/\(credential)") }
            }
        }
    }

    /// Merges another report (from another batch) into this one.
    public mutating func merge(_ other: ImpactReport) {
        evaluated += other.evaluated
        changed += other.changed
        for (t, n) in other.counts { counts[t, default: 0] += n }
        for t in other.examples.keys.sorted() {
            for example in other.examples[t] ?? [] where examples[t, default: []].count < 5 { examples[t, default: []].append(example) }
        }
    }

    /// The report as JSON.
    public var json: JSONValue {
        .object([
            ("evaluated", .int(evaluated)),
            ("changed", .int(changed)),
            ("transitions", .array(counts.keys.sorted().map { t in
                .object([("from", .string(t.from)), ("to", .string(t.to)), ("count", .int(counts[t] ?? 0)),
                         ("examples", .array((examples[t] ?? []).map { .string($0) }))])
            })),
        ])
    }

    /// The report for people.
    public var text: String {
        var lines = ["\(evaluated) credentials evaluated, \(changed) change status"]
        for t in counts.keys.sorted() where t.from != t.to {
            lines.append("  \(t.from) → \(t.to): \(counts[t] ?? 0)" + ((examples[t] ?? []).isEmpty ? "" : "  e.g. \((examples[t] ?? []).joined(separator: ", "))"))
        }
        let unchanged = counts.filter { $0.key.from == $0.key.to }.values.reduce(0, +)
        lines.append("  unchanged: \(unchanged)")
        return lines.joined(separator: "\n")
    }
}
