internal import CLibPQ

/// One PostgreSQL connection (libpq `PGconn`), closed when the value is released.
///
/// Threading model: a connection is one session with one transaction state, so it is not
/// `Sendable`: create it, use it and drop it on one task. Work in parallel opens one connection
/// per worker. Every statement is sent with its values as parameters (`PQexecParams`); SQL text
/// built by this module contains only constants written in this module.
public final class Connection {
    private let handle: OpaquePointer
    /// How the connection was opened, without any password, for messages.
    public let displayURL: String

    /// Opens a connection from a libpq URL (`postgresql://user@host:port/db`) or key=value string.
    public init(url: String) throws(StoreError) {
        guard let handle = PQconnectdb(url) else {
            throw StoreError(statement: "connect", message: "libpq could not allocate a connection")
        }
        displayURL = Connection.redacted(url)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Connection.trimmed(String(cString: PQerrorMessage(handle)))
            PQfinish(handle)
            throw StoreError(statement: "connect to \(Connection.redacted(url))", message: message)
        }
        self.handle = handle
        // Notices (e.g. "relation already exists, skipping") would go to stderr; they are not errors.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        // Results in a fixed form whatever the server's defaults: dates ISO, UTC, UTF-8.
        try execute("SELECT set_config('client_encoding', 'UTF8', false), set_config('DateStyle', 'ISO, YMD', false), set_config('TimeZone', 'UTC', false), set_config('IntervalStyle', 'iso_8601', false)")
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with `parameters` bound to `$1, $2, …` and returns its rows.
    /// A nil parameter is SQL NULL; `.bytes` parameters are sent in binary (bytea).
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLParameter?] = []) throws(StoreError) -> QueryResult {
        let count = parameters.count
        var formats = [Int32](repeating: 0, count: count)
        var lengths = [Int32](repeating: 0, count: count)
        var buffers: [[UInt8]?] = []
        buffers.reserveCapacity(count)
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case nil: buffers.append(nil)
            case .text(let text)?:
                var bytes = Array(text.utf8)
                bytes.append(0)
                lengths[index] = Int32(bytes.count - 1)
                buffers.append(bytes)
            case .bytes(let bytes)?:
                formats[index] = 1
                lengths[index] = Int32(bytes.count)
                // A zero-length binary value still needs a valid pointer.
                buffers.append(bytes.isEmpty ? [0] : bytes)
            }
        }
        let result: OpaquePointer? = withPointers(buffers) { pointers in
            PQexecParams(handle, sql, Int32(count), nil, pointers, lengths, formats, 0)
        }
        return try consume(result, statement: sql)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
    }

    /// Sends `rows` to `COPY … FROM STDIN` (text format) in chunks of 1 MiB and returns the
    /// number of rows the server stored. A row the server rejects fails the whole COPY; the
    /// error's context names the COPY line (1-based, counting `rows`).
    @discardableResult
    public func copy(_ sql: String, rows: CopyRows) throws(StoreError) -> Int {
        let start = PQexecParams(handle, sql, 0, nil, nil, nil, nil, 0)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try consume(start, statement: sql)
            throw StoreError(statement: sql, message: "the statement did not start COPY FROM STDIN")
        }
        PQclear(start)
        let chunk = 1 << 20
        var offset = 0
        var sendFailure: StoreError?
        while offset < rows.bytes.count, sendFailure == nil {
            let end = min(offset + chunk, rows.bytes.count)
            do { try sendCopyData(rows.bytes[offset..<end], statement: sql) } catch { sendFailure = error }
            offset = end
        }
        guard PQputCopyEnd(handle, sendFailure == nil ? nil : "client failed to send") == 1 else {
            throw StoreError(statement: sql, message: lastError)
        }
        var stored = 0
        var serverError: StoreError?
        do { stored = try consume(PQgetResult(handle), statement: sql).affectedRows } catch { serverError = error }
        // Drain: libpq returns nil once the command is complete.
        while let extra = PQgetResult(handle) { PQclear(extra) }
        if let serverError { throw serverError }
        if let sendFailure { throw sendFailure }
        return stored
    }

    /// Sends buffered COPY bytes.
    private func sendCopyData(_ bytes: ArraySlice<UInt8>, statement: String) throws(StoreError) {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        guard sent == 1 else { throw StoreError(statement: statement, message: lastError) }
    }

    fileprivate func runScript(_ sql: String, name: String) throws(StoreError) {
        _ = try consume(PQexec(handle, sql), statement: name)
    }

    private var lastError: String { Connection.trimmed(String(cString: PQerrorMessage(handle))) }

    /// Turns a libpq result into rows or a ``StoreError`` naming the statement, and frees it.
    private func consume(_ result: OpaquePointer?, statement: String) throws(StoreError) -> QueryResult {
        guard let result else { throw StoreError(statement: statement, message: lastError) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_COPY_IN:
            break
        default:
            func field(_ code: Int32) -> String? {
                guard let value = PQresultErrorField(result, code) else { return nil }
                return String(cString: value)
            }
            throw StoreError(
                statement: statement,
                message: field(Int32(UInt8(ascii: "M"))) ?? Connection.trimmed(String(cString: PQresultErrorMessage(result))),
                sqlState: field(Int32(UInt8(ascii: "C"))),
                detail: field(Int32(UInt8(ascii: "D"))),
                hint: field(Int32(UInt8(ascii: "H"))),
                context: field(Int32(UInt8(ascii: "W"))),
                table: field(Int32(UInt8(ascii: "t"))),
                column: field(Int32(UInt8(ascii: "c"))),
                constraint: field(Int32(UInt8(ascii: "n"))))
        }
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount { columns.append(String(cString: PQfname(result, Int32(column)))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(values)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(columns: columns, rows: rows, affectedRows: affected)
    }

    private func withPointers<R>(_ buffers: [[UInt8]?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(buffers.count)
        func next(_ index: Int) -> R {
            if index == buffers.count { return body(pointers) }
            guard let buffer = buffers[index] else {
                pointers.append(nil)
                return next(index + 1)
            }
            return buffer.withUnsafeBufferPointer { raw in
                raw.baseAddress!.withMemoryRebound(to: CChar.self, capacity: raw.count) { pointer in
                    pointers.append(pointer)
                    return next(index + 1)
                }
            }
        }
        return next(0)
    }

    static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    /// The URL with any password replaced, so messages never carry a secret.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let credentials = url[scheme.upperBound..<at]
        guard let colon = credentials.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// A statement parameter: text in PostgreSQL's input syntax for the column's type, or raw bytes
/// for a `bytea`.
public enum SQLParameter: Sendable, Hashable, ExpressibleByStringLiteral {
    case text(String)
    case bytes([UInt8])

    public init(stringLiteral value: String) { self = .text(value) }

    /// An integer parameter.
    public static func int(_ value: Int) -> SQLParameter { .text(String(value)) }
}

extension Connection {
    /// Runs a multi-statement SQL script (a migration file) with the simple-query protocol. It
    /// takes no parameters, so it is only for SQL text shipped with credrules, never for values.
    func executeScript(_ sql: String, name: String) throws(StoreError) {
        try runScript(sql, name: name)
    }
}
