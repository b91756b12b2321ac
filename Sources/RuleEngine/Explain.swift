public import RuleBase
public import RuleIR

/// The decision tree of one evaluation, for people (``render(_:version:)``) and for tools
/// (``json(_:version:)``, the same content as data).
public enum Explain {
    /// Renders an evaluation: the credential and cycle, parameter values, attribute defaults, then
    /// each requirement with what it saw, the rows that counted, its outcome and citation.
    /// With `evidence`, every fact row that counted (``countedFacts(of:in:)``) and every row the
    /// conditions read (``alsoRead(_:version:)``) is followed by the documents it came from
    /// (verdict → law → evidence), or says that none is on record.
    public static func render(_ e: CredentialEvaluation, version: RuleVersion, evidence: Evidence? = nil) -> String {
        var lines: [String] = []
        lines.append("\(e.providerID) · \(version.title) (\(e.ruleVersionID), sha256 \(e.ruleVersionHash.prefix(12))…)")
        lines.append("├─ credential \(e.credentialKind.rawValue) \(e.credentialID), as of \(e.asOf)")
        if let evidence {
            lines += evidence.lines(for: credentialRow(of: e), indent: "│  ")
            for row in alsoRead(e, version: version) { lines += evidence.lines(for: row, indent: "│  ", label: "also read: ") }
        }
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
            if let evidence {
                for row in countedFacts(of: r, in: version) { lines += evidence.lines(for: row, indent: pad) }
            }
        }
        lines.append("⇒ \(e.status.rawValue)")
        return lines.joined(separator: "\n")
    }

    /// The meaning of an attribute the pack declares itself (`attributes:`), nil for a shared one.
    static func declaredMeaning(_ key: String, in version: RuleVersion) -> String? {
        version.attributes.first { $0.key == key }?.meaning
    }

    /// Renders a credential no rule version decided (none covers it, or its row was rejected);
    /// with `evidence`, the documents of the credential's row.
    public static func render(unevaluated e: CredentialEvaluation, evidence: Evidence? = nil) -> String {
        var lines = ["\(e.providerID) · \(e.ruleVersionID.isEmpty ? "no rule version" : e.ruleVersionID) (not evaluated)"]
        lines.append("├─ credential \(e.credentialKind.rawValue) \(e.credentialID), as of \(e.asOf)")
        if let evidence { lines += evidence.lines(for: credentialRow(of: e), indent: "│  ") }
        for g in e.gaps { lines.append("├─ ! \(g.type.rawValue) [\(g.severity.rawValue)]: \(g.description)") }
        lines.append("⇒ \(e.status.rawValue)")
        return lines.joined(separator: "\n")
    }

    /// The same content as ``render(_:version:evidence:)`` as one JSON object; with `evidence`,
    /// the credential and each requirement carry an `evidence` array (row, documents), and
    /// `also_read` lists the rows the conditions read.
    public static func json(_ e: CredentialEvaluation, version: RuleVersion, evidence: Evidence? = nil) -> JSONValue {
        func date(_ d: CalendarDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }
        func int(_ i: Int?) -> JSONValue { i.map { .int($0) } ?? .null }
        func decimal(_ d: ExactDecimal?) -> JSONValue { d.map { .number($0.description) } ?? .null }
        return .object([
            ("provider_id", .string(e.providerID)),
            ("rule_version", .object([
                ("id", .string(e.ruleVersionID)), ("title", .string(version.title)), ("hash", .string(e.ruleVersionHash)),
            ])),
            ("credential", .object([("type", .string(e.credentialKind.rawValue)), ("id", .string(e.credentialID))]
                + (evidence.map { [("evidence", $0.json(for: [credentialRow(of: e)]))] } ?? []))),
            ("as_of", .string(e.asOf.description)),
        ] + (evidence.map { [("also_read", $0.json(for: alsoRead(e, version: version)))] } ?? []) + [
            ("cycle", .object([
                ("renewal_number", int(e.renewalNumber)), ("cme_window_start", date(e.windowStart)), ("cme_window_end", date(e.windowEnd)),
                ("next_renewal_date", date(e.nextRenewalDate)), ("days_until_due", int(e.daysUntilDue)),
            ])),
            ("parameters", .object(e.parameterValues.map { ($0.0, $0.1.json) })),
            ("attribute_defaults_used", .object(e.defaultsUsed.map { ($0.0, $0.1.json) })),
            ("attributes_on_file", .object(e.attributesOnFile.map { ($0.0, $0.1.json) })),
            ("requirements", .array(e.requirements.map { r in
                .object(capped(r) + (r.expiryCheck.map { [("expiry_check", JSONValue.string($0))] } ?? [])
                    + (r.prorated.map { [("prorated", JSONValue.string($0))] } ?? []) + [
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
                ] + (evidence.map { [("evidence", $0.json(for: countedFacts(of: r, in: version)))] } ?? []))
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

    /// A credential no rule version decided, as one JSON object (the content of ``render(unevaluated:evidence:)``).
    public static func json(unevaluated e: CredentialEvaluation, evidence: Evidence? = nil) -> JSONValue {
        .object([
            ("provider_id", .string(e.providerID)),
            ("rule_version", e.ruleVersionID.isEmpty ? .null : .object([("id", .string(e.ruleVersionID))])),
            ("credential", .object([("type", .string(e.credentialKind.rawValue)), ("id", .string(e.credentialID))]
                + (evidence.map { [("evidence", $0.json(for: [credentialRow(of: e)]))] } ?? []))),
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

// MARK: - The fact rows that counted, and the documents they came from

/// A fact row, by table and file id: the row an evaluation rested on.
public struct FactRowReference: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The facts table (`licenses`, `cme_events`, …).
    public var table: String
    /// The row's id as the facts give it (the file id).
    public var id: String

    public init(table: String, id: String) {
        self.table = table
        self.id = id
    }

    public static func < (lhs: FactRowReference, rhs: FactRowReference) -> Bool { (lhs.table, lhs.id) < (rhs.table, rhs.id) }

    public var description: String { "\(table) \(id)" }
}

/// A document a fact row was extracted from, as the caller found it (the store's `documents`
/// row, reached through the fact's `extracted_from_doc_id` or its `document_lineage` rows).
public struct SourceDocument: Sendable, Hashable {
    /// The document's id (file id, or uuid when it has none).
    public var id: String
    /// `documents.s3_uri`.
    public var s3URI: String?
    /// `documents.sha256_hash`: the hash of the file's bytes, as recorded at upload.
    public var sha256: String?
    /// `documents.file_type`.
    public var fileType: String?
    /// How the link is known, in a fixed order: `extracted_from_doc_id` (the row's current
    /// document), `document_lineage` (recorded when the row was written from it).
    public var via: [String]

    public init(id: String, s3URI: String?, sha256: String?, fileType: String?, via: [String]) {
        self.id = id
        self.s3URI = s3URI
        self.sha256 = sha256
        self.fileType = fileType
        self.via = via
    }
}

/// The documents behind fact rows, for ``Explain/render(_:version:evidence:)``: filled by
/// whoever reads the facts (the store), so the engine learns where a row came from without
/// knowing where rows are kept. A row with no entry, or an empty one, has no source document.
public struct Evidence: Sendable {
    /// Documents per fact row, in the order the reader gives them.
    public var documents: [FactRowReference: [SourceDocument]]

    public init(documents: [FactRowReference: [SourceDocument]] = [:]) { self.documents = documents }

    /// The sentence for a row with no document.
    public static let noDocument = "no source document on record"

    func lines(for row: FactRowReference, indent: String, label: String = "") -> [String] {
        let documents = documents[row] ?? []
        guard !documents.isEmpty else { return ["\(indent)↳ \(label)\(row): \(Self.noDocument)"] }
        return documents.map { d in
            "\(indent)↳ \(label)\(row) ← document \(d.id): \(d.s3URI ?? "no s3_uri"), sha256 \(d.sha256 ?? "not recorded")"
                + (d.fileType.map { ", \($0)" } ?? "") + " (via \(d.via.joined(separator: ", ")))"
        }
    }

    func json(for rows: [FactRowReference]) -> JSONValue {
        .array(rows.map { row in
            let documents = documents[row] ?? []
            return .object([
                ("table", .string(row.table)), ("id", .string(row.id)),
                ("documents", .array(documents.map { d in
                    .object([("id", .string(d.id)), ("s3_uri", d.s3URI.map { .string($0) } ?? .null),
                             ("sha256_hash", d.sha256.map { .string($0) } ?? .null),
                             ("file_type", d.fileType.map { .string($0) } ?? .null),
                             ("via", .array(d.via.map { .string($0) }))])
                })),
                ("source", .string(documents.isEmpty ? Self.noDocument : "document")),
            ])
        })
    }
}

extension Explain {
    /// Every fact row an evaluation rested on, each once, in the order of the explanation: the
    /// evaluated credential, then each requirement's counted rows (``countedFacts(of:in:)``). A
    /// credential no rule version decided (`version` nil) rests on its own row only.
    public static func countedFacts(_ e: CredentialEvaluation, version: RuleVersion?) -> [FactRowReference] {
        var seen: Set<FactRowReference> = []
        var rows: [FactRowReference] = []
        let requirementRows = version.map { version in e.requirements.flatMap { countedFacts(of: $0, in: version) } } ?? []
        for row in [credentialRow(of: e)] + requirementRows where seen.insert(row).inserted {
            rows.append(row)
        }
        return rows
    }

    /// The rows a requirement counted, with their tables: hours and trainings count CME events
    /// (carried hours too), registrations their registration table, certifications board
    /// certifications. The other kinds count no rows.
    public static func countedFacts(of r: RequirementResult, in version: RuleVersion) -> [FactRowReference] {
        let table: String?
        switch r.kind {
        case .cmeHours, .oneTimeTraining: table = FactSchema.cmeEvents.name
        case .registrationCurrent:
            table = (version.requirements.first { $0.id == r.id }?.registration ?? .deaRegistration).table
        case .certificationCurrent: table = FactSchema.boardCertifications.name
        case .credentialCurrent, .custom: table = nil
        }
        guard let table else { return [] }
        var seen: Set<String> = []
        return r.countedRows.filter { seen.insert($0).inserted }.map { FactRowReference(table: table, id: $0) }
    }

    /// The rows of document-backed tables the evaluation read beyond those it counted: what its
    /// conditions, exemptions, alternatives and checks looked at (a board certification that
    /// exempts, a registration a condition asks about), taken from the execution log's inputs,
    /// which hold exactly the rows the decisions depended on. Empty when no log was recorded.
    public static func alsoRead(_ e: CredentialEvaluation, version: RuleVersion) -> [FactRowReference] {
        let counted = Set(countedFacts(e, version: version))
        var rows: [FactRowReference] = []
        for (table, value) in e.inputs["facts"]?.objectMembers ?? [] {
            guard FactSchema.byName[table]?.declared.contains(where: { $0.name == "extracted_from_doc_id" }) == true else { continue }
            for row in value.arrayValue ?? [] {
                guard let id = row["id"]?.stringValue else { continue }
                let reference = FactRowReference(table: table, id: id)
                if !counted.contains(reference) { rows.append(reference) }
            }
        }
        return rows.sorted()
    }

    /// The evaluated credential's own row.
    static func credentialRow(of e: CredentialEvaluation) -> FactRowReference {
        FactRowReference(table: e.credentialKind.table, id: e.credentialID)
    }
}
