public import RuleBase

/// Loads facts files into the database: documents are staged with COPY into temporary tables
/// of the target's shape (types, NOT NULL and CHECK constraints included), then upserted by id
/// in one transaction, so triggers record change events, credential versions and lineage for
/// what changed, an unchanged row is left alone, and a bad row anywhere rolls back the file.
///
/// Use: ``begin()``, then ``add(_:line:)`` for each document (the whole JSON file, or each JSON
/// Lines line, in order), then ``finish()``. Memory stays flat: rows go to the server every
/// ``chunkDocuments`` documents.
public final class FactImporter {
    private let connection: Connection
    private let cipher: FieldCipher
    /// Documents buffered before their rows are sent.
    public var chunkDocuments = 500
    private var buffers: [String: CopyRows] = [:]
    private var origins: [String: [RowOrigin]] = [:]
    private var bufferedDocuments = 0
    private var bufferedBytes = 0
    private var staged: [String: Int] = [:]
    private var ignored: [String: Int] = [:]

    struct RowOrigin {
        let line: Int?
        let index: Int
        let id: String
    }

    public init(connection: Connection, cipher: FieldCipher) {
        self.connection = connection
        self.cipher = cipher
    }

    /// Starts the transaction and creates the staging tables (dropped at commit).
    public func begin() throws(StoreError) {
        // Staging is one temporary table per fact table, as large as the file's rows: with the
        // default 8 MB of local buffers a 10,000-provider file already spills. temp_buffers can
        // only change before the session's first temporary table, so a second import on the same
        // connection keeps the first one's setting (the refusal is harmless, outside a transaction).
        _ = try? connection.execute("SELECT set_config('temp_buffers', '128MB', false)")
        try connection.execute("BEGIN")
        // Sorts of the staged rows and the triggers' transition tables stay in memory longer.
        try connection.execute("SELECT set_config('work_mem', '64MB', true)")
        for table in ImportTables.all {
            // Table names are constants of ImportTables.
            try connection.execute("CREATE TEMPORARY TABLE \(table.stage) (LIKE \(table.name) INCLUDING DEFAULTS INCLUDING CONSTRAINTS) ON COMMIT DROP")
            try connection.execute("ALTER TABLE \(table.stage) ADD COLUMN source_line integer, ADD COLUMN source_index integer NOT NULL")
            // Ids are computed from the file ids here, so the target's id = credrules_id(external_id)
            // check need not run twice.
            if table.identity == .fileID {
                try connection.execute("ALTER TABLE \(table.stage) DROP CONSTRAINT \(table.name)_external_id_check")
            }
            // A defaulted column the file leaves out arrives as NULL and gets its default at upsert.
            for column in table.defaulted {
                try connection.execute("ALTER TABLE \(table.stage) ALTER COLUMN \(column.db) DROP NOT NULL")
            }
        }
    }

    /// Rolls back everything since ``begin()``.
    public func abort() {
        _ = try? connection.execute("ROLLBACK")
    }

    /// Stages one facts document (`line`: its JSON Lines line, nil for a whole JSON file).
    public func add(_ document: JSONValue, line: Int?) throws {
        guard let tables = document.objectMembers else {
            throw ImportError(line: line, table: nil, index: nil, rowID: nil, column: nil,
                              message: "a facts document must be a JSON object of table name → rows")
        }
        for (tableName, rowsValue) in tables {
            guard let table = ImportTables.byName[tableName] else {
                if ImportTables.derivedOrIgnored.contains(tableName) {
                    ignored[tableName, default: 0] += rowsValue.arrayValue?.count ?? 0
                    continue
                }
                throw ImportError(line: line, table: tableName, index: nil, rowID: nil, column: nil,
                                  message: "unknown table `\(tableName)` (tables: \(ImportTables.all.map(\.name).joined(separator: ", ")))")
            }
            guard let rows = rowsValue.arrayValue else {
                throw ImportError(line: line, table: tableName, index: nil, rowID: nil, column: nil, message: "must be an array of rows")
            }
            // Taken out of the dictionaries while appended to, so the buffers are never shared
            // (a copy-on-write copy of every buffer for every document was a fifth of the client's time).
            var buffer = buffers.removeValue(forKey: tableName) ?? CopyRows()
            var tableOrigins = origins.removeValue(forKey: tableName) ?? []
            let bytesBefore = buffer.bytes.count
            defer {
                bufferedBytes += buffer.bytes.count - bytesBefore
                buffers[tableName] = buffer
                origins[tableName] = tableOrigins
            }
            for (index, row) in rows.enumerated() {
                let id = try stage(row, table: table, line: line, index: index, into: &buffer)
                tableOrigins.append(RowOrigin(line: line, index: index, id: id))
            }
        }
        bufferedDocuments += 1
        if bufferedDocuments >= chunkDocuments || bufferedBytes >= 8 << 20 { try flush() }
    }

    /// Sends the buffered rows to the staging tables.
    private func flush() throws {
        for table in ImportTables.all {
            guard let rows = buffers[table.name], !rows.isEmpty else { continue }
            do {
                try connection.copy("COPY \(table.stage) (\(table.copyColumns.joined(separator: ", "))) FROM STDIN", rows: rows)
            } catch {
                throw ImportError(copyFailure: error, table: table, origins: origins[table.name] ?? [])
            }
            staged[table.name, default: 0] += rows.rowCount
            buffers[table.name]?.removeAll()
            origins[table.name]?.removeAll(keepingCapacity: true)
        }
        bufferedDocuments = 0
        bufferedBytes = 0
    }

    /// Upserts everything staged and commits. Returns per-table counts.
    public func finish() throws -> ImportSummary {
        try flush()
        for table in ImportTables.all where staged[table.name, default: 0] > 0 {
            let duplicate = try connection.execute("""
                SELECT id::text, min(source_line) AS first_line, max(source_line) AS last_line, min(source_index) AS index
                FROM \(table.stage) GROUP BY id HAVING count(*) > 1 LIMIT 1
                """)
            if duplicate.count > 0 {
                let lines = [try duplicate.int(0, "first_line"), try duplicate.int(0, "last_line")].compactMap { $0 }.map(String.init)
                throw ImportError(line: try duplicate.int(0, "last_line"), table: table.name, index: nil, rowID: nil, column: "id",
                                  message: "the same row appears more than once in the file\(lines.isEmpty ? "" : " (lines \(lines.joined(separator: ", ")))")")
            }
        }
        for (table, keyed) in [("providers", staged["providers", default: 0]), ("provider_identifiers", staged["provider_identifiers", default: 0])] where keyed > 0 {
            if let other = try connection.execute(
                "SELECT encryption_key_id FROM \(table) WHERE encryption_key_id <> $1 LIMIT 1", [.text(cipher.keyID)]).scalar {
                throw ImportError(line: nil, table: table, index: nil, rowID: nil, column: "encryption_key_id",
                                  message: "the database holds values encrypted with key \(other), but the key given is \(cipher.keyID): use that key, or re-encrypt first with `credrules db rotate-key`")
            }
        }
        var counts: [ImportSummary.TableCounts] = []
        for table in ImportTables.all where staged[table.name, default: 0] > 0 {
            // Temporary tables are never analyzed automatically: without row counts the planner
            // guesses the upsert's joins from a few pages. The joins are on id alone, so only its
            // statistics are gathered (sampling every column, text and jsonb included, was a few
            // percent of the import's server time).
            try connection.execute("ANALYZE \(table.stage) (id)")
            try connection.execute("SAVEPOINT upsert")
            let updated: Int
            let inserted: Int
            do {
                updated = try connection.execute(table.updateSQL).affectedRows
                inserted = try connection.execute(table.insertSQL).affectedRows
            } catch {
                try connection.execute("ROLLBACK TO SAVEPOINT upsert")
                throw try ImportError(upsertFailure: error, table: table, connection: connection)
            }
            try connection.execute("RELEASE SAVEPOINT upsert")
            let rows = staged[table.name, default: 0]
            counts.append(.init(table: table.name, rows: rows, inserted: inserted, updated: updated, unchanged: rows - inserted - updated))
        }
        try connection.execute("COMMIT")
        return ImportSummary(tables: counts, ignored: ignored.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// Writes one row's COPY fields; returns its file id.
    private func stage(_ row: JSONValue, table: ImportTable, line: Int?, index: Int, into buffer: inout CopyRows) throws -> String {
        guard let members = row.objectMembers else {
            throw ImportError(line: line, table: table.name, index: index, rowID: nil, column: nil, message: "a row must be a JSON object")
        }
        func value(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        for (key, _) in members where !table.acceptedKeys.contains(key) {
            throw ImportError(line: line, table: table.name, index: index, rowID: value("id")?.stringValue, column: key,
                              message: "unknown column (columns: \(table.acceptedKeys.sorted().joined(separator: ", ")))")
        }
        let externalID: String
        switch table.identity {
        case .fileID:
            guard let id = value("id")?.stringValue, !id.isEmpty else {
                throw ImportError(line: line, table: table.name, index: index, rowID: nil, column: "id", message: "a non-empty string id is required")
            }
            externalID = id
            buffer.field(RowID.uuid(forExternalID: id))
            buffer.field(id)
        case .providerAndKey:
            guard let provider = value("provider_id")?.stringValue, let key = value("key")?.stringValue else {
                throw ImportError(line: line, table: table.name, index: index, rowID: nil, column: "provider_id",
                                  message: "provider_id and key (strings) are required")
            }
            externalID = "provider_attributes:\(provider):\(key)"
            buffer.field(RowID.uuid(forExternalID: externalID))
        }
        func fail(_ column: String, _ message: String) -> ImportError {
            ImportError(line: line, table: table.name, index: index, rowID: externalID, column: column, message: message)
        }
        for column in table.columns {
            let json = value(column.json) ?? .null
            if json.isNull {
                buffer.field(nil as String?)
                continue
            }
            switch column.kind {
            case .text, .timestamp:
                guard let text = json.stringValue else { throw fail(column.json, "expected a string, got \(json.compactText)") }
                buffer.field(text)
            case .date:
                guard let text = json.stringValue else { throw fail(column.json, "expected a YYYY-MM-DD date string, got \(json.compactText)") }
                buffer.field(text)
            case .numeric:
                switch json {
                case .number(let text), .string(let text): buffer.field(text)
                default: throw fail(column.json, "expected a decimal number, got \(json.compactText)")
                }
            case .boolean:
                guard case .bool(let flag) = json else { throw fail(column.json, "expected true or false, got \(json.compactText)") }
                buffer.field(flag ? "t" : "f")
            case .jsonb:
                buffer.field(json.compactText)
            case .reference:
                guard let text = json.stringValue, !text.isEmpty else { throw fail(column.json, "expected an id string, got \(json.compactText)") }
                buffer.field(RowID.uuid(forExternalID: text))
            case .encrypted(let label, let isDate):
                guard let text = json.stringValue else { throw fail(column.json, "expected a string, got \(json.compactText)") }
                if isDate, CalendarDate(iso: text) == nil { throw fail(column.json, "expected a YYYY-MM-DD date, got \(json.compactText)") }
                buffer.field(bytes: cipher.encrypt(text, column: label))
            case .blindIndex(let label):
                guard let text = json.stringValue else { throw fail(column.json, "expected a string, got \(json.compactText)") }
                buffer.field(bytes: cipher.blindIndex(text, column: label))
            }
        }
        if table.encrypted { buffer.field(cipher.keyID) }
        buffer.field(line.map(String.init))
        buffer.field(String(index))
        buffer.endRow()
        return externalID
    }
}

/// What an import did, per table.
public struct ImportSummary: Sendable {
    public struct TableCounts: Sendable {
        public let table: String
        public let rows: Int
        public let inserted: Int
        public let updated: Int
        public let unchanged: Int
    }
    public let tables: [TableCounts]
    /// Tables in the file that are derived or not imported (lineage, versions…), with row counts.
    public let ignored: [(String, Int)]

    /// The counts as JSON, for the audit row and the command's output.
    public var json: JSONValue {
        .object([
            ("tables", .object(tables.map { counts in
                (counts.table, .object([("rows", .int(counts.rows)), ("inserted", .int(counts.inserted)),
                                        ("updated", .int(counts.updated)), ("unchanged", .int(counts.unchanged))]))
            })),
            ("ignored", .object(ignored.map { ($0.0, .int($0.1)) })),
        ])
    }
}

/// A row the import refused: where (line, table, row index and id, column) and why. Nothing of
/// the file was stored.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let line: Int?
    public let table: String?
    public let index: Int?
    public let rowID: String?
    public let column: String?
    public let message: String

    public init(line: Int?, table: String?, index: Int?, rowID: String?, column: String?, message: String) {
        self.line = line
        self.table = table
        self.index = index
        self.rowID = rowID
        self.column = column
        self.message = message
    }

    public var description: String {
        var place: [String] = []
        if let line { place.append("line \(line)") }
        if let table {
            var row = table
            if let index { row += "[\(index)]" }
            if let rowID { row += " (id `\(rowID)`)" }
            place.append(row)
        }
        if let column { place.append("column `\(column)`") }
        return (place.isEmpty ? "" : place.joined(separator: ", ") + ": ") + message + "; nothing was imported"
    }

    /// A COPY into staging failed: PostgreSQL's context names the COPY line, which maps back to
    /// the row; the column comes from the context or the constraint.
    init(copyFailure error: StoreError, table: ImportTable, origins: [FactImporter.RowOrigin]) {
        let context = error.context ?? ""
        var copyLine: Int?
        var column = error.column
        if let range = context.range(of: ", line ") {
            let digits = context[range.upperBound...].prefix { $0.isNumber }
            copyLine = Int(digits)
            if let columnRange = context.range(of: ", column ") {
                column = String(context[columnRange.upperBound...].prefix { $0 != ":" })
            }
        }
        if column == nil, let constraint = error.constraint { column = table.column(forConstraint: constraint) }
        let origin = copyLine.flatMap { $0 >= 1 && $0 <= origins.count ? origins[$0 - 1] : nil }
        let jsonColumn = column.map { table.jsonName(forColumn: $0) }
        let reason = error.message.replacingOccurrences(of: table.stage, with: table.name)
        self.init(line: origin?.line, table: table.name, index: origin?.index, rowID: origin?.id, column: jsonColumn,
                  message: reason + (error.sqlState.map { " [\($0)]" } ?? ""))
    }

    /// The upsert failed (a reference to a row that exists neither in the file nor in the
    /// database): find the staged row from the key PostgreSQL names.
    init(upsertFailure error: StoreError, table: ImportTable, connection: Connection) throws {
        let detail = error.detail ?? ""
        // "Key (provider_id)=(c5e9…) is not present in table "providers"."
        if error.sqlState == "23503", let open = detail.range(of: "Key ("), let close = detail.range(of: ")=(", range: open.upperBound..<detail.endIndex),
           let end = detail.range(of: ")", range: close.upperBound..<detail.endIndex) {
            let column = String(detail[open.upperBound..<close.lowerBound])
            let value = String(detail[close.upperBound..<end.lowerBound])
            let referenced = detail.range(of: "in table \"").map { String(detail[$0.upperBound...].prefix { $0 != "\"" }) } ?? "the referenced table"
            if table.columnNames.contains(column) {
                let row = try connection.execute(
                    "SELECT source_line, source_index, \(table.identity == .fileID ? "external_id" : "id::text") AS row_id FROM \(table.stage) WHERE \(column)::text = $1 ORDER BY source_line, source_index LIMIT 1",
                    [.text(value)])
                if row.count == 1 {
                    self.init(line: try row.int(0, "source_line"), table: table.name, index: try row.int(0, "source_index"),
                              rowID: try row.string(0, "row_id"), column: table.jsonName(forColumn: column),
                              message: "refers to a row of \(referenced) that is neither in the file nor in the database")
                    return
                }
            }
        }
        self.init(line: nil, table: table.name, index: nil, rowID: nil, column: error.column,
                  message: error.message + (error.sqlState.map { " [\($0)]" } ?? ""))
    }
}
