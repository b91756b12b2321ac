/// The rows of a statement, copied out of libpq as text (PostgreSQL's output syntax per type),
/// with typed accessors.
public struct QueryResult: Sendable {
    /// Column names in select-list order.
    public let columns: [String]
    /// Each row's values; nil is SQL NULL.
    public let rows: [[String?]]
    /// Rows inserted, updated, deleted or copied, for commands that report it.
    public let affectedRows: Int

    /// The value of `column` in row `row`, or nil for NULL. A column the statement does not
    /// return is a programming error in the caller's SQL, reported as a ``StoreError``.
    public func string(_ row: Int, _ column: String) throws(StoreError) -> String? {
        guard let index = columns.firstIndex(of: column) else {
            throw StoreError(statement: "result", message: "no column `\(column)` in the result (columns: \(columns.joined(separator: ", ")))")
        }
        return rows[row][index]
    }

    /// The first column of the first row, or nil when there is none or it is NULL.
    public var scalar: String? { rows.first?.first ?? nil }

    /// An integer column.
    public func int(_ row: Int, _ column: String) throws(StoreError) -> Int? {
        guard let text = try string(row, column) else { return nil }
        guard let value = Int(text) else { throw StoreError(statement: "result", message: "column `\(column)` is not an integer: \(text)") }
        return value
    }

    /// A boolean column (`t` / `f`).
    public func bool(_ row: Int, _ column: String) throws(StoreError) -> Bool? {
        guard let text = try string(row, column) else { return nil }
        return text == "t"
    }

    /// A `bytea` column, decoded from PostgreSQL's hex output (`\x0a1b…`).
    public func bytes(_ row: Int, _ column: String) throws(StoreError) -> [UInt8]? {
        guard let text = try string(row, column) else { return nil }
        guard let bytes = Hex.decodeBytea(text) else { throw StoreError(statement: "result", message: "column `\(column)` is not hex bytea") }
        return bytes
    }

    /// Row count.
    public var count: Int { rows.count }
}

/// Hex text of bytes, as `bytea` input and output use it.
enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decodeBytea(_ text: String) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x") else { return nil }
        utf8.removeFirst(2)
        return decode(utf8)
    }

    static func decode(_ utf8: [UInt8]) -> [UInt8]? {
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
