import RuleBase

/// A rule version as Markdown for people: analysts reviewing a pack, auditors reading what a
/// rule version decided. Every requirement is stated in words with its citation and source.
public enum RuleVersionRenderer {
    /// Renders the rule version.
    public static func markdown(_ version: RuleVersion) -> String {
        var lines: [String] = []
        let citations = Dictionary(version.citations.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        func cite(_ id: String) -> String {
            guard let c = citations[id] else { return id }
            return c.url.map { "[\(c.reference)](\($0))" } ?? c.reference
        }
        lines.append("# \(version.title)")
        lines.append("")
        lines.append("`\(version.id)` · \(version.authority) · rule version sha256 `\(version.hash.prefix(16))…`")
        lines.append("")
        var applies = "Applies to every \(noun(version.credential))"
        if let state = version.appliesTo.state { applies += " in \(state)" }
        if let types = version.appliesTo.licenseTypes { applies += " of type \(types.joined(separator: " or "))" }
        lines.append("- \(applies).")
        lines.append("- In force from \(version.effective.from)" + (version.effective.to.map { " to \($0)" } ?? " until replaced") + ".")
        var cycle = "- Renewal every \(version.cycle.months) months"
        if version.cycle.cmeWindowMonths != version.cycle.months { cycle += "; CME counted over \(version.cycle.cmeWindowMonths) months" }
        cycle += "; warning window \(version.cycle.warnWithinDays) days."
        lines.append(cycle)
        if !version.parameters.isEmpty {
            lines.append("")
            lines.append("## Parameters")
            for p in version.parameters {
                let values = p.values.map { "\($0.value) for cycles ending on or after \($0.from)" }.joined(separator: "; ")
                lines.append("- `params.\(p.name)` (\(p.type.rawValue)): \(values)")
            }
        }
        lines.append("")
        lines.append("## Requirements")
        for r in version.requirements {
            lines.append("")
            lines.append("### \(r.title) (`\(r.id)`)")
            lines.append(sentence(r))
            if let cadence = r.cadence { lines.append("- Due at \(describe(cadence)).") }
            if let when = r.when { lines.append("- Applies when `\(when.source)`.") }
            lines.append("- Severity \(r.severity.rawValue); a shortfall is a `\(r.gapType.rawValue)` gap. Source: \(cite(r.cite)).")
            if let options = r.anyOf {
                lines.append("- Met by any one of: " + options.map { o in
                    "\(o.title) in the \(o.lookbackMonths) months before the cycle end (" + o.figures.map { f in
                        "\(f.hours) hours" + (f.categories.map { " in " + $0.joined(separator: " or ") } ?? "")
                            + (f.creditTypes.map { " of " + $0.joined(separator: ", ") } ?? "")
                    }.joined(separator: " and ") + ")"
                }.joined(separator: "; ") + ".")
            }
            if let prorate = r.prorate {
                lines.append("- Prorated: while licensed fewer than \(prorate.perMonths) months at the cycle end, the figure is the hours x months "
                    + "licensed / \(prorate.perMonths), \(prorate.roundingDescription).")
            }
            if let consequence = r.consequence {
                lines.append("- Unmet at its deadline, the credential becomes \(consequence.becomes.rawValue) until reinstated "
                    + "(a `credential_deactivated` gap). Source: \(cite(consequence.cite ?? r.cite)).")
            }
        }
        if !version.exemptions.isEmpty {
            lines.append("")
            lines.append("## Exemptions")
            for e in version.exemptions {
                let scope = e.exempts.map { $0.map { "`\($0)`" }.joined(separator: ", ") }
                    ?? ("every requirement" + (e.except.isEmpty ? "" : " except " + e.except.map { "`\($0)`" }.joined(separator: ", ")))
                lines.append("- `\(e.id)` (precedence \(e.precedence)): when `\(e.when.source)`, exempts \(scope). Source: \(cite(e.cite)).")
            }
        }
        if !version.alternatives.isEmpty {
            lines.append("")
            lines.append("## Alternatives")
            for a in version.alternatives {
                let scope = a.satisfies.map { "`\($0)`" }.joined(separator: ", ")
                lines.append("- `\(a.id)` (\(a.title)): when `\(a.when.source)`, satisfies \(scope). Source: \(cite(a.cite)).")
            }
        }
        lines.append("")
        lines.append("## Citations")
        for c in version.citations {
            var line = "- `\(c.id)`: \(c.text)"
            if let confidence = c.confidence { line += " (confidence \(confidence))" }
            if let url = c.url { line += " — <\(url)>" }
            lines.append(line)
            if let note = c.note { lines.append("  - \(note)") }
        }
        if let notes = version.notes {
            lines.append("")
            lines.append("## Notes")
            lines.append(notes)
        }
        lines.append("")
        lines.append("\(version.tests.count) test case\(version.tests.count == 1 ? "" : "s") in the pack.")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func noun(_ kind: CredentialKind) -> String {
        switch kind {
        case .license: "license"
        case .deaRegistration: "DEA registration"
        case .csrCertificate: "state controlled-substance registration"
        case .boardCertification: "board certification"
        }
    }

    private static func hours(_ spec: HoursSpec?) -> String {
        switch spec {
        case .constant(let d)?: d == ExactDecimal(1) ? "1 hour" : "\(d) hours"
        case .expression(let e)?: "`\(e.source)` hours"
        case .anyRecord?: "any record (no hour figure)"
        case nil: "hours"
        }
    }

    private static func describe(_ deadline: Deadline) -> String {
        switch deadline {
        case .renewal(let n): "renewal \(n)"
        case .monthsAfterIssue(let n):
            n == 12 ? "1 year after issue" : n % 12 == 0 ? "\(n / 12) years after issue" : "\(n) months after issue"
        case .date(let d): "\(d)"
        case .firstRenewalAfter(let d): "the first renewal on or after \(d)"
        case .earliestOf(let list): "the earliest of " + list.map(describe).joined(separator: ", ")
        case .latestOf(let list): "the latest of " + list.map(describe).joined(separator: ", ")
        }
    }

    private static func describe(_ cadence: Cadence) -> String {
        var parts: [String] = []
        if !cadence.renewals.isEmpty { parts.append("renewal" + (cadence.renewals.count > 1 ? "s " : " ") + cadence.renewals.map(String.init).joined(separator: ", ")) }
        if let every = cadence.thenEvery { parts.append((cadence.renewals.isEmpty ? "" : "then ") + "every \(ordinal(every)) renewal") }
        if let from = cadence.fromRenewal { parts.append("every renewal from the \(ordinal(from))") }
        return parts.joined(separator: ", ")
    }

    private static func ordinal(_ n: Int) -> String {
        let suffix = (11...13).contains(n % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][n % 10] ?? "th"
        return "\(n)\(suffix)"
    }

    private static func sentence(_ r: Requirement) -> String {
        let topic = r.categories.map { " in " + $0.map { $0.replacingUnderscoresWithSpaces }.joined(separator: " or ") } ?? ""
        let credit = r.creditTypes.map { " (credit types " + $0.joined(separator: ", ") + ")" } ?? ""
        switch r.kind {
        case .credentialCurrent:
            guard let grace = r.grace else { return "The credential is active and not expired." }
            return "The credential is active and not expired; \(grace.length.clause) it may still be renewed, "
                + (grace.practiceAllowed ? "and practice continues" : "but not practised on")
                + (grace.cme == .dueAtGraceEnd ? ", and CME due at the renewal may be completed until the grace period ends." : ".")
        case .cmeHours:
            let window = r.window.map { $0.placementDescription + ", due by its last day" }
                ?? r.lookbackMonths.map { "the \($0) months before the renewal" } ?? "the CME window"
            let except = r.excludedCategories.map { " (not counting " + $0.map { $0.replacingUnderscoresWithSpaces }.joined(separator: " or ") + ")" } ?? ""
            return "At least \(hours(r.hours)) of CME\(topic)\(except)\(credit) completed in \(window)."
        case .oneTimeTraining:
            return "A one-time training of \(hours(r.hours))\(topic)\(credit), due by \(r.deadline.map(describe) ?? "the end of the cycle")."
        case .registrationCurrent:
            let what = r.registration.map(noun) ?? "registration"
            return "A current \(what)" + ((r.sameState ?? true) ? " for the license's state" : "") + " is held."
        case .certificationCurrent:
            return "A current board certification" + (r.specialties.map { " in " + $0.joined(separator: " or ") } ?? "") + " is held."
        case .custom:
            return (r.message ?? r.title) + (r.check.map { " (checked as `\($0.source)`)" } ?? "") + "."
        }
    }
}

extension String {
    fileprivate var replacingUnderscoresWithSpaces: String { String(map { $0 == "_" ? " " : $0 }) }
}
