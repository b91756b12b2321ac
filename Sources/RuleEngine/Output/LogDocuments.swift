public import RuleBase
public import RuleIR

/// The execution log's `inputs_json` and `outputs_json` documents.
///
/// Inputs hold exactly what the evaluation read: the as-of date, the rule version's id and
/// hash, the credential, and the provider's rows of every table the rule version reads, sorted
/// by id. Outputs hold everything decided. Both are hashed over their canonical bytes.
public enum LogDocuments {
    /// The tables a rule version reads: its credential table, the tables its requirement kinds
    /// need, and the fact lists its expressions name.
    public static func tablesRead(by version: RuleVersion) -> [String] {
        var tables: Set<String> = [version.credential.table]
        var sources: [String] = version.exemptions.map(\.when.source)
        for requirement in version.requirements {
            switch requirement.kind {
            case .cmeHours, .oneTimeTraining: tables.insert("cme_events")
            case .registrationCurrent: tables.insert((requirement.registration ?? .deaRegistration).table)
            case .certificationCurrent: tables.insert("board_certifications")
            case .credentialCurrent, .custom: break
            }
            sources += [requirement.when?.source, requirement.check?.source].compactMap { $0 }
            if case .expression(let e)? = requirement.hours { sources.append(e.source) }
        }
        for table in ExpressionVariables.factLists where sources.contains(where: { $0.contains(table) }) {
            tables.insert(table)
        }
        if !version.attributes.isEmpty { tables.insert("provider_attributes") }
        return tables.sorted()
    }

    static func inputs(_ e: CredentialEvaluation, version: RuleVersion, facts: ProviderFacts, credential: FactRow) -> JSONValue {
        let tables = tablesRead(by: version).map { table in
            (table, JSONValue.array(facts.rows(table).map(\.columns)))
        }
        return .object([
            ("as_of", .string(e.asOf.description)),
            ("provider_id", .string(e.providerID)),
            ("rule_version_id", .string(e.ruleVersionID)),
            ("rule_version_hash", .string(e.ruleVersionHash)),
            ("credential", .object([("table", .string(credential.table)), ("id", .string(credential.id))])),
            ("facts", .object(tables)),
        ])
    }

    static func date(_ d: CalendarDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }
    static func decimal(_ d: ExactDecimal?) -> JSONValue { d.map { .number($0.description) } ?? .null }

    static func gap(_ g: Gap) -> JSONValue {
        .object([
            ("gap_type", .string(g.type.rawValue)),
            ("code", g.code.map { .string($0) } ?? .null),
            ("description", .string(g.description)),
            ("severity", .string(g.severity.rawValue)),
            ("requirement_id", g.requirementID.map { .string($0) } ?? .null),
            ("citation", g.citation.map { .string($0) } ?? .null),
            ("due_date", date(g.dueDate)),
        ])
    }

    static func outputs(_ e: CredentialEvaluation) -> JSONValue {
        .object([
            ("compliance_status", .string(e.status.rawValue)),
            ("credential", .object([("table", .string(e.credentialKind.table)), ("id", .string(e.credentialID))])),
            ("cme_window_start", date(e.windowStart)),
            ("cme_window_end", date(e.windowEnd)),
            ("next_renewal_date", date(e.nextRenewalDate)),
            ("days_until_due", e.daysUntilDue.map { .int($0) } ?? .null),
            ("renewal_number", e.renewalNumber.map { .int($0) } ?? .null),
            ("parameters", .object(e.parameterValues.map { ($0.0, $0.1.json) })),
            ("attribute_defaults_used", .object(e.defaultsUsed.map { ($0.0, $0.1.json) })),
            ("requirements", .array(e.requirements.map { r in
                .object([
                    ("id", .string(r.id)),
                    ("kind", .string(r.kind.rawValue)),
                    ("outcome", .string(r.outcome.rawValue)),
                    ("earned", decimal(r.earned)),
                    ("required", decimal(r.required)),
                    ("window_start", date(r.windowStart)),
                    ("window_end", date(r.windowEnd)),
                    ("deadline", date(r.deadline)),
                    ("counted_rows", .array(r.countedRows.map { .string($0) })),
                    ("exempted_by", r.exemptedBy.map { .string($0) } ?? .null),
                    ("reason", .string(r.reason)),
                ])
            })),
            ("gaps", .array(e.gaps.map(gap))),
        ])
    }
}

extension CredentialEvaluation {
    /// The `compliance_windows` row (Data Bible columns plus documented extensions).
    public var windowRow: JSONValue {
        .object([
            ("provider_id", .string(providerID)),
            ("license_id", credentialKind == .license ? .string(credentialID) : .null),
            ("cme_window_start", LogDocuments.date(windowStart)),
            ("cme_window_end", LogDocuments.date(windowEnd)),
            ("next_renewal_date", LogDocuments.date(nextRenewalDate)),
            ("days_until_due", daysUntilDue.map { .int($0) } ?? .null),
            ("compliance_status", .string(status.rawValue)),
            ("rule_version_id", .string(ruleVersionID)),
            ("credential_type", .string(credentialKind.rawValue)),
            ("credential_id", .string(credentialID)),
            ("renewal_number", renewalNumber.map { .int($0) } ?? .null),
            ("as_of", .string(asOf.description)),
        ])
    }

    /// The `compliance_gap_analysis` rows.
    public var gapRows: [JSONValue] {
        gaps.map { g in
            .object([
                ("provider_id", .string(providerID)),
                ("gap_type", .string(g.type.rawValue)),
                ("description", .string(g.description)),
                ("severity", .string(g.severity.rawValue)),
                ("rule_version_id", .string(ruleVersionID)),
                ("credential_id", .string(credentialID)),
                ("requirement_id", g.requirementID.map { .string($0) } ?? .null),
                ("code", g.code.map { .string($0) } ?? .null),
                ("citation", g.citation.map { .string($0) } ?? .null),
                ("due_date", LogDocuments.date(g.dueDate)),
            ])
        }
    }

    /// The `rules_execution_log` row. `executed_at` is the as-of date: a file run reads no
    /// clock, so its log stays byte-identical; the database records the write time separately.
    public var logRow: JSONValue {
        .object([
            ("provider_id", .string(providerID)),
            ("rule_version_id", .string(ruleVersionID)),
            ("rule_type", .string(ruleType)),
            ("inputs_json", inputs),
            ("outputs_json", outputs),
            ("inputs_sha256", .string(sha256Hex(inputs.canonicalText))),
            ("outputs_sha256", .string(sha256Hex(outputs.canonicalText))),
            ("executed_at", .string(asOf.description)),
        ])
    }
}
