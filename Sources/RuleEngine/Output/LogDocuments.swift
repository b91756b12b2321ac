import RuleBase
import RuleIR

/// The execution log's `inputs_json` and `outputs_json` documents.
///
/// Inputs hold exactly what the evaluation read: the as-of date, the rule version's id and
/// hash, the credential, and the provider's rows of every table the rule version reads, sorted
/// by id. Outputs hold everything decided. Both are hashed over their canonical bytes.
public enum LogDocuments {
    /// The tables a rule version reads: its credential table, the tables its requirement kinds
    /// need, the fact lists its expressions read (`expressionTables`, as the checker resolved
    /// them) and `provider_attributes` when it declares attributes.
    static func tablesRead(by version: RuleVersion, expressionTables: Set<String>) -> [String] {
        var tables: Set<String> = [version.credential.table]
        for requirement in version.requirements {
            switch requirement.kind {
            case .cmeHours, .oneTimeTraining: tables.insert(FactSchema.cmeEvents.name)
            case .registrationCurrent: tables.insert((requirement.registration ?? .deaRegistration).table)
            case .certificationCurrent: tables.insert(FactSchema.boardCertifications.name)
            case .credentialCurrent, .custom: break
            }
        }
        tables.formUnion(expressionTables)
        // An expiry rule (§3.12) reads the provider's last name or date of birth.
        if version.requirements.contains(where: { $0.expiry != nil }) { tables.insert(FactSchema.providers.name) }
        if !version.attributes.isEmpty { tables.insert(FactSchema.providerAttributes.name) }
        return tables.sorted()
    }

    /// The canonical bytes of `inputs_json`: exactly the rows the decisions depended on, so a
    /// replay over them reproduces the outputs. A table that an expression names is included
    /// whole (the expression may read any row); otherwise the credential table contributes the
    /// evaluated credential, `cme_events` the events some requirement counted (an event no
    /// requirement counted changed nothing), and the other tables every row. Rows reuse their
    /// canonical bytes, made once per row.
    static func writeInputs(
        _ e: CredentialEvaluation, loaded: LoadedRuleVersion, context: ProviderContext, credential: FactRow,
        to w: inout CanonicalWriter
    ) {
        // A handful of ids is searched fastest as a list; many (a career of CME) are hashed.
        let countedList = e.requirements.flatMap(\.countedRows)
        let countedSet = countedList.count > 32 ? Set(countedList) : nil
        func counted(_ id: String) -> Bool { countedSet?.contains(id) ?? countedList.contains(id) }
        let tables = loaded.tablesRead.map { table in
            let rows = context.facts.rows(table)
            if loaded.expressionTables.contains(table) { return (table, rows) }
            if table == credential.table { return (table, rows.filter { $0 === credential }) }
            if table == FactSchema.cmeEvents.name { return (table, rows.filter { counted($0.id) }) }
            return (table, rows)
        }
        reserve(tables.reduce(512) { size, table in table.1.reduce(size) { $0 + $1.canonicalBytes.count + 1 } }, in: &w)
        w.beginObject()
        w.key("as_of"); w.date(e.asOf)
        w.key("credential"); w.beginObject(); w.key("id"); w.string(credential.id); w.key("table"); w.string(credential.table); w.endObject()
        w.key("facts")
        w.beginObject()
        for (table, rows) in tables {
            w.key(escaping: table)
            w.beginArray()
            if table == FactSchema.providers.name, !loaded.expressionTables.contains(table) {
                // Only the columns an expiry rule read, never the rest of the person's record.
                let read = Set(["id"] + loaded.version.requirements.compactMap(\.expiry).flatMap(\.needs)).sorted()
                for row in rows {
                    w.value(.object(read.compactMap { key in row.columns[key].map { (key, $0) } }))
                }
                w.endArray()
                continue
            }
            for row in rows { w.raw(canonical: row.canonicalBytes) }
            w.endArray()
        }
        w.endObject()
        w.key("provider_id"); w.string(e.providerID)
        w.key("rule_version_hash"); w.string(e.ruleVersionHash)
        w.key("rule_version_id"); w.string(e.ruleVersionID)
        w.endObject()
    }

    /// `outputs_json`, written field by field in key order.
    static func writeOutputs(_ e: CredentialEvaluation, to w: inout CanonicalWriter) {
        reserve(512 + 320 * e.requirements.count + 256 * e.gaps.count, in: &w)
        func decimal(_ d: ExactDecimal?) { if let d { w.number(canonical: d.description) } else { w.null() } }
        w.beginObject()
        w.key("attribute_defaults_used")
        w.value(.object(e.defaultsUsed.map { ($0.0, $0.1.json) }))
        w.key("cme_window_end"); w.date(e.windowEnd)
        w.key("cme_window_start"); w.date(e.windowStart)
        w.key("compliance_status"); w.string(e.status.rawValue)
        w.key("credential"); w.beginObject(); w.key("id"); w.string(e.credentialID); w.key("table"); w.string(e.credentialKind.table)
        w.endObject()
        w.key("days_until_due"); w.int(e.daysUntilDue)
        w.key("gaps")
        w.beginArray()
        for g in e.gaps {
            w.beginObject()
            w.key("citation"); w.string(g.citation)
            w.key("code"); w.string(g.code)
            w.key("description"); w.string(g.description)
            w.key("due_date"); w.date(g.dueDate)
            w.key("gap_type"); w.string(g.type.rawValue)
            w.key("requirement_id"); w.string(g.requirementID)
            w.key("severity"); w.string(g.severity.rawValue)
            w.endObject()
        }
        w.endArray()
        w.key("next_renewal_date"); w.date(e.nextRenewalDate)
        w.key("parameters"); w.value(.object(e.parameterValues.map { ($0.0, $0.1.json) }))
        w.key("renewal_number"); w.int(e.renewalNumber)
        w.key("requirements")
        w.beginArray()
        for r in e.requirements {
            w.beginObject()
            // Only when hours carried, so logs of packs without carry-forward keep their bytes.
            // Only for requirements with caps, so logs of packs without caps keep their bytes.
            if let capped = r.capped {
                w.key("capped")
                w.beginArray()
                for c in capped {
                    w.beginObject()
                    w.key("counted"); decimal(c.counted)
                    w.key("label"); w.string(c.label)
                    w.key("max_hours"); decimal(c.maxHours)
                    w.key("offered"); decimal(c.offered)
                    w.endObject()
                }
                w.endArray()
            }
            if let carried = r.carriedIn { w.key("carried_in"); decimal(carried) }
            w.key("counted_rows"); w.beginArray(); for id in r.countedRows { w.string(id) }; w.endArray()
            w.key("deadline"); w.date(r.deadline)
            w.key("earned"); decimal(r.earned)
            w.key("exempted_by"); w.string(r.exemptedBy)
            // Only for requirements with an expiry rule, so other logs keep their bytes.
            if let check = r.expiryCheck { w.key("expiry_check"); w.string(check) }
            w.key("id"); w.string(r.id)
            w.key("kind"); w.string(r.kind.rawValue)
            w.key("outcome"); w.string(r.outcome.rawValue)
            // Only when `prorate` reduced the figure, so other logs keep their bytes.
            if let prorated = r.prorated { w.key("prorated"); w.string(prorated) }
            w.key("reason"); w.string(r.reason)
            w.key("required"); decimal(r.required)
            // Only when one applied, so logs of packs without alternatives keep their bytes.
            if let satisfiedBy = r.satisfiedBy { w.key("satisfied_by"); w.string(satisfiedBy) }
            w.key("window_end"); w.date(r.windowEnd)
            w.key("window_start"); w.date(r.windowStart)
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// Room for `count` more bytes, growing at least twofold: the writer may hold a whole batch's
    /// log, and growing it to just what one row needs would copy the batch for every row after.
    private static func reserve(_ count: Int, in w: inout CanonicalWriter) {
        guard w.bytes.capacity - w.bytes.count < count else { return }
        w.reserve(max(count, w.bytes.count))
    }

    /// The keys of the two documents in a log row, as written (for ``LogChain``).
    static let inputsKey = Array(#""inputs_json":"#.utf8)
    static let outputsKey = Array(#""outputs_json":"#.utf8)

    /// The `rules_execution_log` row as canonical bytes, written in one buffer: each document
    /// is hashed where it lies, and nothing is copied. Sets the evaluation's hashes and the
    /// places of its documents in the row. `executed_at` is the as-of date: a file run reads
    /// no clock, so its log stays byte-identical; the database records the write time separately.
    static func writeLogLine(
        _ e: inout CredentialEvaluation, loaded: LoadedRuleVersion, context: ProviderContext, credential: FactRow
    ) {
        var w = CanonicalWriter(capacity: 4096)
        writeLogLine(&e, loaded: loaded, context: context, credential: credential, to: &w)
        e.logLine = w.takeBytes()
    }

    /// Writes the row after what `w` holds (a batch's log buffer: no buffer of its own per row,
    /// no copy into the batch). The evaluation's ranges are relative to the row's start; its
    /// ``CredentialEvaluation/logLine`` is left as it was.
    static func writeLogLine(
        _ e: inout CredentialEvaluation, loaded: LoadedRuleVersion, context: ProviderContext, credential: FactRow,
        to w: inout CanonicalWriter
    ) {
        let rowStart = w.bytes.count
        w.beginObject()
        w.key("executed_at"); w.date(e.asOf)
        w.key("inputs_json")
        let inputsStart = w.bytes.count
        writeInputs(e, loaded: loaded, context: context, credential: credential, to: &w)
        e.inputsSHA256 = sha256Hex(bytes: w.bytes[inputsStart..<w.bytes.count])
        e.inputsRange = (inputsStart - rowStart)..<(w.bytes.count - rowStart)
        w.key("inputs_sha256"); w.string(e.inputsSHA256)
        w.key("outputs_json")
        let outputsStart = w.bytes.count
        writeOutputs(e, to: &w)
        e.outputsSHA256 = sha256Hex(bytes: w.bytes[outputsStart..<w.bytes.count])
        e.outputsRange = (outputsStart - rowStart)..<(w.bytes.count - rowStart)
        w.key("outputs_sha256"); w.string(e.outputsSHA256)
        w.key("provider_id"); w.string(e.providerID)
        w.key("rule_type"); w.string(e.ruleType)
        w.key("rule_version_id"); w.string(e.ruleVersionID)
        w.endObject()
    }
}

extension CredentialEvaluation {
    /// The `compliance_windows` row (Data Bible columns plus documented extensions) as
    /// canonical JSON bytes, written field by field in key order.
    public var windowLine: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(400)
        writeWindowLine(to: &bytes)
        return bytes
    }

    /// Appends the `compliance_windows` row to `bytes` (a batch's buffer).
    func writeWindowLine(to bytes: inout [UInt8]) {
        var w = CanonicalWriter(appendingTo: &bytes)
        w.beginObject()
        w.key("as_of"); w.date(asOf)
        w.key("cme_window_end"); w.date(windowEnd)
        w.key("cme_window_start"); w.date(windowStart)
        w.key("compliance_status"); w.string(status.rawValue)
        w.key("credential_id"); w.string(credentialID)
        w.key("credential_type"); w.string(credentialKind.rawValue)
        w.key("days_until_due"); w.int(daysUntilDue)
        w.key("license_id"); w.string(credentialKind == .license ? credentialID : nil)
        w.key("next_renewal_date"); w.date(nextRenewalDate)
        w.key("provider_id"); w.string(providerID)
        w.key("renewal_number"); w.int(renewalNumber)
        w.key("rule_version_id"); w.string(ruleVersionID.isEmpty ? nil : ruleVersionID)
        w.endObject()
        bytes = w.takeBytes()
    }

    /// The `compliance_gap_analysis` rows as canonical JSON bytes.
    public var gapLines: [[UInt8]] {
        gaps.indices.map { index in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(512)
            writeGapLine(index, to: &bytes)
            return bytes
        }
    }

    /// Appends the `compliance_gap_analysis` rows to a batch's table.
    func appendGapLines(to lines: inout JSONLines) {
        for index in gaps.indices { lines.appendRow { writeGapLine(index, to: &$0) } }
    }

    /// Appends gap `index`'s row to `bytes`.
    func writeGapLine(_ index: Int, to bytes: inout [UInt8]) {
        let g = gaps[index]
        var w = CanonicalWriter(appendingTo: &bytes)
        w.beginObject()
        w.key("citation"); w.string(g.citation)
        w.key("code"); w.string(g.code)
        w.key("credential_id"); w.string(credentialID)
        w.key("description"); w.string(g.description)
        w.key("due_date"); w.date(g.dueDate)
        w.key("gap_type"); w.string(g.type.rawValue)
        w.key("provider_id"); w.string(providerID)
        w.key("requirement_id"); w.string(g.requirementID)
        w.key("rule_version_id"); w.string(ruleVersionID.isEmpty ? nil : ruleVersionID)
        w.key("severity"); w.string(g.severity.rawValue)
        w.endObject()
        bytes = w.takeBytes()
    }
}
