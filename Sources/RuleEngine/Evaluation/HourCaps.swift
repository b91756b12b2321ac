public import RuleBase
import RuleIR

/// What one cap of a `cme_hours` requirement did (`Grammar/pack-language.md` §3.11): the hours of
/// the events under it that were offered in the window, and how many of them counted.
public struct CappedHours: Sendable, Hashable {
    /// The cap's hours in words (`credit type aoa_1b`).
    public var label: String
    /// At most this many count.
    public var maxHours: ExactDecimal
    /// The hours of matching events in the window.
    public var offered: ExactDecimal
    /// `min(maxHours, offered)`.
    public var counted: ExactDecimal

    /// Creates the record of one cap.
    public init(label: String, maxHours: ExactDecimal, offered: ExactDecimal, counted: ExactDecimal) {
        self.label = label
        self.maxHours = maxHours
        self.offered = offered
        self.counted = counted
    }

    /// `credit type aoa_1b: 25 offered, 20 counted (at most 20)`.
    public var description: String { "\(label): \(offered) offered, \(counted) counted (at most \(maxHours))" }
}

/// Tallies the hours of a requirement's events under its caps. An event is counted under the first
/// cap (in pack order) it matches, so two caps never count one hour twice; events under no cap
/// count in full.
struct CapTally {
    let caps: [HoursCap]
    private(set) var uncapped = ExactDecimal.zero
    private(set) var offered: [ExactDecimal]

    init(_ caps: [HoursCap]) {
        self.caps = caps
        offered = Array(repeating: .zero, count: caps.count)
    }

    /// Adds an event's hours; false when the sum overflows (the event is then not counted).
    mutating func add(_ credits: ExactDecimal, category: String, creditType: String?) -> Bool {
        if let index = caps.firstIndex(where: { $0.matches(category: category, creditType: creditType) }) {
            guard let sum = offered[index].adding(credits) else { return false }
            offered[index] = sum
        } else {
            guard let sum = uncapped.adding(credits) else { return false }
            uncapped = sum
        }
        return true
    }

    /// What each cap did, in pack order.
    var results: [CappedHours] {
        zip(caps, offered).map { cap, offered in
            CappedHours(label: cap.label, maxHours: cap.maxHours, offered: offered, counted: min(cap.maxHours, offered))
        }
    }

    /// The hours that count: the uncapped ones and, per cap, at most its maximum.
    var counted: ExactDecimal {
        results.reduce(uncapped) { $0.adding($1.counted) ?? $0 }
    }
}
