public import RuleBase
public import RuleIR

/// The decision tree of one evaluation, for people (``render(_:version:)``) and for tools
/// (``json(_:version:)``, the same content as data).
public enum Explain {
    /// Renders an evaluation: the credential and cycle, parameter values, attribute defaults, then
    /// each requirement with what it saw, the rows that counted, its outcome and citation.
    public static func render(_ e: CredentialEvaluation, version: RuleVersion) -> String {
        var lines: [String] = []
        lines.append("\(e.providerID) · \(version.title) (\(e.ruleVersionID), sha256 \(e.ruleVersionHash.prefix(12))…)")
        lines.append("├─ credential \(e.credentialKind.rawValue) \(e.credentialID), as of \(e.asOf)")
        // A credential whose cycles are not numbered (a DEA registration) has no renewal number.
        var cycle: [String] = []
        if let n = e.renewalNumber { cycle.append("renewal \(n)") }
        if e.windowStart != nil || e.windowEnd != nil {
            cycle.append("CME window \(e.windowStart?.description ?? "?") … \(e.windowEnd?.description ?? "?")")
        }
        cycle.append("next renewal \(e.nextRenewalDate?.description ?? "unknown")"
            + (e.daysUntilDue.map { " (\($0) days)" } ?? ""))
        lines.append("├─ cycle: " + cycle.joined(separator: ", "))
        if !e.parameterValues.isEmpty {
            lines.append("├─ parameters in force: " + e.parameterValues.map { "\($0.0) = \($0.1)" }.joined(separator: ", "))
        }
        for (key, value) in e.attributesOnFile {
            lines.append("├─ attribute on file: provider.\(key) = \(value)" + (declaredMeaning(key, in: version).map { " (\($0))" } ?? ""))
        }
        for (key, value) in e.defaultsUsed {
            lines.append("├─ default used: provider.\(key) = \(value) (no fact on file)"
                + (declaredMeaning(key, in: version).map { "; declared by the pack: \($0)" } ?? ""))
        }
        for (index, r) in e.requirements.enumerated() {
            let cite = citation(of: r, in: version) + (confidence(of: r, in: version).map { "; confidence \($0)" } ?? "")
            let last = index == e.requirements.count - 1
            lines.append("\(last ? "└" : "├")─ \(r.id) [\(r.kind.rawValue)] → \(r.outcome.rawValue.uppercased()): \(oneLine(r.reason))  (\(cite))")
            let pad = last ? "   " : "│  "
            for t in r.trace { lines.append("\(pad)· \(oneLine(t))") }
            if let s = r.windowStart, let end = r.windowEnd { lines.append("\(pad)· window \(s) … \(end)") }
            if let d = r.deadline, r.outcome == .unmet { lines.append("\(pad)· due \(d)") }
            for g in r.gaps { lines.append("\(pad)! \(g.type.rawValue) [\(g.severity.rawValue)]: \(oneLine(g.description))") }
        }
        lines.append("⇒ \(e.status.rawValue)")
        return lines.joined(separator: "\n")
    }

    /// The meaning of an attribute the pack declares itself (`attributes:`), nil for a shared one.
    static func declaredMeaning(_ key: String, in version: RuleVersion) -> String? {
        version.attributes.first { $0.key == key }?.meaning
    }

    /// Renders a credential no rule version decided (none covers it, or its row was rejected).
    public static func render(unevaluated e: CredentialEvaluation) -> String {
        var lines = ["\(e.providerID) · \(e.ruleVersionID.isEmpty ? "no rule version" : e.ruleVersionID) (not evaluated)"]
        lines.append("├─ credential \(e.credentialKind.rawValue) \(e.credentialID), as of \(e.asOf)")
        for g in e.gaps { lines.append("├─ ! \(g.type.rawValue) [\(g.severity.rawValue)]: \(g.description)") }
        lines.append("⇒ \(e.status.rawValue)")
        return lines.joined(separator: "\n")
    }

    /// The same content as ``render(_:version:)`` as one JSON object.
    public static func json(_ e: CredentialEvaluation, version: RuleVersion) -> JSONValue {
        func date(_ d: CalendarDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }
        func int(_ i: Int?) -> JSONValue { i.map { .int($0) } ?? .null }
        func decimal(_ d: ExactDecimal?) -> JSONValue { d.map { .number($0.description) } ?? .null }
        return .object([
            ("provider_id", .string(e.providerID)),
            ("rule_version", .object([
                ("id", .string(e.ruleVersionID)), ("title", .string(version.title)), ("hash", .string(e.ruleVersionHash)),
            ])),
            ("credential", .object([("type", .string(e.credentialKind.rawValue)), ("id", .string(e.credentialID))])),
            ("as_of", .string(e.asOf.description)),
            ("cycle", .object([
                ("renewal_number", int(e.renewalNumber)), ("cme_window_start", date(e.windowStart)), ("cme_window_end", date(e.windowEnd)),
                ("next_renewal_date", date(e.nextRenewalDate)), ("days_until_due", int(e.daysUntilDue)),
            ])),
            ("parameters", .object(e.parameterValues.map { ($0.0, $0.1.json) })),
            ("attribute_defaults_used", .object(e.defaultsUsed.map { ($0.0, $0.1.json) })),
            ("attributes_on_file", .object(e.attributesOnFile.map { ($0.0, $0.1.json) })),
            ("requirements", .array(e.requirements.map { r in
                .object(capped(r) + (r.expiryCheck.map { [("expiry_check", JSONValue.string($0))] } ?? []) + [
                    ("id", .string(r.id)), ("kind", .string(r.kind.rawValue)), ("outcome", .string(r.outcome.rawValue)),
                    ("reason", .string(oneLine(r.reason))), ("citation", .string(citation(of: r, in: version))),
                    ("citation_confidence", confidence(of: r, in: version).map { .string($0) } ?? .null),
                    ("trace", .array(r.trace.map { .string(oneLine($0)) })),
                    ("window_start", date(r.windowStart)), ("window_end", date(r.windowEnd)),
                    ("due", date(r.outcome == .unmet ? r.deadline : nil)),
                    ("earned", decimal(r.earned)), ("required", decimal(r.required)),
                    ("counted_rows", .array(r.countedRows.map { .string($0) })),
                    ("gaps", .array(r.gaps.map { g in
                        .object([("gap_type", .string(g.type.rawValue)), ("severity", .string(g.severity.rawValue)),
                                 ("description", .string(oneLine(g.description)))])
                    })),
                ])
            })),
            ("compliance_status", .string(e.status.rawValue)),
        ])
    }

    /// `capped` of a requirement with caps (§3.11): offered and counted hours per cap; nothing otherwise.
    private static func capped(_ r: RequirementResult) -> [(String, JSONValue)] {
        guard let capped = r.capped else { return [] }
        return [("capped", .array(capped.map { c in
            .object([("label", .string(c.label)), ("max_hours", .number(c.maxHours.description)),
                     ("offered", .number(c.offered.description)), ("counted", .number(c.counted.description))])
        }))]
    }

    /// A credential no rule version decided, as one JSON object (the content of ``render(unevaluated:)``).
    public static func json(unevaluated e: CredentialEvaluation) -> JSONValue {
        .object([
            ("provider_id", .string(e.providerID)),
            ("rule_version", e.ruleVersionID.isEmpty ? .null : .object([("id", .string(e.ruleVersionID))])),
            ("credential", .object([("type", .string(e.credentialKind.rawValue)), ("id", .string(e.credentialID))])),
            ("as_of", .string(e.asOf.description)),
            ("evaluated", .bool(false)),
            ("gaps", .array(e.gaps.map { g in
                .object([("gap_type", .string(g.type.rawValue)), ("severity", .string(g.severity.rawValue)),
                         ("description", .string(oneLine(g.description)))])
            })),
            ("compliance_status", .string(e.status.rawValue)),
        ])
    }

    /// The research's confidence mark (`V`, `V2`, `P`, `R`, `C`) of the citation a requirement
    /// rests on, so a verdict resting on a recalled or conflicting source says so.
    private static func confidence(of r: RequirementResult, in version: RuleVersion) -> String? {
        let requirement = version.requirements.first { $0.id == r.id }
        return requirement.flatMap { req in version.citations.first { $0.id == req.cite }?.confidence }
    }

    private static func citation(of r: RequirementResult, in version: RuleVersion) -> String {
        let requirement = version.requirements.first { $0.id == r.id }
        return requirement.flatMap { req in version.citations.first { $0.id == req.cite }?.text } ?? ""
    }

    /// Text on one line: a line break and the indentation around it become one space, and none
    /// at all just inside backticks (a block expression's last newline stays out of `code`).
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        var out = ""
        var inCode = false
        var pendingBreak = false
        for character in text {
            if character.isNewline {
                pendingBreak = true
                while out.last == " " || out.last == "\t" { out.removeLast() }
                continue
            }
            if pendingBreak, character == " " || character == "\t" { continue }
            if pendingBreak {
                pendingBreak = false
                let closesCode = character == "`" && inCode
                let opensCode = out.last == "`" && inCode
                if !closesCode, !opensCode, !out.isEmpty { out.append(" ") }
            }
            if character == "`" { inCode.toggle() }
            out.append(character)
        }
        return out
    }
}
