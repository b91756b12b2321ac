public import RuleBase

/// Who changes status when one version of a pack replaces another.
public struct ImpactReport: Sendable {
    /// A status change, `not_evaluated` when a version does not apply to the credential.
    public struct Transition: Sendable, Hashable, Comparable {
        /// Status under the old version.
        public var from: String
        /// Status under the new version.
        public var to: String

        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }

        public static func < (lhs: Transition, rhs: Transition) -> Bool { (lhs.from, lhs.to) < (rhs.from, rhs.to) }
    }

    /// Credentials evaluated under either version.
    public var evaluated = 0
    /// Credentials whose status changed.
    public var changed = 0
    /// Count per transition (unchanged ones included).
    public var counts: [Transition: Int] = [:]
    /// Up to ``exampleCount`` `provider/credential` examples per changed transition: the first
    /// in id order, so the report does not depend on the order providers are read in (a file's
    /// order, the database's pages) or on how they were split into batches.
    public var examples: [Transition: [String]] = [:]

    /// How many examples a transition keeps.
    public static let exampleCount = 5

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
                keep("\(provider)/\(credential)", for: transition)
            }
        }
    }

    /// Merges another report (from another batch) into this one.
    public mutating func merge(_ other: ImpactReport) {
        evaluated += other.evaluated
        changed += other.changed
        for (t, n) in other.counts { counts[t, default: 0] += n }
        for (t, list) in other.examples { for example in list { keep(example, for: t) } }
    }

    /// Keeps `example` when it is among the first ``exampleCount`` in id order.
    private mutating func keep(_ example: String, for transition: Transition) {
        var list = examples[transition, default: []]
        if list.count == Self.exampleCount, let last = list.last, example >= last { return }
        guard !list.contains(example) else { return }
        list.insert(example, at: list.firstIndex { $0 > example } ?? list.endIndex)
        if list.count > Self.exampleCount { list.removeLast() }
        examples[transition] = list
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
