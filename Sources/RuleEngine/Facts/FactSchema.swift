/// The fact tables the engine reads and the columns each must or may have (Data Bible v2 plus
/// the documented extensions of BRIEF §2).
enum FactSchema {
    enum ColumnType { case string, date, decimal, stringArray, any, bool }

    struct Table {
        let name: String
        let required: [(String, ColumnType)]
        let optional: [(String, ColumnType)]
        /// Whether rows carry `provider_id`; `providers` rows are the providers themselves.
        var ownedByProvider = true
        /// The id column; `provider_attributes` rows are identified by provider and key.
        var idColumn: String? = "id"
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

    static let byName: [String: Table] = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })

    /// Tables of the Data Bible the engine does not read; accepted and ignored.
    static let ignoredTables: Set<String> = [
        "provider_identifiers", "provider_roles", "provider_settings", "organizations", "documents",
        "document_metadata", "document_lineage", "credential_versions",
    ]
}
