/// A database failure: the statement that failed and PostgreSQL's SQLSTATE and message, with
/// the server's detail, hint and context when it sent them.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The statement (its first line, shortened) or the operation that failed.
    public var statement: String
    public var message: String
    /// The five-character SQLSTATE (e.g. `23505` unique violation, `42501` insufficient privilege).
    public var sqlState: String?
    public var detail: String?
    public var hint: String?
    /// Where in the server it happened (function, COPY line).
    public var context: String?
    public var table: String?
    public var column: String?
    public var constraint: String?

    public init(statement: String, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
                context: String? = nil, table: String? = nil, column: String? = nil, constraint: String? = nil) {
        self.statement = StoreError.summary(of: statement)
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.context = context
        self.table = table
        self.column = column
        self.constraint = constraint
    }

    public var description: String {
        var text = "\(statement): "
        if let sqlState { text += "[\(sqlState)] " }
        text += message
        if let detail { text += " (\(detail))" }
        if let hint { text += "; hint: \(hint)" }
        return text
    }

    /// The first line of a statement, collapsed and cut at 120 characters, to name it in messages.
    static func summary(of sql: String) -> String {
        let firstLine = sql.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? sql
        let collapsed = firstLine.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return collapsed.count > 120 ? String(collapsed.prefix(117)) + "..." : collapsed
    }
}
