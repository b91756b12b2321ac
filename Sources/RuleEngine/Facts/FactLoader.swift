public import RuleBase

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
public enum FactLoader {
    /// The provider id given to rows that carry none (pack tests may omit it).
    public static let defaultProviderID = "test-provider"

    /// Validates a facts document. Invalid rows are dropped and reported; every other row is
    /// kept, so one bad row never stops the other providers from being evaluated.
    /// - Parameters:
    ///   - document: the parsed facts object.
    ///   - line: for JSON Lines input, the line the document came from.
    ///   - defaultProviderID: given to rows without `provider_id` (pack tests); nil makes it an error.
    ///   - canonicalRows: per table, each row's source bytes when already canonical
    ///     (``JSONParser/parseCapturingCanonicalRows(_:)``), reused by the execution log.
    public static func load(
        _ document: JSONValue, line: Int? = nil, defaultProviderID: String? = nil, canonicalRows: [String: [[UInt8]?]] = [:]
    ) -> (providers: [ProviderFacts], errors: [FactError]) {
        var errors: [FactError] = []
        guard let tables = document.objectMembers else {
            return ([], [FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: line,
                                   message: "facts must be a JSON object of table name to rows")])
        }
        var declaredProviders: Set<String>? = nil
        var lastDeclared: String?  // rows come provider by provider: one lookup per run of them
        var accepted: [(table: String, rows: [FactRow], inIDOrder: Bool)] = []
        var scratch = [JSONValue?](repeating: nil, count: FactSchema.widestTable)
        for (tableName, rowsValue) in processingOrder(tables) {
            guard let schema = FactSchema.byName[tableName] else {
                if !FactSchema.ignoredTables.contains(tableName) {
                    let known = FactSchema.tables.map(\.name)
                    let hint = Suggestions.didYouMean(tableName, in: known).map { " (\($0))" } ?? ""
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
            for (index, rowValue) in rows.enumerated() {
                let source = sourceRows.flatMap { index < $0.count ? $0[index] : nil }
                switch validate(rowValue, index: index, schema: schema, line: line, defaultProviderID: defaultProviderID,
                                sourceCanonical: source, scratch: &scratch) {
                case .failure(let error):
                    errors.append(error)
                case .success(let row):
                    guard ids.insert(row.id) else {
                        let isProvider = schema.name == "providers"
                        errors.append(FactError(table: tableName, rowID: row.id, column: isProvider ? "id" : schema.idColumn ?? "key",
                                                providerID: row.providerID, line: line,
                                                message: isProvider ? "duplicate provider id"
                                                    : schema.idColumn == nil ? "duplicate attribute for this provider" : "duplicate row id"))
                        continue
                    }
                    if schema.name == "providers" {
                        declaredProviders = declaredProviders ?? []
                        declaredProviders?.insert(row.id)
                    } else if let declared = declaredProviders, row.providerID != lastDeclared {
                        guard declared.contains(row.providerID) else {
                            errors.append(FactError(table: tableName, rowID: row.id, column: "provider_id", providerID: row.providerID,
                                                    line: line, message: "provider `\(row.providerID)` is not in the providers table"))
                            continue
                        }
                        lastDeclared = row.providerID
                    }
                    tableRows.append(row)
                }
            }
            if !tableRows.isEmpty { accepted.append((tableName, tableRows, ids.allInOrder)) }
        }
        return (group(accepted), errors)
    }

    /// `providers` first, so other tables can be checked against it; then by name.
    private static func processingOrder(_ tables: [(String, JSONValue)]) -> [(String, JSONValue)] {
        var ordered = tables
        if let providers = ordered.firstIndex(where: { $0.0 == "providers" }), providers > 0 {
            ordered.insert(ordered.remove(at: providers), at: 0)
        }
        // Canonical documents list tables in order already.
        let others = ordered.indices.dropFirst(ordered.first?.0 == "providers" ? 1 : 0)
        if !others.dropFirst().allSatisfy({ utf8Precedes(ordered[$0 - 1].0, ordered[$0].0) }) {
            ordered[others].sort { utf8Precedes($0.0, $1.0) }
        }
        return ordered
    }

    /// Rows grouped by provider, providers in id order. A JSON Lines document usually holds
    /// one provider, which needs no per-row lookups.
    private static func group(_ accepted: [(table: String, rows: [FactRow], inIDOrder: Bool)]) -> [ProviderFacts] {
        guard let first = accepted.first?.rows.first?.providerID else { return [] }
        if accepted.allSatisfy({ $0.rows.allSatisfy { $0.providerID == first } }) {
            var tables: [String: [FactRow]] = [:]
            var sorted = true
            for (table, rows, inIDOrder) in accepted {
                tables[table] = rows
                sorted = sorted && inIDOrder
            }
            return [ProviderFacts(providerID: first, tables: tables, sortedByID: sorted)]
        }
        var rowsByProvider: [String: [String: [FactRow]]] = [:]
        for (table, rows, _) in accepted {
            for row in rows { rowsByProvider[row.providerID, default: [:]][table, default: []].append(row) }
        }
        return rowsByProvider.keys.sorted { utf8Precedes($0, $1) }.map { id in
            ProviderFacts(providerID: id, tables: rowsByProvider[id] ?? [:])
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
        _ value: JSONValue, index: Int, schema: FactSchema.Table, line: Int?, defaultProviderID: String?, sourceCanonical: [UInt8]?,
        scratch: inout [JSONValue?]
    ) -> Result<FactRow, FactError> {
        guard case .object(let members) = value else {
            return .failure(FactError(table: schema.name, rowID: "#\(index + 1)", column: nil, providerID: nil, line: line,
                                      message: "row \(index + 1) is not an object"))
        }
        // One pass over the members puts each in its schema column's place.
        for position in schema.columns.indices { scratch[position] = nil }
        var next = 0
        for (key, column) in members {
            // Members and schema columns are both usually in key order: try the next column first.
            if next < schema.columns.count, schema.columns[next].name == key {
                scratch[next] = column
                next += 1
            } else if let position = schema.columns.firstIndex(where: { $0.name == key }) {
                scratch[position] = column
                next = position + 1
            }
        }
        var columns = members
        let rawID = scratch[schema.idPosition]?.stringValue
        var providerID = schema.ownedByProvider ? scratch[schema.providerIDPosition]?.stringValue : rawID
        if schema.ownedByProvider, providerID == nil, scratch[schema.providerIDPosition]?.isNull ?? true, let fallback = defaultProviderID {
            providerID = fallback
            columns.append(("provider_id", .string(fallback)))
            scratch[schema.providerIDPosition] = .string(fallback)
        }
        let rowLabel: String
        if schema.idColumn == nil {
            let key = schema.keyPosition.flatMap { scratch[$0]?.stringValue }
            rowLabel = "\(providerID ?? "?")/\(key ?? "#\(index + 1)")"
        } else {
            rowLabel = rawID ?? "#\(index + 1)"
        }
        func failure(_ column: String?, _ message: String) -> Result<FactRow, FactError> {
            .failure(FactError(table: schema.name, rowID: rowLabel, column: column, providerID: providerID, line: line,
                               message: message))
        }
        for position in schema.checkOrder {
            let column = schema.columns[position]
            guard let v = scratch[position], !v.isNull else {
                if column.required { return failure(column.name, "missing required column `\(column.name)`") }
                continue
            }
            if let message = check(v, column.type) { return failure(column.name, message) }
        }
        if case .number(let text)? = scratch[schema.idPosition] {
            return failure("id", "id must be a string, found the number \(text)")
        }
        if let position = schema.creditsPosition, let credits = scratch[position].flatMap(FactRow.decimal), credits < .zero {
            return failure("credits_earned", "credits_earned is negative (\(credits))")
        }
        let unchanged = columns.count == members.count
        return .success(FactRow(table: schema.name, id: rowLabel, providerID: providerID ?? "", columns: .object(columns),
                                sourceCanonical: unchanged ? sourceCanonical : nil))
    }

    private static func check(_ value: JSONValue, _ type: FactSchema.ColumnType) -> String? {
        switch type {
        case .any: return nil
        case .string:
            return value.stringValue == nil ? "expected a string, found \(value.compactText)" : nil
        case .bool:
            if case .bool = value { return nil }
            return "expected true or false, found \(value.compactText)"
        case .date:
            guard let s = value.stringValue else { return "expected a YYYY-MM-DD date string, found \(value.compactText)" }
            return CalendarDate(iso: s) == nil ? "`\(s)` is not a valid YYYY-MM-DD date" : nil
        case .decimal:
            switch value {
            case .number(let t):
                return (ExactDecimal(t) ?? ExactDecimal(JSONValue.canonicalNumber(t))) == nil
                    ? "`\(t)` is not a decimal with at most 9 fractional digits" : nil
            case .string(let t):
                return ExactDecimal(t) == nil ? "`\(t)` is not a decimal number" : nil
            default: return "expected a number, found \(value.compactText)"
            }
        case .stringArray:
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else { return "expected an array of strings" }
            return nil
        }
    }
}
