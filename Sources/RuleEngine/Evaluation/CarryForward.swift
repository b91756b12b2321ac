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
    /// this one starts, never before the issue date) is counted with the requirement's own
    /// filters; its hours beyond the figure it had carry, at most `max_hours`, and only as far as
    /// hours of categories that may carry reach. The figure is this cycle's full figure, prorated
    /// (§3.15) by the months licensed at the previous window's end when the requirement has
    /// `prorate`: Iowa's first term of 14 months needed 23.33 of the 40, and what it earned beyond
    /// that carries. Nothing carries into a first renewal (the license had no previous period), and
    /// hours carried into the previous window do not carry again.
    func carriedHours(
        _ requirement: Requirement, rule: CarryForward, required full: ExactDecimal, windowStart: CalendarDate, renewalNumber: Int?
    ) -> CarriedHours? {
        guard renewalNumber.map({ $0 > 1 }) ?? true else { return nil }
        let months = requirement.lookbackMonths ?? loaded.version.cycle.cmeWindowMonths
        guard let end = windowStart.adding(days: -1), var start = end.adding(months: -months)?.adding(days: 1) else { return nil }
        // The license had no period before its issue date: hours from before it never carry.
        let issue = credential.date(FactColumns.issueDate)
        if let issue, issue > start { start = issue }
        var required = full
        var proratedNote = ""
        if let prorate = requirement.prorate, let issue {
            let licensed = Self.wholeMonths(from: issue, to: end)
            if let figure = prorate.figure(full: full, monthsLicensed: licensed) {
                required = figure
                proratedNote = " (prorated: \(prorate.explanation(full: full, monthsLicensed: licensed, figure: figure)))"
            }
        }
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
        let note = "previous window \(start)..\(end): \(total) hours against \(required)\(proratedNote), \(excess) beyond it"
            + (rule.excludingCategories.isEmpty ? "" : " (\(eligible) in categories that may carry)")
            + ", \(carried) carried (at most \(rule.maxHours))"
        return CarriedHours(hours: carried, rows: carried > .zero ? rows : [], note: note)
    }
}
