/// How a facts-file column becomes a database column.
enum ImportColumnKind: Equatable {
    case text, date, timestamp, numeric, boolean, jsonb
    /// A file id of another row, stored as that row's uuid.
    case reference
    /// A protected value, stored as ciphertext; `label` binds it to its column, `isDate` checks it first.
    case encrypted(label: String, isDate: Bool)
    /// The keyed hash of a protected value, for lookup.
    case blindIndex(label: String)
}

struct ImportColumn {
    /// The key in the facts file.
    let json: String
    /// The column in the database.
    let db: String
    let kind: ImportColumnKind
    /// For a column with a default: the SQL a new row gets when the file leaves it out (an
    /// existing row then keeps its value).
    var defaultSQL: String? = nil
}

/// One table a facts file may load, in the order the upsert runs (referenced tables first).
struct ImportTable {
    enum Identity { case fileID, providerAndKey }

    let name: String
    let identity: Identity
    let columns: [ImportColumn]
    /// Whether rows carry `encryption_key_id`.
    let encrypted: Bool
    /// Keys a row may have (checked for every row, so computed once).
    let acceptedKeys: Set<String>

    init(name: String, identity: Identity, columns: [ImportColumn], encrypted: Bool) {
        self.name = name
        self.identity = identity
        self.columns = columns
        self.encrypted = encrypted
        acceptedKeys = Set(columns.map(\.json) + (identity == .fileID ? ["id"] : []))
    }

    var stage: String { "stage_" + name }

    var columnNames: [String] {
        (identity == .fileID ? ["id", "external_id"] : ["id"]) + columns.map(\.db) + (encrypted ? ["encryption_key_id"] : [])
    }

    var copyColumns: [String] { columnNames + ["source_line", "source_index"] }

    /// The facts-file name of a database column (the blind index reports as its source).
    func jsonName(forColumn column: String) -> String {
        if column == "external_id" { return "id" }
        return columns.first { $0.db == column }?.json ?? column
    }

    /// The column a CHECK constraint named `<table>_<column>_check` guards.
    func column(forConstraint constraint: String) -> String? {
        let prefix = name + "_"
        guard constraint.hasPrefix(prefix), constraint.hasSuffix("_check") else { return nil }
        let middle = String(constraint.dropFirst(prefix.count).dropLast("_check".count))
        return columnNames.contains(middle) ? middle : nil
    }

    /// Columns with a default when the file leaves them out.
    var defaulted: [ImportColumn] { columns.filter { $0.defaultSQL != nil } }

    /// The update half of the upsert: rows whose values differ, one statement (so each
    /// statement trigger runs once). A defaulted column the file left out keeps its value.
    var updateSQL: String {
        let defaults = Dictionary(uniqueKeysWithValues: defaulted.map { ($0.db, $0) })
        let updatable = columnNames.filter { $0 != "id" }
        func incoming(_ column: String) -> String {
            defaults[column] == nil ? "s.\(column)" : "coalesce(s.\(column), t.\(column))"
        }
        let sets = (updatable.map { "\($0) = \(incoming($0))" } + ["updated_at = now()"]).joined(separator: ", ")
        let current = updatable.map { "t.\($0)" }.joined(separator: ", ")
        let next = updatable.map(incoming).joined(separator: ", ")
        return "UPDATE \(name) AS t SET \(sets) FROM \(stage) AS s WHERE t.id = s.id AND (\(current)) IS DISTINCT FROM (\(next))"
    }

    /// The insert half: rows whose id is new.
    var insertSQL: String {
        let defaults = Dictionary(uniqueKeysWithValues: defaulted.map { ($0.db, $0.defaultSQL!) })
        let names = columnNames
        let values = names.map { column in defaults[column].map { "coalesce(s.\(column), \($0))" } ?? "s.\(column)" }
        return """
            INSERT INTO \(name) (\(names.joined(separator: ", "))) SELECT \(values.joined(separator: ", ")) FROM \(stage) AS s
            WHERE NOT EXISTS (SELECT 1 FROM \(name) AS t WHERE t.id = s.id) ORDER BY s.id
            """
    }
}

/// The tables `credrules db import` loads: the fact tables the engine reads (Data Bible v2 and
/// the documented extensions), plus `organizations`, `documents` and `provider_identifiers`.
enum ImportTables {
    static func column(_ name: String, _ kind: ImportColumnKind, default defaultSQL: String? = nil) -> ImportColumn {
        ImportColumn(json: name, db: name, kind: kind, defaultSQL: defaultSQL)
    }

    static let all: [ImportTable] = [
        ImportTable(name: "organizations", identity: .fileID, columns: [
            column("name", .text), column("timezone", .text),
        ], encrypted: false),
        ImportTable(name: "providers", identity: .fileID, columns: [
            column("org_id", .reference), column("first_name", .text), column("last_name", .text),
            column("npi", .encrypted(label: "providers.npi", isDate: false)),
            ImportColumn(json: "npi", db: "npi_blind_index", kind: .blindIndex(label: "npi")),
            column("email", .encrypted(label: "providers.email", isDate: false)),
            column("phone", .encrypted(label: "providers.phone", isDate: false)),
            column("date_of_birth", .encrypted(label: "providers.date_of_birth", isDate: true)),
            column("address_json", .jsonb), column("is_synthetic", .boolean, default: "false"),
        ], encrypted: true),
        ImportTable(name: "documents", identity: .fileID, columns: [
            column("provider_id", .reference), column("s3_uri", .text), column("file_type", .text),
            column("sha256_hash", .text), column("uploaded_at", .timestamp, default: "now()"), column("uploaded_by", .text),
        ], encrypted: false),
        ImportTable(name: "provider_identifiers", identity: .fileID, columns: [
            column("provider_id", .reference), column("id_type", .text),
            column("id_value", .encrypted(label: "provider_identifiers.id_value", isDate: false)),
            ImportColumn(json: "id_value", db: "id_value_blind_index", kind: .blindIndex(label: "identifier")),
            column("source", .text, default: "'parsed'"),
        ], encrypted: true),
        ImportTable(name: "provider_states", identity: .fileID, columns: [
            column("provider_id", .reference), column("state", .text),
        ], encrypted: false),
        ImportTable(name: "provider_attributes", identity: .providerAndKey, columns: [
            column("provider_id", .reference), column("key", .text), column("value", .jsonb),
        ], encrypted: false),
        ImportTable(name: "licenses", identity: .fileID, columns: [
            column("provider_id", .reference), column("state", .text), column("license_number", .text),
            column("license_type", .text), column("status", .text), column("issue_date", .date),
            column("expiration_date", .date), column("credential_version_id", .reference),
            column("extracted_from_doc_id", .reference),
        ], encrypted: false),
        ImportTable(name: "dea_registrations", identity: .fileID, columns: [
            column("provider_id", .reference), column("registration_number", .text), column("state", .text),
            column("schedules", .jsonb), column("issue_date", .date), column("expiration_date", .date),
            column("extracted_from_doc_id", .reference),
        ], encrypted: false),
        ImportTable(name: "csr_certificates", identity: .fileID, columns: [
            column("provider_id", .reference), column("state", .text), column("csr_number", .text),
            column("issue_date", .date), column("expiration_date", .date), column("extracted_from_doc_id", .reference),
        ], encrypted: false),
        ImportTable(name: "board_certifications", identity: .fileID, columns: [
            column("provider_id", .reference), column("specialty", .text), column("board_name", .text),
            column("issue_date", .date), column("expiration_date", .date), column("extracted_from_doc_id", .reference),
        ], encrypted: false),
        ImportTable(name: "cme_events", identity: .fileID, columns: [
            column("provider_id", .reference), column("title", .text), column("category", .text),
            column("credit_type", .text), column("credits_earned", .numeric), column("completion_date", .date),
            column("expiration_date", .date), column("extracted_from_doc_id", .reference),
        ], encrypted: false),
    ]

    static let byName: [String: ImportTable] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// Tables a facts file may carry that an import does not load: derived by triggers
    /// (lineage, versions) or owned by the API.
    static let derivedOrIgnored: Set<String> = [
        "provider_roles", "provider_settings", "document_metadata", "document_lineage", "credential_versions",
    ]
}
