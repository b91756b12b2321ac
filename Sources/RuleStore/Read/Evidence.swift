public import RuleBase

/// One document a fact row came from, as stored: the `documents` row and how the fact row links
/// to it (its current `extracted_from_doc_id`, its `document_lineage` rows, or both).
public struct StoredFactSource: Sendable, Hashable {
    /// The fact row's table and id (the file id, as in the facts document).
    public let table: String
    public let rowID: String
    /// The document's file id, or its uuid when it has none.
    public let documentID: String
    public let s3URI: String?
    public let sha256: String?
    public let fileType: String?
    /// Whether the row's `extracted_from_doc_id` is this document (its current source).
    public let isCurrent: Bool
    /// The `document_lineage.column_name`s recorded for the row and this document (`*`: the
    /// whole row), sorted; empty when no lineage row links them.
    public let lineageColumns: [String]
}

/// The tables whose rows can come from a document (`extracted_from_doc_id`, and the tables
/// `document_lineage.table_name` allows).
enum DocumentSourcedTables {
    static let names = ["licenses", "dea_registrations", "csr_certificates", "board_certifications", "cme_events"]

    /// The fact rows of these tables that belong to provider `$1`, keyed as the facts read keys
    /// them (file id, else uuid text). Built from constants of this file only.
    static let factsCTE: String = names.map { name in
        "SELECT '\(name)'::text AS table_name, coalesce(t.external_id, t.id::text) AS row_key, t.id, t.extracted_from_doc_id "
            + "FROM \(name) t WHERE t.provider_id = $1::uuid"
    }.joined(separator: "\nUNION ALL ")
}

/// Whether `text` is a uuid in its text form (any case), so it may be cast without an error that
/// would echo it.
func isUUIDText(_ text: String) -> Bool {
    let utf8 = Array(text.utf8)
    guard utf8.count == 36 else { return false }
    for (index, byte) in utf8.enumerated() {
        if [8, 13, 18, 23].contains(index) {
            guard byte == UInt8(ascii: "-") else { return false }
        } else {
            let isHex = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
            guard isHex else { return false }
        }
    }
    return true
}

extension Connection {
    /// Runs `body` in one read-only transaction with one snapshot (repeatable read), so every
    /// statement in it sees the same database and none of them can write.
    public func readOnlySnapshot<T>(_ body: () throws -> T) throws -> T {
        try transaction {
            try execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return try body()
        }
    }

    /// The provider whose file id (`external_id`) or uuid is `key`; nil when there is none. A
    /// file id wins over a uuid that happens to be another provider's. `key` is only ever a
    /// parameter, and only cast to uuid when it has a uuid's form.
    public func provider(matching key: String) throws(StoreError) -> ProviderKey? {
        let result = try execute("""
            SELECT id::text, coalesce(external_id, id::text) AS external_id FROM providers
            WHERE external_id = $1 OR id = $2::uuid
            ORDER BY (external_id IS NOT DISTINCT FROM $1) DESC LIMIT 1
            """, [.text(key), isUUIDText(key) ? .text(key) : nil])
        guard result.count == 1 else { return nil }
        return ProviderKey(id: try result.string(0, "id") ?? "", externalID: try result.string(0, "external_id") ?? "")
    }

    /// The as-of date of the provider's latest verdicts on record (`compliance_windows.as_of`).
    public func latestVerdictDate(providerID: String) throws(StoreError) -> CalendarDate? {
        try execute("SELECT max(as_of)::text FROM compliance_windows WHERE provider_id = $1::uuid", [.text(providerID)])
            .scalar.flatMap { CalendarDate(iso: $0) }
    }

    /// The as-of date of the latest completed nightly run, if any.
    public func latestCompletedRunDate() throws(StoreError) -> CalendarDate? {
        try execute("SELECT max(as_of)::text FROM evaluation_runs WHERE status = 'completed'").scalar.flatMap { CalendarDate(iso: $0) }
    }

    /// The documents the given fact rows of provider `providerID` (uuid) came from: through each
    /// row's `extracted_from_doc_id` and through `document_lineage` (table, row id → document).
    /// In the order of `rows`, then the current document first, then by lineage, newest first.
    /// A row with no document, or of a table no document feeds, has no entry.
    public func factSources(providerID: String, rows: [(table: String, id: String)]) throws(StoreError) -> [StoredFactSource] {
        let wanted = rows.filter { DocumentSourcedTables.names.contains($0.table) }
        guard !wanted.isEmpty else { return [] }
        let result = try execute("""
            WITH wanted AS (
                SELECT * FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS w(table_name, row_key, position)
            ), facts AS (
                \(DocumentSourcedTables.factsCTE)
            ), links AS (
                SELECT f.table_name, f.row_key, f.extracted_from_doc_id AS document_id, true AS is_current,
                       NULL::text AS column_name, NULL::timestamptz AS recorded_at
                FROM facts f WHERE f.extracted_from_doc_id IS NOT NULL
                UNION ALL
                SELECT f.table_name, f.row_key, l.document_id, false, l.column_name, l.created_at
                FROM facts f JOIN document_lineage l ON l.table_name = f.table_name AND l.row_id = f.id
            )
            SELECT min(w.position) AS position, w.table_name, w.row_key, coalesce(d.external_id, d.id::text) AS document_id,
                   d.s3_uri, d.sha256_hash, d.file_type, bool_or(k.is_current) AS is_current,
                   coalesce(string_agg(DISTINCT k.column_name, ',' ORDER BY k.column_name), '') AS lineage_columns,
                   max(k.recorded_at) AS recorded_at
            FROM wanted w
            JOIN links k ON k.table_name = w.table_name AND k.row_key = w.row_key
            JOIN documents d ON d.id = k.document_id
            GROUP BY w.table_name, w.row_key, d.id, d.external_id, d.s3_uri, d.sha256_hash, d.file_type
            ORDER BY 1, bool_or(k.is_current) DESC, max(k.recorded_at) DESC NULLS LAST, d.id
            """, [.text(providerID), .text(Self.textArray(wanted.map(\.table))), .text(Self.textArray(wanted.map(\.id)))])
        var sources: [StoredFactSource] = []
        for row in 0..<result.count {
            let columns = try result.string(row, "lineage_columns") ?? ""
            sources.append(StoredFactSource(
                table: try result.string(row, "table_name") ?? "", rowID: try result.string(row, "row_key") ?? "",
                documentID: try result.string(row, "document_id") ?? "", s3URI: try result.string(row, "s3_uri"),
                sha256: try result.string(row, "sha256_hash"), fileType: try result.string(row, "file_type"),
                isCurrent: try result.bool(row, "is_current") ?? false,
                lineageColumns: columns.isEmpty ? [] : columns.split(separator: ",").map(String.init)))
        }
        return sources
    }

    /// The next page of every provider after `after` (a uuid from the previous page), by id.
    public func providerKeys(after: String?, limit: Int) throws(StoreError) -> [ProviderKey] {
        let result = try execute("""
            SELECT id::text, coalesce(external_id, id::text) AS external_id FROM providers
            WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2
            """, [after.map { .text($0) }, .int(limit)])
        var keys: [ProviderKey] = []
        for row in 0..<result.count {
            keys.append(ProviderKey(id: try result.string(row, "id") ?? "", externalID: try result.string(row, "external_id") ?? ""))
        }
        return keys
    }

    /// A PostgreSQL text-array literal of `values`, each quoted and escaped, for a `$n::text[]`
    /// parameter (the values stay data: the literal is parsed by the array input function).
    static func textArray(_ values: [String]) -> String {
        "{" + values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}

/// How a command names a stored rule version.
public enum RuleVersionReference: Sendable, Hashable, CustomStringConvertible {
    /// `rule_versions.id`.
    case id(String)
    /// The engine id `pack@version` (the pack's own version): the latest row published under it.
    case engineID(pack: String, version: Int)
    /// `pack#N`: the pack's N-th published version (`rule_versions.version_number`), as
    /// `credrules publish` reports it.
    case versionNumber(pack: String, number: Int)

    /// Reads `uuid`, `pack@version` or `pack#N`; nil for anything else.
    public init?(_ text: String) {
        if isUUIDText(text) {
            self = .id(text.lowercased())
        } else if let at = text.lastIndex(of: "@"), let version = Int(text[text.index(after: at)...]), version > 0, at != text.startIndex {
            self = .engineID(pack: String(text[..<at]), version: version)
        } else if let hash = text.lastIndex(of: "#"), let number = Int(text[text.index(after: hash)...]), number > 0, hash != text.startIndex {
            self = .versionNumber(pack: String(text[..<hash]), number: number)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .id(let id): id
        case .engineID(let pack, let version): "\(pack)@\(version)"
        case .versionNumber(let pack, let number): "\(pack)#\(number)"
        }
    }
}

extension Connection {
    /// The stored rule version a reference names, or nil when the database has none.
    public func ruleVersion(_ reference: RuleVersionReference) throws(StoreError) -> PublishedRuleVersion? {
        let columns = "id::text, rule_type, version_number, rule_canonical, rule_sha256"
        let result: QueryResult
        switch reference {
        case .id(let id):
            result = try execute("SELECT \(columns) FROM rule_versions WHERE id = $1::uuid", [.text(id)])
        case .engineID(let pack, let version):
            result = try execute("""
                SELECT \(columns) FROM rule_versions WHERE rule_type = $1 AND rule_json->>'version' = $2
                ORDER BY version_number DESC LIMIT 1
                """, [.text(pack), .text(String(version))])
        case .versionNumber(let pack, let number):
            result = try execute("SELECT \(columns) FROM rule_versions WHERE rule_type = $1 AND version_number = $2",
                                 [.text(pack), .int(number)])
        }
        guard result.count == 1 else { return nil }
        return PublishedRuleVersion(
            id: try result.string(0, "id") ?? "", ruleType: try result.string(0, "rule_type") ?? "",
            versionNumber: try result.int(0, "version_number") ?? 0,
            canonicalBytes: Array((try result.string(0, "rule_canonical") ?? "").utf8), sha256: try result.string(0, "rule_sha256") ?? "")
    }
}

/// A verdict on record: one `compliance_windows` row as the last evaluation wrote it.
public struct StoredVerdict: Sendable, Hashable {
    /// The credential's file id.
    public let credentialID: String
    /// `rule_versions.id`, nil for a credential no rule version covers.
    public let ruleVersionID: String?
    public let status: String
    public let asOf: CalendarDate?
    public let evaluationRunID: String?
}

extension Connection {
    /// The provider's current verdicts (`compliance_windows`), by credential and rule version.
    public func verdictsOnRecord(providerID: String) throws(StoreError) -> [StoredVerdict] {
        let result = try execute("""
            SELECT credential_id, rule_version_id::text, compliance_status, as_of::text, evaluation_run_id::text
            FROM compliance_windows WHERE provider_id = $1::uuid ORDER BY credential_id, rule_version_id
            """, [.text(providerID)])
        var verdicts: [StoredVerdict] = []
        for row in 0..<result.count {
            verdicts.append(StoredVerdict(
                credentialID: try result.string(row, "credential_id") ?? "", ruleVersionID: try result.string(row, "rule_version_id"),
                status: try result.string(row, "compliance_status") ?? "", asOf: try result.string(row, "as_of").flatMap { CalendarDate(iso: $0) },
                evaluationRunID: try result.string(row, "evaluation_run_id")))
        }
        return verdicts
    }
}
