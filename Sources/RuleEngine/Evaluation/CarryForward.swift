import RuleBase
import RuleIR

extension CredentialEvaluator {
    /// What the previous window passes to the current one under `carry_forward`.
    struct CarriedHours {
        var hours: ExactDecimal
        var rows: [String]
        var note: String
    }

    /// Grammar/pack-language.md §3.2: the previous window (the same length, ending the day before
    /// this one starts) is counted with the requirement's own filters; its hours beyond this
    /// cycle's figure carry, at most `max_hours`, and only as far as hours of categories that may
    /// carry reach. Nothing carries into a first renewal (the license had no previous period), and
    /// hours carried into the previous window do not carry again.
    func carriedHours(
        _ requirement: Requirement, rule: CarryForward, required: ExactDecimal, windowStart: CalendarDate, renewalNumber: Int?
    ) -> CarriedHours? {
        guard renewalNumber.map({ $0 > 1 }) ?? true else { return nil }
        let months = requirement.lookbackMonths ?? loaded.version.cycle.cmeWindowMonths
        guard let end = windowStart.adding(days: -1), let start = end.adding(months: -months)?.adding(days: 1) else { return nil }
        var total = ExactDecimal.zero
        var eligible = ExactDecimal.zero
        var rows: [String] = []
        for event in context.events where event.completed >= start && event.completed <= end && event.completed <= asOf {
            if let categories = requirement.categories, !categories.contains(event.category) { continue }
            if let creditTypes = requirement.creditTypes, !creditTypes.contains(event.creditType ?? "") { continue }
            if let expires = event.expires, expires < end { continue }
            guard let sum = total.adding(event.credits) else { continue }
            total = sum
            if !rule.excludingCategories.contains(event.category), let e = eligible.adding(event.credits) {
                eligible = e
                rows.append(event.id)
            }
        }
        let excess = max(.zero, total.subtracting(required) ?? .zero)
        let carried = min(rule.maxHours, excess, eligible)
        let note = "previous window \(start)..\(end): \(total) hours against \(required), \(excess) beyond it"
            + (rule.excludingCategories.isEmpty ? "" : " (\(eligible) in categories that may carry)")
            + ", \(carried) carried (at most \(rule.maxHours))"
        return CarriedHours(hours: carried, rows: carried > .zero ? rows : [], note: note)
    }
}
