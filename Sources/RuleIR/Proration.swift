public import RuleBase

/// Hours reduced pro rata for a credential licensed for less than the period the figure is for
/// (`prorate:` on a `cme_hours` requirement, `Grammar/pack-language.md` §3.15): Iowa's 40 hours for
/// a first license issued for less than 24 months, Utah's 40 and 4 hours in a partial period.
/// The figure becomes `hours × months licensed ÷ per_months` while the months licensed (whole
/// months from the issue date to the cycle end) are fewer than `per_months`.
public struct Proration: Sendable, Hashable {
    /// How the prorated figure is rounded.
    public enum Rounding: String, Sendable, Hashable, CaseIterable {
        /// Not rounded to whole hours: the quotient to nine decimal places (half-even), as the
        /// expression `decimal(40 * m) / decimal(24)` gives it.
        case none
        /// Down to whole hours.
        case down
        /// Up to whole hours.
        case up
    }

    /// The months licensed the full figure is for.
    public var perMonths: Int
    /// The rounding of the prorated figure.
    public var round: Rounding

    /// Creates a proration.
    public init(perMonths: Int, round: Rounding = .none) {
        self.perMonths = perMonths
        self.round = round
    }

    /// The prorated figure of `full` for `monthsLicensed`, or nil when the months licensed reach
    /// `perMonths` (the full figure stands) or the arithmetic overflows.
    public func figure(full: ExactDecimal, monthsLicensed: Int) -> ExactDecimal? {
        guard monthsLicensed < perMonths, perMonths > 0,
              let product = full.multiplying(by: ExactDecimal(max(0, monthsLicensed))) else { return nil }
        switch round {
        case .none:
            return product.dividing(by: ExactDecimal(perMonths))
        case .down, .up:
            guard let exact = product.dividing(by: ExactDecimal(perMonths), scale: ExactDecimal.maximumScale) else { return nil }
            let whole = ExactDecimal(Int(exact.truncatedInteger))
            // The figure is never negative, so truncation is rounding down.
            return round == .up && whole < exact ? whole.adding(ExactDecimal(1)) : whole
        }
    }

    /// The rounding in words: `rounded down to whole hours`.
    public var roundingDescription: String {
        switch round {
        case .none: "not rounded"
        case .down: "rounded down to whole hours"
        case .up: "rounded up to whole hours"
        }
    }

    /// The rule in words: `pro rata by months licensed under 24 (rounded down to whole hours)`.
    public var description: String { "pro rata by months licensed under \(perMonths) (\(roundingDescription))" }

    /// What the proration did to a figure, for the log and `explain`:
    /// `40 x 14 / 24 months licensed = 23.333333333 (not rounded)`.
    public func explanation(full: ExactDecimal, monthsLicensed: Int, figure: ExactDecimal) -> String {
        let rounding = switch round {
        case .none: "not rounded"
        case .down: "rounded down"
        case .up: "rounded up"
        }
        return "\(full) x \(monthsLicensed) / \(perMonths) months licensed = \(figure) (\(rounding))"
    }
}
