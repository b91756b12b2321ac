public import RuleBase

/// A board's grace (cure, late-renewal) period after a credential's expiration date
/// (`Grammar/pack-language.md` §3.8): for a while after the stored expiration date the credential
/// may still be renewed without reinstatement, and in some states the holder may keep practising.
public struct GracePeriod: Sendable, Hashable {
    /// How the period's length is counted.
    public enum Length: Sendable, Hashable, CustomStringConvertible {
        /// Calendar days after the expiration date (the last day of grace is expiration + N).
        case days(Int)
        /// Calendar months after the expiration date (the last day of grace is expiration + N months).
        case months(Int)
        /// To the last day of the Nth calendar month after the expiration date's month (TN: a renewal
        /// received "before the last day of the following month" is a late renewal, N = 1).
        case untilEndOfMonthAfter(Int)

        /// `90 days`, `1 month`, `to the end of the month after the expiration month`.
        public var description: String {
            switch self {
            case .days(let n): "\(n) day\(n == 1 ? "" : "s")"
            case .months(let n): "\(n) month\(n == 1 ? "" : "s")"
            case .untilEndOfMonthAfter(let n): "to the end of the \(Self.ordinalMonth(n)) after the expiration month"
            }
        }

        /// The period as a clause after a verb: `for 30 days after the expiration date`,
        /// `until the end of the month after the expiration month`.
        public var clause: String {
            switch self {
            case .days, .months: "for \(description) after the expiration date"
            case .untilEndOfMonthAfter(let n): "until the end of the \(Self.ordinalMonth(n)) after the expiration month"
            }
        }

        /// A rough length in days, for comparing the period with the cycle.
        public var approximateDays: Int {
            switch self {
            case .days(let n): n
            case .months(let n): n * 31
            case .untilEndOfMonthAfter(let n): (n + 1) * 31
            }
        }

        private static func ordinalMonth(_ n: Int) -> String {
            switch n {
            case 1: "month"
            case 2: "2nd month"
            case 3: "3rd month"
            default: "\(n)th month"
            }
        }
    }

    /// What a CME or training shortfall means during the period.
    public enum CMERule: String, Sendable, Hashable, CaseIterable {
        /// CME was due by the expiration date; a shortfall is overdue during grace (the default).
        case dueAtExpiration = "due_at_expiration"
        /// A cure period: hours completed up to the grace end count for the expired cycle, and a
        /// shortfall is due at the grace end (TX §161.35(c)(1), MI R 338.2441).
        case dueAtGraceEnd = "due_at_grace_end"
    }

    /// The period's length.
    public var length: Length
    /// Whether the holder may practise during the period (CT, DC: yes; most boards: renew late, do not practise).
    public var practiceAllowed: Bool
    /// How CME and training shortfalls behave during the period.
    public var cme: CMERule
    /// The citation id of the grace rule, when it is not the requirement's own.
    public var cite: String?

    /// Creates a grace period.
    public init(length: Length, practiceAllowed: Bool, cme: CMERule, cite: String?) {
        self.length = length
        self.practiceAllowed = practiceAllowed
        self.cme = cme
        self.cite = cite
    }

    /// The last day of grace for a credential that expired on `expiration`.
    public func lastDay(after expiration: CalendarDate) -> CalendarDate? {
        switch length {
        case .days(let n): expiration.adding(days: n)
        case .months(let n): expiration.adding(months: n)
        case .untilEndOfMonthAfter(let n):
            CalendarDate(year: expiration.year, month: expiration.month, day: 1)?.adding(months: n)?.endOfMonth
        }
    }
}
