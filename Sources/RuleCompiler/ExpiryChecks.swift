import RuleBase
import RuleIR
import RuleSyntax
import RuleYAML

extension PackChecker {
    /// `expiry:` of a `credential_current` requirement (`Grammar/pack-language.md` §3.12): `day` (MM-DD,
    /// `end_of_birth_month`, `birthday` or `birth_month`), `years` (`any`, `even`, `odd`, `birth_year_parity`, or a
    /// series `{every: N, including: YYYY}`) or `surnames`
    /// (`{A-L: even, M-Z: odd}`, covering A–Z once), optional `since`, `cite` and `license_types`. A rule whose dates
    /// recur every year (or every other year) must agree with the cycle's length.
    mutating func expiry(_ f: SyntaxField, context: String) -> ExpiryRule? {
        let cycleMonths = syntax.cycle?["months"]?.value.scalar.flatMap { Int($0.value) }
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.expiry, context: "`expiry`", into: &typer.sink) else { return nil }
        let errorsBefore = typer.sink.diagnostics.count { $0.severity == .error }
        var day: ExpiryRule.Day?
        if let dayField = typer.require(m, "day", in: "`expiry` of \(context)", help: "add `day: MM-DD`, `end_of_birth_month`, `birthday` or `birth_month`"),
            let s = typer.scalar(dayField.value, expected: "a month and day like 09-30, end_of_birth_month, birthday or birth_month")
        {
            if s.value == "end_of_birth_month" {
                day = .endOfBirthMonth
            } else if s.value == "birthday" {
                day = .birthday
            } else if s.value == "birth_month" {
                day = .birthMonth
            } else if let md = CMEWindow.parseMonthDay(s.value), !(md.month == 2 && md.day == 29) {
                day = .fixed(month: md.month, day: md.day)
            } else {
                typer.report(Diagnostic(id: "pack.wrongType", message: "`day` must be a month and day like 09-30 (not 02-29), end_of_birth_month, birthday or birth_month",
                                        span: s.span, help: "write the day the board's licenses expire on"))
            }
        }
        var years: ExpiryRule.Years = .any
        if let sf = m["surnames"] {
            if let yf = m["years"] {
                typer.report(Diagnostic(id: "pack.conflictingKeys", message: "`expiry` has both `years` and `surnames`", span: yf.key.span,
                                        help: "`surnames` says the years per range of initials; remove `years`"))
            } else if let ranges = surnameRanges(sf) {
                years = .surnames(ranges)
            }
        } else if let yf = m["years"], yf.value.mapping != nil {
            if let series = yearSeries(yf) { years = series }
        } else if let yf = m["years"], let text = typer.oneOf(yf.value, ["any", "even", "odd", "birth_year_parity"], what: "expiry years") {
            years = switch text {
            case "even": .parity(.even)
            case "odd": .parity(.odd)
            case "birth_year_parity": .birthYearParity
            default: .any
            }
        }
        let since = m["since"].flatMap { typer.date($0.value) }
        var licenseTypes: [String]?
        if let lf = m["license_types"] {
            licenseTypes = typer.oneOfList(lf.value, Vocabulary.licenseTypes, id: "pack.unknownValue", what: "license type")
            let evaluated = syntax.appliesTo?["license_types"]?.value.sequence?.compactMap { $0.scalar?.value }
            if let licenseTypes, let evaluated, let stray = licenseTypes.first(where: { !evaluated.contains($0) }) {
                typer.report(Diagnostic(id: "pack.notApplicable", message: "`expiry` names license type \(stray), which the pack does not evaluate",
                                        span: lf.value.span, help: "the pack's `applies_to.license_types` are " + evaluated.joined(separator: ", ")))
            }
        }
        let cite = m["cite"] != nil ? self.cite(m, context: "`expiry` of \(context)") : nil
        guard typer.sink.diagnostics.count(where: { $0.severity == .error }) == errorsBefore, let day else { return nil }
        // Dates that recur each year fit a cycle of whole years; alternate years, a cycle of two; every N years, of N.
        let period = years.period * 12
        if let cycleMonths, cycleMonths % period != 0 {
            let recurs = switch years.period {
            case 1: "every year"
            case 2: "every two years"
            default: "every \(years.period) years"
            }
            let help = switch years.period {
            case 1: "a yearly date needs a cycle of whole years"
            case 2: "even/odd years need a 24-month cycle (or a multiple)"
            default: "a date every \(years.period) years needs a cycle of \(period) months (or a multiple)"
            }
            typer.report(Diagnostic(
                id: "pack.expiryCycle", message: "an expiry rule whose dates recur \(recurs) does not fit a \(cycleMonths)-month cycle",
                span: f.key.span, help: help))
            return nil
        }
        return ExpiryRule(day: day, years: years, since: since, cite: cite, licenseTypes: licenseTypes)
    }

    /// `years: {every: 3, including: 2026}`: every third year, 2026 among them (IL's July 31). `every` is at least 2
    /// (every year is `years: any`).
    private mutating func yearSeries(_ f: SyntaxField) -> ExpiryRule.Years? {
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.expiryYearSeries, context: "`years`", into: &typer.sink) else { return nil }
        let every = typer.require(m, "every", in: "`years`", help: "add `every: N`, the number of years between expirations")
            .flatMap { typer.int($0.value, min: 2, what: "a number of years") }
        let including = typer.require(m, "including", in: "`years`", help: "add `including: YYYY`, one year licenses expire in")
            .flatMap { typer.int($0.value, min: 1, what: "a year like 2026") }
        guard let every, let including else { return nil }
        return .series(every: every, including: including)
    }

    /// `surnames: {A-L: even, M-Z: odd}`: ranges of initials, in order, covering A–Z exactly once.
    private mutating func surnameRanges(_ f: SyntaxField) -> [ExpiryRule.SurnameRange]? {
        guard let entries = PackSyntaxReader.expectMapping(f.value, what: "`surnames`", into: &typer.sink) else { return nil }
        var ranges: [ExpiryRule.SurnameRange] = []
        for entry in entries {
            let bounds = entry.key.value.split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2, bounds.allSatisfy({ $0.count == 1 && ("A"..."Z").contains(String($0)) }),
                  let first = bounds[0].first, let last = bounds[1].first, first <= last else {
                typer.report(Diagnostic(id: "pack.wrongType", message: "`\(entry.key.value)` is not a range of initials like A-L",
                                        span: entry.key.span, help: "two uppercase letters joined by `-`, the first not after the second"))
                return nil
            }
            guard let text = typer.oneOf(entry.value, ["even", "odd"], what: "years"), let parity = ExpiryRule.Parity(rawValue: text) else { return nil }
            ranges.append(ExpiryRule.SurnameRange(first: first, last: last, parity: parity))
        }
        // In order, A to Z, no gap and no overlap.
        var next: Character = "A"
        for (index, range) in ranges.enumerated() {
            guard range.first == next else {
                typer.report(Diagnostic(
                    id: "pack.surnameRanges", message: "surname ranges must cover A-Z once, in order: `\(range.label)` does not start at \(next)",
                    span: entries[index].key.span, help: "write the ranges from A to Z without gaps or overlaps, e.g. `{A-L: even, M-Z: odd}`"))
                return nil
            }
            next = Character(Unicode.Scalar((range.last.unicodeScalars.first?.value ?? 90) + 1) ?? "Z")
        }
        guard next == "[" else {
            typer.report(Diagnostic(
                id: "pack.surnameRanges", message: "surname ranges must cover A-Z once: initials from \(next) on are not covered",
                span: f.value.span, help: "extend the last range to Z"))
            return nil
        }
        return ranges
    }
}
