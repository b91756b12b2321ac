import RuleBase
import RuleIR

/// Consequences other than expiry (`Grammar/pack-language.md` §3.13).
extension CredentialEvaluator {
    /// The result with the requirement's `consequence` applied: once the deadline of an unmet
    /// requirement has passed, the board's rule takes the credential out of active status, and a
    /// `credential_deactivated` gap says so; before it, the requirement's gaps say what is at stake.
    ///
    /// A `credential_current` requirement's consequence replaces the `credential_expired` the rule
    /// would report for an active row past its expiration date (and grace): the board makes the
    /// credential inactive (or revokes it) instead of letting it expire. A row whose stored status
    /// is `expired` is taken at its word, as with grace.
    /// In place: most requirements have none, and a copy of every result would cost more than the check.
    func applyConsequence(_ requirement: Requirement, to result: inout RequirementResult) {
        guard let consequence = requirement.consequence, result.outcome == .unmet, let deadline = result.deadline else { return }
        let cite = citation(consequence.cite ?? requirement.cite)
        let state = consequence.becomes.rawValue
        if requirement.kind == .credentialCurrent {
            guard (credential.string("status") ?? "active") == "active",
                  let index = result.gaps.firstIndex(where: { $0.type == .credentialExpired }) else { return }
            let lapsed = requirement.grace?.lastDay(after: deadline) ?? deadline
            let from = lapsed.adding(days: 1) ?? lapsed
            let expired = result.gaps[index]
            result.gaps[index] = Gap(
                type: .credentialDeactivated, code: nil,
                description: "\(credentialNoun) was not renewed by \(lapsed): under \(cite) it is \(state) from \(from) until reinstated "
                    + "(expired on \(deadline))",
                severity: expired.severity, requirementID: requirement.id, citation: cite, dueDate: expired.dueDate)
            result.reason = "not renewed; \(state) from \(from)"
            if tracing { result.trace.append("consequence: not renewed by \(lapsed) → \(state) from \(from) (\(cite))") }
            return
        }
        if deadline < asOf {
            result.gaps.append(Gap(
                type: .credentialDeactivated, code: nil,
                description: "\(credentialNoun) is \(state) from \(deadline) until reinstated: \(requirement.title) was unmet at its "
                    + "deadline \(deadline) (\(cite))",
                severity: .critical, requirementID: requirement.id, citation: cite, dueDate: deadline))
            if tracing { result.trace.append("consequence: unmet at \(deadline) → the credential is \(state) (\(cite))") }
        } else {
            for index in result.gaps.indices where result.gaps[index].requirementID == requirement.id {
                result.gaps[index].description += "; if still unmet on \(deadline), the credential becomes \(state) (\(cite))"
            }
            if tracing { result.trace.append("consequence: if still unmet on \(deadline) → \(state) (\(cite))") }
        }
    }
}
