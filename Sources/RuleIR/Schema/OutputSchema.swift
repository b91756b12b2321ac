/// The tables an evaluation writes (the Data Bible's compliance tables with the documented
/// extensions, `Grammar/reference/outputs.md`): their columns, in canonical (sorted) order, and
/// the vocabularies of their coded columns. The engine writes rows with exactly these keys; a
/// test holds it to them, and the store's migrations are checked against the same list.
public enum OutputSchema {
    /// An output column.
    public struct Column: Sendable {
        /// The column name.
        public let name: String
        /// Its type: `string`, `date`, `int` or `json`.
        public let type: String
        /// Whether it may be null.
        public let nullable: Bool
        /// The codes of a coded column.
        public let vocabulary: [String]?

        init(_ name: String, _ type: String, nullable: Bool = false, vocabulary: [String]? = nil) {
            self.name = name
            self.type = type
            self.nullable = nullable
            self.vocabulary = vocabulary
        }
    }

    /// An output table.
    public struct Table: Sendable {
        /// The table name.
        public let name: String
        /// Its columns, sorted by name.
        public let columns: [Column]

        /// The column names, sorted.
        public var columnNames: [String] { columns.map(\.name) }
    }

    /// `compliance_windows`: one row per evaluated credential and rule version (or per credential
    /// no rule version covers, with `rule_version_id` null and status `unknown`).
    public static let complianceWindows = Table(name: "compliance_windows", columns: [
        Column("as_of", "date"),
        Column("cme_window_end", "date", nullable: true),
        Column("cme_window_start", "date", nullable: true),
        Column("compliance_status", "string", vocabulary: Vocabulary.complianceStatuses),
        Column("credential_id", "string"),
        Column("credential_type", "string", vocabulary: CredentialKind.allCases.map(\.rawValue)),
        Column("days_until_due", "int", nullable: true),
        Column("license_id", "string", nullable: true),
        Column("next_renewal_date", "date", nullable: true),
        Column("provider_id", "string"),
        Column("renewal_number", "int", nullable: true),
        Column("rule_version_id", "string", nullable: true),
    ])

    /// `compliance_gap_analysis`: one row per gap.
    public static let complianceGapAnalysis = Table(name: "compliance_gap_analysis", columns: [
        Column("citation", "string", nullable: true),
        Column("code", "string", nullable: true),
        Column("credential_id", "string"),
        Column("description", "string"),
        Column("due_date", "date", nullable: true),
        Column("gap_type", "string", vocabulary: GapType.allCases.map(\.rawValue)),
        Column("provider_id", "string"),
        Column("requirement_id", "string", nullable: true),
        Column("rule_version_id", "string", nullable: true),
        Column("severity", "string", vocabulary: GapSeverity.allCases.map(\.rawValue)),
    ])

    /// `rules_execution_log`: one row per evaluation of a rule version for a credential.
    public static let rulesExecutionLog = Table(name: "rules_execution_log", columns: [
        Column("executed_at", "date"),
        Column("inputs_json", "json"),
        Column("inputs_sha256", "string"),
        Column("outputs_json", "json"),
        Column("outputs_sha256", "string"),
        Column("provider_id", "string"),
        Column("rule_type", "string"),
        Column("rule_version_id", "string"),
    ])

    /// Every output table.
    public static let tables = [complianceWindows, complianceGapAnalysis, rulesExecutionLog]
}
