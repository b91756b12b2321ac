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
        var rowsByProvider: [String: [String: [FactRow]]] = [:]
        // providers first, so other tables can be checked against them.
        let ordered = tables.sorted { ($0.0 == "providers" ? 0 : 1, $0.0) < ($1.0 == "providers" ? 0 : 1, $1.0) }
        for (tableName, rowsValue) in ordered {
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
            var seenIDs = Set<String>()
            let sourceRows = canonicalRows[tableName]
            for (index, rowValue) in rows.enumerated() {
                let source = sourceRows.flatMap { index < $0.count ? $0[index] : nil }
                switch validate(rowValue, index: index, schema: schema, line: line, defaultProviderID: defaultProviderID,
                                sourceCanonical: source) {
                case .failure(let error):
                    errors.append(error)
                case .success(let row):
                    if schema.name == "providers" {
                        guard seenIDs.insert(row.id).inserted else {
                            errors.append(FactError(table: tableName, rowID: row.id, column: "id", providerID: row.id, line: line,
                                                    message: "duplicate provider id"))
                            continue
                        }
                        declaredProviders = (declaredProviders ?? []).union([row.id])
                        rowsByProvider[row.id, default: [:]]["providers", default: []].append(row)
                        continue
                    }
                    let uniqueKey = row.id
                    guard seenIDs.insert(uniqueKey).inserted else {
                        errors.append(FactError(table: tableName, rowID: row.id, column: schema.idColumn ?? "key",
                                                providerID: row.providerID, line: line,
                                                message: schema.idColumn == nil ? "duplicate attribute for this provider" : "duplicate row id"))
                        continue
                    }
                    if let declared = declaredProviders, !declared.contains(row.providerID) {
                        errors.append(FactError(table: tableName, rowID: row.id, column: "provider_id", providerID: row.providerID,
                                                line: line, message: "provider `\(row.providerID)` is not in the providers table"))
                        continue
                    }
                    rowsByProvider[row.providerID, default: [:]][tableName, default: []].append(row)
                }
            }
        }
        let providers = rowsByProvider.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { id in
            ProviderFacts(providerID: id, tables: rowsByProvider[id] ?? [:])
        }
        return (providers, errors)
    }

    /// - Parameter sourceCanonical: the row's source bytes when canonical; kept only when
    ///   validation leaves the row as written (no defaulted `provider_id`).
    private static func validate(
        _ value: JSONValue, index: Int, schema: FactSchema.Table, line: Int?, defaultProviderID: String?, sourceCanonical: [UInt8]?
    ) -> Result<FactRow, FactError> {
        guard let members = value.objectMembers else {
            return .failure(FactError(table: schema.name, rowID: "#\(index + 1)", column: nil, providerID: nil, line: line,
                                      message: "row \(index + 1) is not an object"))
        }
        var columns = members
        let rawID = value["id"]?.stringValue
        var providerID = schema.ownedByProvider ? value["provider_id"]?.stringValue : rawID
        if schema.ownedByProvider, providerID == nil, value["provider_id"] == nil || value["provider_id"]?.isNull == true,
           let fallback = defaultProviderID {
            providerID = fallback
            columns.append(("provider_id", .string(fallback)))
        }
        let rowLabel: String
        if schema.idColumn == nil {
            rowLabel = "\(providerID ?? "?")/\(value["key"]?.stringValue ?? "#\(index + 1)")"
        } else {
            rowLabel = rawID ?? "#\(index + 1)"
        }
        func failure(_ column: String?, _ message: String) -> Result<FactRow, FactError> {
            .failure(FactError(table: schema.name, rowID: rowLabel, column: column, providerID: providerID, line: line,
                               message: message))
        }
        let row = JSONValue.object(columns)
        for (column, type) in schema.required {
            guard let v = row[column], !v.isNull else { return failure(column, "missing required column `\(column)`") }
            if let message = check(v, type) { return failure(column, message) }
        }
        for (column, type) in schema.optional {
            if let v = row[column], !v.isNull, let message = check(v, type) { return failure(column, message) }
        }
        if case .number(let text)? = row["id"] {
            return failure("id", "id must be a string, found the number \(text)")
        }
        if schema.name == "cme_events", let credits = FactRow(table: "", id: "", providerID: "", columns: row).decimal("credits_earned"),
           credits < .zero {
            return failure("credits_earned", "credits_earned is negative (\(credits))")
        }
        let unchanged = columns.count == members.count
        return .success(FactRow(table: schema.name, id: rowLabel, providerID: providerID ?? "", columns: row,
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
