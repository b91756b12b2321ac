public import RuleBase
public import RuleIR

/// A fact row that was rejected: which table, row and column, and why.
public struct FactError: Sendable, Hashable, Error {
    /// The table, or nil for a problem with the document itself.
    public var table: String?
    /// The row id, when the row has one.
    public var rowID: String?
    /// The offending column.
    public var column: String?
    /// The provider the row belongs to, when known.
    public var providerID: String?
    /// JSON Lines: the 1-based line number.
    public var line: Int?
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(table: String?, rowID: String?, column: String?, providerID: String?, line: Int? = nil, message: String) {
        self.table = table
        self.rowID = rowID
        self.column = column
        self.providerID = providerID
        self.line = line
        self.message = message
    }

    /// The `errors` output row.
    public var json: JSONValue {
        .object([
            ("table", table.map { .string($0) } ?? .null),
            ("row_id", rowID.map { .string($0) } ?? .null),
            ("column", column.map { .string($0) } ?? .null),
            ("provider_id", providerID.map { .string($0) } ?? .null),
            ("line", line.map { .int($0) } ?? .null),
            ("message", .string(message)),
        ])
    }

    /// One line for people: `licenses row lic-1 column expiration_date: not a date`.
    public var summary: String {
        var parts: [String] = []
        if let line { parts.append("line \(line)") }
        if let table { parts.append(table) }
        if let rowID { parts.append("row \(rowID)") }
        if let column { parts.append("column \(column)") }
        return (parts.isEmpty ? "" : parts.joined(separator: " ") + ": ") + message
    }
}

/// Turns a facts document (BRIEF §2: table name → rows) into validated per-provider facts.
///
/// Every row is checked against ``FactSchema``: known columns only, each of its type, coded
/// columns against their vocabulary, provider attributes against their declarations, an issue
/// date on or before the expiration date. A rejected row is reported and kept with its
/// provider (``ProviderFacts/rejected``) so that the verdicts it would have informed say
/// `unknown` rather than vanish.
public enum FactLoader {
    /// The provider id given to rows that carry none (pack tests may omit it).
    public static let defaultProviderID = "test-provider"

    /// The most rows one provider may have across all tables (`Grammar/reference/facts.md`):
    /// past it the provider's rows are rejected, so one runaway provider cannot exhaust memory
    /// or time.
    public static let maximumRowsPerProvider = 50_000

    /// Validates a facts document. Invalid rows are dropped from the tables and reported;
    /// every other row is kept, so one bad row never stops the other providers from being
    /// evaluated.
    /// - Parameters:
    ///   - document: the parsed facts object.
    ///   - line: for JSON Lines input, the line the document came from.
    ///   - defaultProviderID: given to rows without `provider_id` (pack tests); nil makes it an error.
    ///   - canonicalRows: per table, each row's source bytes when already canonical
    ///     (``JSONParser/parseCapturingCanonicalRows(_:)``), reused by the execution log.
    ///   - rowLines: per table, each row's line in the file, when known (a part of a larger document).
    ///   - declaredProviders: for a part of a larger document, the ids its `providers` table
    ///     declares (nil when it has none).
    ///   - rowLimit: the most rows a provider may have (``maximumRowsPerProvider``).
    ///   - attributes: the provider attributes `provider_attributes` rows may hold: the shared table and those the
    ///     loaded packs declare (``AttributeCatalogue/including(_:)``); a key outside it is rejected.
    public static func load(
        _ document: JSONValue, line: Int? = nil, defaultProviderID: String? = nil, canonicalRows: [String: [[UInt8]?]] = [:],
        rowLines: [String: [Int]] = [:], declaredProviders documentProviders: Set<String>? = nil, rowLimit: Int = maximumRowsPerProvider,
        attributes: AttributeCatalogue = .shared
    ) -> (providers: [ProviderFacts], errors: [FactError]) {
        var errors: [FactError] = []
        guard let tables = document.objectMembers else {
            return ([], [FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: line,
                                   message: "facts must be a JSON object of table name to rows")])
        }
        var declaredProviders: Set<String>? = documentProviders
        var lastDeclared: String?  // rows come provider by provider: one lookup per run of them
        var accepted: [(table: String, rows: [FactRow], inIDOrder: Bool)] = []
        var rejected: [RejectedRow] = []
        var scratch = [JSONValue?](repeating: nil, count: FactSchema.widestTable)
        for (tableName, rowsValue) in processingOrder(tables) {
            guard let schema = FactSchema.byName[tableName] else {
                if !FactSchema.ignoredTables.contains(tableName) {
                    let hint = Suggestions.didYouMean(tableName, in: FactSchema.tableNames).map { " (\($0))" } ?? ""
                    errors.append(FactError(table: tableName, rowID: nil, column: nil, providerID: nil, line: line,
                                            message: "unknown table `\(tableName)`\(hint)"))
                }
                continue
            }
            guard let rows = rowsValue.arrayValue else {
                errors.append(FactError(table: tableName, rowID: nil, column: nil, providerID: nil, line: line,
                                        message: "table `\(tableName)` must be an array of rows"))
                continue
            }
            var ids = UniqueIDs()
            var tableRows: [FactRow] = []
            tableRows.reserveCapacity(rows.count)
            let sourceRows = canonicalRows[tableName]
            let lines = rowLines[tableName]
            func reject(_ error: FactError, row: [(String, JSONValue)]?) {
                errors.append(error)
                if error.providerID != nil { rejected.append(RejectedRow(error: error, table: schema, row: row)) }
            }
            for (index, rowValue) in rows.enumerated() {
                let source = sourceRows.flatMap { index < $0.count ? $0[index] : nil }
                let line = lines.flatMap { index < $0.count ? $0[index] : nil } ?? line
                switch validate(rowValue, index: index, schema: schema, line: line, defaultProviderID: defaultProviderID,
                                sourceCanonical: source, attributes: attributes, scratch: &scratch) {
                case .failure(let failure):
                    errors.append(failure.error)
                    if failure.error.providerID != nil { rejected.append(failure) }
                case .success(let row):
                    guard ids.insert(row.id) else {
                        let isProvider = schema === FactSchema.providers
                        reject(FactError(table: tableName, rowID: row.id, column: isProvider ? FactColumns.id : schema.idColumn ?? FactColumns.key,
                                         providerID: row.providerID, line: line,
                                         message: isProvider ? "duplicate provider id"
                                             : schema.idColumn == nil ? "duplicate attribute for this provider" : "duplicate row id"),
                               row: row.columns.objectMembers)
                        continue
                    }
                    if schema === FactSchema.providers {
                        declaredProviders = declaredProviders ?? []
                        declaredProviders?.insert(row.id)
                    } else if let declared = declaredProviders, row.providerID != lastDeclared {
                        guard declared.contains(row.providerID) else {
                            // Not attributed to a provider: the providers table says there is none.
                            errors.append(FactError(table: tableName, rowID: row.id, column: FactColumns.providerID,
                                                    providerID: row.providerID, line: line,
                                                    message: "provider `\(row.providerID)` is not in the providers table"))
                            continue
                        }
                        lastDeclared = row.providerID
                    }
                    tableRows.append(row)
                }
            }
            if !tableRows.isEmpty { accepted.append((tableName, tableRows, ids.allInOrder)) }
        }
        var providers = group(accepted, rejected: rejected)
        for index in providers.indices {
            let count = providers[index].tables.values.reduce(0) { $0 + $1.count }
            guard count > rowLimit else { continue }
            let id = providers[index].providerID
            let error = FactError(
                table: nil, rowID: nil, column: nil, providerID: id, line: line,
                message: "provider `\(id)` has \(count) rows, more than the limit of \(rowLimit) rows per provider; none of its rows was evaluated")
            errors.append(error)
            providers[index].tables = [:]
            providers[index].rejected.append(RejectedRow(error: error, table: nil, row: nil))
        }
        return (providers, errors)
    }

    /// `providers` first, so other tables can be checked against it; then by name.
    private static func processingOrder(_ tables: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var ordered = tables
        if let providers = ordered.firstIndex(where: { $0.0 == FactSchema.providers.name }), providers > 0 {
            ordered.insert(ordered.remove(at: providers), at: 0)
        }
        // Canonical documents list tables in order already.
        let others = ordered.indices.dropFirst(ordered.first?.0 == FactSchema.providers.name ? 1 : 0)
        if !others.dropFirst().allSatisfy({ utf8Precedes(ordered[$0 - 1].0, ordered[$0].0) }) {
            ordered[others].sort { utf8Precedes($0.0, $1.0) }
        }
        return ordered
    }

    /// Rows grouped by provider, providers in id order. A JSON Lines document usually holds
    /// one provider, which needs no per-row lookups. A provider with only rejected rows is
    /// still listed, so that its credentials are reported as undecidable.
    private static func group(_ accepted: [(table: String, rows: [FactRow], inIDOrder: Bool)], rejected: [RejectedRow]) -> [ProviderFacts] {
        let first = accepted.first?.rows.first?.providerID ?? rejected.first?.error.providerID
        guard let first else { return [] }
        if accepted.allSatisfy({ $0.rows.allSatisfy { $0.providerID == first } }), rejected.allSatisfy({ $0.error.providerID == first }) {
            var tables: [String: [FactRow]] = [:]
            var sorted = true
            for (table, rows, inIDOrder) in accepted {
                tables[table] = rows
                sorted = sorted && inIDOrder
            }
            var facts = ProviderFacts(providerID: first, tables: tables, sortedByID: sorted)
            facts.rejected = rejected
            return [facts]
        }
        var rowsByProvider: [String: [String: [FactRow]]] = [:]
        for (table, rows, _) in accepted {
            for row in rows { rowsByProvider[row.providerID, default: [:]][table, default: []].append(row) }
        }
        var rejectedByProvider: [String: [RejectedRow]] = [:]
        for row in rejected {
            guard let id = row.error.providerID else { continue }
            rejectedByProvider[id, default: []].append(row)
            if rowsByProvider[id] == nil { rowsByProvider[id] = [:] }
        }
        return rowsByProvider.keys.sorted { utf8Precedes($0, $1) }.map { id in
            var facts = ProviderFacts(providerID: id, tables: rowsByProvider[id] ?? [:])
            facts.rejected = rejectedByProvider[id] ?? []
            return facts
        }
    }

    /// Row ids seen in one table. Ids usually arrive in increasing order, where no repeat is
    /// possible and nothing needs hashing; the set is built only once they do not.
    private struct UniqueIDs {
        private var last: String?
        private var inOrder: [String] = []
        private var seen: Set<String>?

        /// Whether every id so far arrived in increasing order.
        var allInOrder: Bool { seen == nil }

        /// Records `id`; false when it was seen before.
        mutating func insert(_ id: String) -> Bool {
            if seen == nil {
                if let last, !utf8Precedes(last, id) {
                    seen = Set(inOrder)
                    inOrder = []
                } else {
                    last = id
                    inOrder.append(id)
                    return true
                }
            }
            return seen?.insert(id).inserted ?? true
        }
    }

    /// - Parameters:
    ///   - sourceCanonical: the row's source bytes when canonical; kept only when
    ///     validation leaves the row as written (no defaulted `provider_id`).
    ///   - scratch: reused storage for the row's value of each schema column.
    private static func validate(
        _ value: JSONValue, index: Int, schema: FactTable, line: Int?, defaultProviderID: String?, sourceCanonical: [UInt8]?,
        attributes: AttributeCatalogue, scratch: inout [JSONValue?]
    ) -> Result<FactRow, RejectedRow> {
        guard case .object(let members) = value else {
            return .failure(RejectedRow(
                error: FactError(table: schema.name, rowID: "#\(index + 1)", column: nil, providerID: nil, line: line,
                                 message: "row \(index + 1) is not an object"),
                table: schema, row: nil))
        }
        // One pass over the members puts each in its schema column's place.
        for position in schema.columns.indices { scratch[position] = nil }
        var next = 0
        var unknownColumn: String?
        for (key, column) in members {
            // Members and schema columns are both usually in key order: try the next column first.
            if next < schema.columns.count, schema.columns[next].name == key {
                scratch[next] = column
                next += 1
            } else if let position = schema.columns.firstIndex(where: { $0.name == key }) {
                scratch[position] = column
                next = position + 1
            } else if unknownColumn == nil {
                unknownColumn = key
            }
        }
        var columns = members
        let rawID = scratch[schema.idPosition]?.stringValue
        var providerID = schema.ownedByProvider ? scratch[schema.providerIDPosition]?.stringValue : rawID
        if schema.ownedByProvider, providerID == nil, scratch[schema.providerIDPosition]?.isNull ?? true, let fallback = defaultProviderID {
            providerID = fallback
            columns.append((FactColumns.providerID, .string(fallback)))
            scratch[schema.providerIDPosition] = .string(fallback)
        }
        let attributeKey = schema.keyPosition.flatMap { scratch[$0]?.stringValue }
        let rowLabel: String
        if schema.idColumn == nil {
            rowLabel = "\(providerID ?? "?")/\(attributeKey ?? "#\(index + 1)")"
        } else {
            rowLabel = rawID ?? "#\(index + 1)"
        }
        func failure(_ column: String?, _ message: String) -> Result<FactRow, RejectedRow> {
            .failure(RejectedRow(
                error: FactError(table: schema.name, rowID: rowLabel, column: column, providerID: providerID, line: line, message: message),
                table: schema, row: members))
        }
        if let unknownColumn { return failure(unknownColumn, FactSchema.unknownColumnProblem(unknownColumn, in: schema)) }
        for position in schema.checkOrder {
            let column = schema.columns[position]
            guard let v = scratch[position], !v.isNull else {
                if column.required { return failure(column.name, "missing required column `\(column.name)`") }
                continue
            }
            if let message = column.problem(with: v, attributeKey: attributeKey, attributes: attributes) { return failure(column.name, message) }
        }
        if case .number(let text)? = scratch[schema.idPosition] {
            return failure(FactColumns.id, "id must be a string, found the number \(text)")
        }
        if let attributeKey, schema === FactSchema.providerAttributes, let message = FactSchema.attributeKeyProblem(attributeKey, attributes: attributes) {
            return failure(FactColumns.key, message)
        }
        if let position = schema.creditsPosition, let credits = scratch[position].flatMap(FactSchema.decimal), credits < .zero {
            return failure(FactColumns.creditsEarned, "credits_earned is negative (\(credits))")
        }
        if let issue = schema.issuePosition, let expiration = schema.expirationPosition,
            let message = FactSchema.dateOrderProblem(
                issue: scratch[issue]?.stringValue.flatMap(CalendarDate.init(iso:)),
                expiration: scratch[expiration]?.stringValue.flatMap(CalendarDate.init(iso:)))
        {
            return failure(FactColumns.issueDate, message)
        }
        let unchanged = columns.count == members.count
        return .success(FactRow(table: schema.name, id: rowLabel, providerID: providerID ?? "", columns: .object(columns),
                                sourceCanonical: unchanged ? sourceCanonical : nil))
    }
}

/// A row that validation rejected, kept with its provider: what was wrong, and as much of the
/// row as was written (to tell which rule versions it would have been evaluated against).
public struct RejectedRow: Sendable, Error {
    /// The problem, with table, row id, column and line.
    public let error: FactError
    /// The row's table (nil for a problem with the provider as a whole).
    let table: FactTable?
    /// The row's members as written, when it was an object.
    let row: [(String, JSONValue)]?

    /// A string column of the row as written.
    func string(_ column: String) -> String? { row?.first { $0.0 == column }?.1.stringValue }
}
