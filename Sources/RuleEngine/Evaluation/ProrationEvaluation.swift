import RuleBase
import RuleIR

extension CredentialEvaluator {
    /// What `prorate` (`Grammar/pack-language.md` §3.15) makes of a requirement's hour figure.
    enum ProratedFigure {
        /// Licensed at least `per_months`: the full figure stands.
        case full
        /// Licensed fewer months: the reduced figure and how it was reached.
        case prorated(ExactDecimal, explanation: String)
        /// The months licensed cannot be counted (no issue date), so neither figure can be chosen.
        case unknown(String)
    }

    /// The figure for this cycle: `full × months licensed ÷ per_months`, rounded by the rule, while
    /// the credential has been licensed fewer than `per_months` whole months at the cycle end.
    func proration(_ rule: Proration, full: ExactDecimal, cycle: DerivedCycle) -> ProratedFigure {
        guard let months = cycle.monthsLicensed else {
            return .unknown("the proration by months licensed needs the credential's issue_date")
        }
        guard months < rule.perMonths else { return .full }
        guard let figure = rule.figure(full: full, monthsLicensed: months) else {
            return .unknown("the prorated figure of \(full) hours for \(months) months overflows")
        }
        return .prorated(figure, explanation: rule.explanation(full: full, monthsLicensed: months, figure: figure))
    }
}
