import RuleBase
import RuleIR

/// Where a `cme_hours` requirement with a decoupled `window` counts hours, at one renewal.
enum DecoupledWindowPlacement: Equatable {
    /// Hours count from `start` to `last` (both inclusive); `last` is the deadline.
    case counts(start: CalendarDate, last: CalendarDate)
    /// The requirement is not due at this renewal (a fixed cycle that an earlier renewal checked,
    /// or none closed yet); the reason says which.
    case notDue(String)
    /// The dates leave the calendar.
    case undefined
}

extension CMEWindow {
    /// The placement at the renewal on `expiration` of a credential renewed every `cycleMonths`.
    /// A fixed statewide cycle is due only at the first renewal after it closed: the renewal
    /// `cycleMonths` earlier came before its last day.
    func placement(expiringOn expiration: CalendarDate, cycleMonths: Int) -> DecoupledWindowPlacement {
        guard let bounds = bounds(expiringOn: expiration) else {
            if case .cyclesFrom(let anchor) = end { return .notDue("no \(months)-month CME cycle from \(anchor) has closed by \(expiration)") }
            return .undefined
        }
        if case .cyclesFrom = end {
            guard let previous = expiration.adding(months: -max(1, cycleMonths)) else { return .undefined }
            if bounds.last <= previous {
                return .notDue("the CME cycle \(bounds.start) to \(bounds.last) was due at an earlier renewal")
            }
        }
        return .counts(start: bounds.start, last: bounds.last)
    }
}
