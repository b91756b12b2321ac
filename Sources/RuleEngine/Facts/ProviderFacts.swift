public import RuleBase
import RuleIR

/// One fact row, validated: its table, id, provider and columns as written.
///
/// A class, so that the many places a row is passed along (per table, per credential, per
/// requirement) share it with one reference count instead of copying five.
public final class FactRow: Sendable {
    /// The table it came from (`licenses`, `cme_events`, …).
    public let table: String
    /// The row's id (for `provider_attributes`, `provider_id/key`).
    public let id: String
    /// The provider it belongs to.
    public let providerID: String
    /// The columns as written.
    public let columns: JSONValue
    /// The row's canonical JSON, as the execution log's inputs hold it: the source text when
    /// that already was canonical (reused, not rebuilt), otherwise serialised once here.
    public let canonicalBytes: [UInt8]

    /// Creates a row.
    /// - Parameter sourceCanonical: the row's source bytes, when they are known to be canonical.
    public init(table: String, id: String, providerID: String, columns: JSONValue, sourceCanonical: [UInt8]? = nil) {
        self.table = table
        self.id = id
        self.providerID = providerID
        self.columns = columns
        self.canonicalBytes = sourceCanonical ?? columns.canonicalBytes
    }

    /// A string column, or nil when absent or null.
    public func string(_ column: String) -> String? { columns[column]?.stringValue }

    /// A date column, or nil when absent, null or not a date (validation has rejected the latter).
    public func date(_ column: String) -> CalendarDate? { string(column).flatMap { CalendarDate(iso: $0) } }

    /// A decimal column given as a JSON number or a decimal string.
    public func decimal(_ column: String) -> ExactDecimal? { columns[column].flatMap(Self.decimal) }

    /// A decimal given as a JSON number or a decimal string.
    static func decimal(_ value: JSONValue) -> ExactDecimal? { FactSchema.decimal(value) }
}

/// Every fact of one provider, rows sorted by id within each table so that evaluation never
/// depends on the order rows arrived in.
public struct ProviderFacts: Sendable {
    /// The provider's id.
    public var providerID: String
    /// Rows by table name; each array sorted by row id.
    public var tables: [String: [FactRow]]
    /// The provider's rows that validation rejected: the verdicts they would have informed
    /// are `unknown` with a `missing_data` gap naming them.
    public var rejected: [RejectedRow] = []

    /// Creates provider facts; rows are sorted here.
    public init(providerID: String, tables: [String: [FactRow]]) {
        self.init(providerID: providerID, tables: tables, sortedByID: false)
    }

    /// - Parameter sortedByID: the loader saw every table's ids arrive in order; nothing to check.
    init(providerID: String, tables: [String: [FactRow]], sortedByID: Bool) {
        self.providerID = providerID
        if sortedByID {
            self.tables = tables
            return
        }
        self.tables = tables.mapValues { rows in
            // Usually already in id order (generated and exported facts are): check before sorting.
            let inOrder = zip(rows, rows.dropFirst()).allSatisfy { utf8Precedes($0.id, $1.id) }
            return inOrder ? rows : rows.sorted { utf8Precedes($0.id, $1.id) }
        }
    }

    /// The rows of a table (empty when none).
    public func rows(_ table: String) -> [FactRow] { tables[table] ?? [] }

    /// The provider's attributes by key (later rows with the same key are rejected by validation).
    public var attributes: [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for row in rows(FactSchema.providerAttributes.name) {
            if let key = row.string(FactColumns.key), let value = row.columns[FactColumns.value] { result[key] = value }
        }
        return result
    }
}
