public import RuleBase
public import RuleIR

/// A facts document (one JSON object of table name → rows, many providers) held compactly:
/// its bytes and, per provider, where its rows lie, never a tree of JSON values for the whole
/// file. Each provider's rows are parsed when that provider is evaluated, so a document needs
/// about its own size in memory plus the rows of the providers in flight, as JSON Lines does.
public struct FactsDocument: Sendable {
    /// The largest document accepted (`Grammar/reference/facts.md`); a larger population
    /// belongs in JSON Lines, which is read a batch at a time.
    public static let maximumBytes = 1 << 30

    /// Where one row lies.
    struct RowReference: Sendable {
        /// Index into ``FactSchema/tables``.
        let table: Int
        let range: Range<Int>
        let line: Int
        /// Its id repeats an id another provider's row in the same table has.
        var repeatsAnotherProvidersID = false
    }

    private let bytes: [UInt8]
    /// Rows by provider id, providers in id order (rows without a usable provider id first, under "").
    private let groups: [(provider: String, rows: [RowReference])]
    /// Problems with the document's tables themselves (unknown tables, a table that is not an array).
    public let documentErrors: [FactError]
    /// The ids the `providers` table declares, when the document has one.
    private let declaredProviders: Set<String>?

    /// How many providers (groups of rows) the document holds.
    public var groupCount: Int { groups.count }

    /// Why a document cannot be read: its syntax, or its size.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let message: String
        /// Where, for a syntax error.
        public let location: SourceLocation?

        public var description: String {
            location.map { "\($0.line):\($0.column): \(message)" } ?? message
        }
    }

    /// Indexes `bytes` (UTF-8). Throws on a syntax error anywhere, or past `limit` bytes.
    public init(bytes: [UInt8], limit: Int = maximumBytes) throws(ReadError) {
        guard bytes.count <= limit else {
            throw ReadError(
                message: "the facts document is \(bytes.count) bytes, more than the \(limit) bytes the JSON document form accepts; write the population as JSON Lines (.jsonl, one provider's object per line), which is read a batch at a time",
                location: nil)
        }
        let tableIndex = Dictionary(uniqueKeysWithValues: FactSchema.tables.enumerated().map { ($0.element.name, $0.offset) })
        // Rows come provider by provider: a provider's group is looked up once per run of its rows.
        var groupOf: [String: Int] = [:]
        var groupRows: [[RowReference]] = []
        var groupNames: [String] = []
        var lastProvider: String?
        var lastGroup = 0
        var errors: [FactError] = []
        var declared: Set<String>?
        var line = 1
        var counted = 0
        var notAnObject = false
        // Ids are unique per table across the document; repeats within one provider are found
        // when its rows are validated, repeats across providers here.
        var owners = Array(repeating: IDOwners(), count: FactSchema.tables.count)
        do {
            try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
                try JSONParser.scanFactsDocument(buffer, table: { member in
                    switch member {
                    case .notATable(""):
                        notAnObject = true
                        return false
                    case .notATable(let name):
                        if FactSchema.byName[name] != nil {
                            errors.append(FactError(table: name, rowID: nil, column: nil, providerID: nil, message: "table `\(name)` must be an array of rows"))
                        } else if !FactSchema.ignoredTables.contains(name) {
                            errors.append(Self.unknownTable(name))
                        }
                        return false
                    case .table(let name):
                        if FactSchema.byName[name] != nil { return true }
                        if !FactSchema.ignoredTables.contains(name) { errors.append(Self.unknownTable(name)) }
                        return false
                    }
                }, row: { table, range, value in
                    // Lines counted incrementally: rows arrive in file order.
                    for i in counted..<range.lowerBound where buffer[i] == 0x0A { line += 1 }
                    counted = range.lowerBound
                    guard let index = tableIndex[table] else { return }
                    let schema = FactSchema.tables[index]
                    let owner = schema.ownedByProvider ? FactColumns.providerID : FactColumns.id
                    let provider = value[owner]?.stringValue ?? ""
                    if schema === FactSchema.providers, !provider.isEmpty {
                        declared = declared ?? []
                        declared?.insert(provider)
                    }
                    var reference = RowReference(table: index, range: range, line: line)
                    if schema.idColumn != nil, schema !== FactSchema.providers, let id = value[FactColumns.id]?.stringValue {
                        if let owner = owners[index].insert(id, owner: provider) { reference.repeatsAnotherProvidersID = owner != provider }
                    }
                    if provider != lastProvider {
                        if let existing = groupOf[provider] {
                            lastGroup = existing
                        } else {
                            lastGroup = groupRows.count
                            groupOf[provider] = lastGroup
                            groupRows.append([])
                            groupNames.append(provider)
                        }
                        lastProvider = provider
                    }
                    groupRows[lastGroup].append(reference)
                })
            }
        } catch {
            throw ReadError(message: "invalid JSON: \(error.message)", location: error.location)
        }
        if notAnObject {
            errors.append(FactError(table: nil, rowID: nil, column: nil, providerID: nil, message: "facts must be a JSON object of table name to rows"))
        }
        self.bytes = bytes
        self.documentErrors = errors
        self.declaredProviders = declared
        self.groups = groupNames.indices.sorted { utf8Precedes(groupNames[$0], groupNames[$1]) }.map { (groupNames[$0], groupRows[$0]) }
    }

    /// The ids of one table with the provider that first used each. Ids usually arrive in
    /// increasing order, where none can repeat and nothing needs hashing; the map is built
    /// only once they do not.
    private struct IDOwners {
        private var inOrder: [(id: String, owner: String)] = []
        private var byID: [String: String]?

        /// Records `id` for `owner`; returns the first owner when the id was seen before.
        mutating func insert(_ id: String, owner: String) -> String? {
            if byID == nil {
                if let last = inOrder.last, !utf8Precedes(last.id, id) {
                    byID = Dictionary(inOrder.map { ($0.id, $0.owner) }, uniquingKeysWith: { first, _ in first })
                    inOrder = []
                } else {
                    inOrder.append((id, owner))
                    return nil
                }
            }
            if let first = byID?[id] { return first }
            byID?[id] = owner
            return nil
        }
    }

    private static func unknownTable(_ name: String) -> FactError {
        let hint = Suggestions.didYouMean(name, in: FactSchema.tableNames).map { " (\($0))" } ?? ""
        return FactError(table: name, rowID: nil, column: nil, providerID: nil, message: "unknown table `\(name)`\(hint)")
    }

    /// Validates the rows of the providers `groups[range]`, as ``FactLoader/load(_:line:defaultProviderID:canonicalRows:rowLines:declaredProviders:)``
    /// validates a whole document: the same rows accepted, the same errors (with each row's line).
    public func load(groups range: Range<Int>, attributes: AttributeCatalogue = .shared) -> (providers: [ProviderFacts], errors: [FactError]) {
        var providers: [ProviderFacts] = []
        var errors: [FactError] = []
        for group in groups[range] {
            var tables: [[JSONValue]] = Array(repeating: [], count: FactSchema.tables.count)
            var canonical: [[[UInt8]?]] = Array(repeating: [], count: FactSchema.tables.count)
            var lines: [[Int]] = Array(repeating: [], count: FactSchema.tables.count)
            var repeated: [RejectedRow] = []
            for row in group.rows {
                let slice = bytes[row.range]
                // Indexing parsed every row already: this cannot fail.
                guard let (value, isCanonical) = try? JSONParser.parseCheckingCanonical(slice) else { continue }
                if row.repeatsAnotherProvidersID {
                    let schema = FactSchema.tables[row.table]
                    let error = FactError(table: schema.name, rowID: value[FactColumns.id]?.stringValue, column: FactColumns.id,
                                          providerID: group.provider.isEmpty ? nil : group.provider, line: row.line, message: "duplicate row id")
                    errors.append(error)
                    if error.providerID != nil { repeated.append(RejectedRow(error: error, table: schema, row: value.objectMembers)) }
                    continue
                }
                tables[row.table].append(value)
                canonical[row.table].append(isCanonical && value.objectMembers != nil ? Array(slice) : nil)
                lines[row.table].append(row.line)
            }
            var members: [(String, JSONValue)] = []
            var canonicalRows: [String: [[UInt8]?]] = [:]
            var rowLines: [String: [Int]] = [:]
            for (index, table) in FactSchema.tables.enumerated() where !tables[index].isEmpty {
                members.append((table.name, .array(tables[index])))
                canonicalRows[table.name] = canonical[index]
                rowLines[table.name] = lines[index]
            }
            let loaded = FactLoader.load(.object(members), canonicalRows: canonicalRows, rowLines: rowLines,
                                         declaredProviders: declaredProviders, attributes: attributes)
            var found = loaded.providers
            if !repeated.isEmpty {
                if found.isEmpty { found = [ProviderFacts(providerID: group.provider, tables: [:])] }
                found[0].rejected += repeated
            }
            providers += found
            errors += loaded.errors
        }
        return (providers, errors)
    }
}
