public import RuleIR

/// The decision tree of one evaluation, for people.
public enum Explain {
    /// Renders an evaluation: the credential and cycle, parameter values, attribute defaults, then
    /// each requirement with what it saw, the rows that counted, its outcome and citation.
    public static func render(_ e: CredentialEvaluation, version: RuleVersion) -> String {
        var lines: [String] = []
        lines.append("\(e.providerID) · \(version.title) (\(e.ruleVersionID), sha256 \(e.ruleVersionHash.prefix(12))…)")
        lines.append("├─ credential \(e.credentialKind.rawValue) \(e.credentialID), as of \(e.asOf)")
        lines.append("├─ cycle: renewal \(e.renewalNumber.map(String.init) ?? "?"), CME window \(e.windowStart?.description ?? "?") … \(e.windowEnd?.description ?? "?"), next renewal \(e.nextRenewalDate?.description ?? "?") (\(e.daysUntilDue.map { "\($0) days" } ?? "?"))")
        if !e.parameterValues.isEmpty {
            lines.append("├─ parameters in force: " + e.parameterValues.map { "\($0.0) = \($0.1)" }.joined(separator: ", "))
        }
        for (key, value) in e.defaultsUsed {
            lines.append("├─ default used: provider.\(key) = \(value) (no fact on file)")
        }
        for (index, r) in e.requirements.enumerated() {
            let requirement = version.requirements.first { $0.id == r.id }
            let cite = requirement.flatMap { req in version.citations.first { $0.id == req.cite }?.text } ?? ""
            let last = index == e.requirements.count - 1
            lines.append("\(last ? "└" : "├")─ \(r.id) [\(r.kind.rawValue)] → \(r.outcome.rawValue.uppercased()): \(r.reason)  (\(cite))")
            let pad = last ? "   " : "│  "
            for t in r.trace { lines.append("\(pad)· \(t)") }
            if let s = r.windowStart, let end = r.windowEnd { lines.append("\(pad)· window \(s) … \(end)") }
            if let d = r.deadline, r.outcome == .unmet { lines.append("\(pad)· due \(d)") }
            for g in r.gaps { lines.append("\(pad)! \(g.type.rawValue) [\(g.severity.rawValue)]: \(g.description)") }
        }
        lines.append("⇒ \(e.status.rawValue)")
        return lines.joined(separator: "\n")
    }

    /// Renders a credential no rule version decided (none covers it, or its row was rejected).
    public static func render(unevaluated e: CredentialEvaluation) -> String {
        var lines = ["\(e.providerID) · \(e.ruleVersionID.isEmpty ? "no rule version" : e.ruleVersionID) (not evaluated)"]
        lines.append("├─ credential \(e.credentialKind.rawValue) \(e.credentialID), as of \(e.asOf)")
        for g in e.gaps { lines.append("├─ ! \(g.type.rawValue) [\(g.severity.rawValue)]: \(g.description)") }
        lines.append("⇒ \(e.status.rawValue)")
        return lines.joined(separator: "\n")
    }
}
