import RuleBase

/// The fact tables the engine reads and the columns each must or may have (Data Bible v2 plus
/// the documented extensions of BRIEF §2).
enum FactSchema {
    enum ColumnType { case string, date, decimal, stringArray, any, bool }

    /// A class: tables are looked up per document and passed per row, and a struct of this
    /// many arrays would be retained field by field each time.
    final class Table: Sendable {
        let name: String
        let required: [(String, ColumnType)]
        let optional: [(String, ColumnType)]
        /// Whether rows carry `provider_id`; `providers` rows are the providers themselves.
        let ownedByProvider: Bool
        /// The id column; `provider_attributes` rows are identified by provider and key.
        let idColumn: String?

        struct Column {
            let name: String
            let type: ColumnType
            let required: Bool
        }

        /// Every column sorted by name (the order canonical rows list them in), so a row's
        /// members can be matched in one pass.
        let columns: [Column]
        /// Positions in ``columns`` in the order problems are reported: required columns as
        /// declared, then optional ones.
        let checkOrder: [Int]
        let idPosition: Int
        let providerIDPosition: Int
        let keyPosition: Int?
        let creditsPosition: Int?

        init(name: String, required: [(String, ColumnType)], optional: [(String, ColumnType)],
             ownedByProvider: Bool = true, idColumn: String? = "id") {
            self.name = name
            self.required = required
            self.optional = optional
            self.ownedByProvider = ownedByProvider
            self.idColumn = idColumn
            let declared = required.map { Column(name: $0.0, type: $0.1, required: true) }
                + optional.map { Column(name: $0.0, type: $0.1, required: false) }
            let columns = declared.sorted { utf8Precedes($0.name, $1.name) }
            func position(_ column: String) -> Int? { columns.firstIndex { $0.name == column } }
            self.columns = columns
            checkOrder = declared.compactMap { position($0.name) }
            idPosition = position("id") ?? columns.count
            providerIDPosition = position(ownedByProvider ? "provider_id" : "id") ?? columns.count
            keyPosition = position("key")
            creditsPosition = name == "cme_events" ? position("credits_earned") : nil
            precondition(idPosition < columns.count && providerIDPosition < columns.count, "every fact table has an id column")
        }
    }

    static let tables: [Table] = [
        Table(
            name: "providers", required: [("id", .string)],
            optional: [("org_id", .string), ("first_name", .string), ("last_name", .string), ("date_of_birth", .date),
                       ("is_synthetic", .bool)],
            ownedByProvider: false),
        Table(name: "provider_states", required: [("id", .string), ("provider_id", .string), ("state", .string)], optional: []),
        Table(
            name: "licenses",
            required: [("id", .string), ("provider_id", .string), ("state", .string), ("status", .string),
                       ("expiration_date", .date)],
            optional: [("license_number", .string), ("license_type", .string), ("issue_date", .date),
                       ("credential_version_id", .string), ("extracted_from_doc_id", .string)]),
        Table(
            name: "dea_registrations",
            required: [("id", .string), ("provider_id", .string), ("expiration_date", .date)],
            optional: [("registration_number", .string), ("state", .string), ("schedules", .any), ("issue_date", .date),
                       ("extracted_from_doc_id", .string)]),
        Table(
            name: "csr_certificates",
            required: [("id", .string), ("provider_id", .string), ("state", .string), ("expiration_date", .date)],
            optional: [("csr_number", .string), ("issue_date", .date), ("extracted_from_doc_id", .string)]),
        Table(
            name: "board_certifications",
            required: [("id", .string), ("provider_id", .string), ("specialty", .string)],
            optional: [("board_name", .string), ("expiration_date", .date), ("issue_date", .date),
                       ("extracted_from_doc_id", .string)]),
        Table(
            name: "cme_events",
            required: [("id", .string), ("provider_id", .string), ("category", .string), ("credits_earned", .decimal),
                       ("completion_date", .date)],
            optional: [("title", .string), ("credit_type", .string), ("expiration_date", .date),
                       ("extracted_from_doc_id", .string)]),
        Table(
            name: "provider_attributes", required: [("provider_id", .string), ("key", .string), ("value", .any)],
            optional: [("id", .string)], idColumn: nil),
    ]

    /// The most columns any table has.
    static let widestTable = tables.map(\.columns.count).max() ?? 0

    static let byName: [String: Table] = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })

    /// Tables of the Data Bible the engine does not read; accepted and ignored.
    static let ignoredTables: Set<String> = [
        "provider_identifiers", "provider_roles", "provider_settings", "organizations", "documents",
        "document_metadata", "document_lineage", "credential_versions",
    ]
}
