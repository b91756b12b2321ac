import RuleBase
import RuleIR

/// Grace periods after the expiration date (`Grammar/pack-language.md` §3.8).
extension CredentialEvaluator {
    /// The pack's grace period: the one on its `credential_current` requirement.
    var gracePeriod: GracePeriod? { loaded.gracePeriod }

    /// The last day of the cure period for CME and trainings due at the renewal, when the pack's
    /// grace period is one (`cme: due_at_grace_end`).
    func cureEnd(cycle: DerivedCycle) -> CalendarDate? {
        guard let grace = gracePeriod, grace.cme == .dueAtGraceEnd, let end = cycle.end else { return nil }
        return grace.lastDay(after: end)
    }

    /// The result of a `credential_current` requirement whose active credential expired on
    /// `end` and whose grace period has not ended on the as-of date; nil outside the period.
    ///
    /// With practice allowed the requirement is unmet but due at the grace end (so the status is
    /// at least `at_risk`, never `compliant`); without, it was due at the expiration date, so the
    /// status is `non_compliant` while the late renewal is still open.
    func inGrace(_ requirement: Requirement, end: CalendarDate, noun: String, cite: String) -> RequirementResult? {
        guard let grace = requirement.grace, end < asOf, let last = grace.lastDay(after: end), asOf <= last else { return nil }
        let graceCite = grace.cite.map { loaded.citationReferences[$0] ?? $0 } ?? cite
        var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .unmet, reason: "")
        result.deadline = grace.practiceAllowed ? last : end
        let left = asOf.days(until: last)
        let practice = grace.practiceAllowed ? "practice is allowed" : "practice is not allowed until it is renewed"
        result.reason = "expired on \(end), in the grace period until \(last); \(practice)"
        if tracing {
            let period = if case .untilEndOfMonthAfter = grace.length { "\(grace.length) (expired \(end))" } else { "\(grace.length) after \(end)" }
            result.trace.append("grace: \(period), last day \(last), \(left) days left; "
                + "practice \(grace.practiceAllowed ? "allowed" : "not allowed"); CME \(grace.cme.rawValue)")
        }
        let description = "\(noun) expired on \(end), \(end.days(until: asOf)) days ago; it may be renewed without reinstatement until \(last) "
            + "(\(left) days left), and \(practice) (\(graceCite))"
        result.gaps.append(Gap(type: .credentialInGrace, code: nil, description: description,
                               severity: grace.practiceAllowed ? min(requirement.severity, .high) : requirement.severity,
                               requirementID: requirement.id, citation: graceCite, dueDate: last))
        return result
    }
}
