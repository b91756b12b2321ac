/// A JSON syntax error with its 1-based position.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Where, in the parsed text.
    public var location: SourceLocation

    public var description: String { "\(location.line):\(location.column): \(message)" }
}

/// A strict JSON parser (RFC 8259) that keeps key order and number text and refuses
/// duplicate keys and nesting deeper than ``JSONParser/maximumDepth``.
public struct JSONParser {
    /// Deepest nesting accepted; deeper input is an error, never a stack overflow.
    public static let maximumDepth = 200

    /// Whether bytes hold nothing but JSON white space (a blank JSON Lines line).
    public static func isBlank(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Parses one JSON document.
    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        // `withUTF8` rethrows untyped errors; carry the typed one out in a Result.
        let result = text.withUTF8 { bytes in Result { () throws(JSONSyntaxError) in try parse(bytes, capturingRows: false).value } }
        return try result.get()
    }

    /// Parses a facts document (an object of table name → array of row objects) given as UTF-8
    /// bytes and also returns, per table, each row's source bytes when they are already
    /// canonical JSON (nil for a row that is not), so the execution log can reuse them instead
    /// of re-serialising. The bytes need no prior validation: the only place non-ASCII may
    /// appear is inside strings, and every string is validated.
    public static func parseCapturingCanonicalRows(
        _ bytes: ArraySlice<UInt8>
    ) throws(JSONSyntaxError) -> (value: JSONValue, canonicalRows: [String: [[UInt8]?]]) {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in try parse(buffer, capturingRows: true) }
    }

    /// Parses one value given as UTF-8 bytes and says whether its text already is canonical
    /// JSON (so the bytes can stand for it unchanged).
    public static func parseCheckingCanonical(_ bytes: ArraySlice<UInt8>) throws(JSONSyntaxError) -> (value: JSONValue, isCanonical: Bool) {
        try bytes.withUnsafeBufferPointer { buffer throws(JSONSyntaxError) in
            var parser = Cursor(bytes: buffer, end: buffer.count)
            let value = try parser.value(depth: 2)
            if parser.index != parser.end { throw parser.error("unexpected text after the JSON value") }
            return (value, parser.canonical)
        }
    }

    /// What ``scanFactsDocument(_:table:row:)`` reports about one member of a facts document.
    public enum FactsDocumentMember {
        /// A table whose value is an array; return whether to report its rows.
        case table(String)
        /// A table whose value is not an array.
        case notATable(String)
    }

    /// Walks a facts document (an object of table name → array of rows) without building it:
    /// each row is parsed on its own, handed to `row` with its byte range, and dropped, so that
    /// a document of any size needs memory only for its rows one at a time. As strict as
    /// ``parse(_:)``: any syntax error, anywhere, throws.
    /// - Parameters:
    ///   - table: called for each member; for ``FactsDocumentMember/table(_:)`` returns whether
    ///     to report its rows (the rows of other members are parsed and skipped).
    ///   - row: the table's name, the row's byte range in `bytes` and its value.
    public static func scanFactsDocument(
        _ bytes: UnsafeBufferPointer<UInt8>, table: (FactsDocumentMember) -> Bool, row: (String, Range<Int>, JSONValue) -> Void
    ) throws(JSONSyntaxError) {
        var parser = Cursor(bytes: bytes, end: bytes.count)
        parser.skipSpace()
        guard parser.index < parser.end, bytes[parser.index] == UInt8(ascii: "{") else {
            _ = try parser.value(depth: 0)
            parser.skipSpace()
            if parser.index != parser.end { throw parser.error("unexpected text after the JSON value") }
            _ = table(.notATable(""))
            return
        }
        parser.index += 1
        var seen = Set<String>()
        parser.skipSpace()
        if parser.index < parser.end, bytes[parser.index] == UInt8(ascii: "}") {
            parser.index += 1
        } else {
            while true {
                parser.skipSpace()
                guard parser.index < parser.end, bytes[parser.index] == UInt8(ascii: "\"") else { throw parser.error("expected a string key in object") }
                let keyStart = parser.index
                let key = try parser.string()
                guard seen.insert(key).inserted else {
                    parser.index = keyStart
                    throw parser.error("duplicate key \"\(key)\" in object")
                }
                parser.skipSpace()
                guard parser.index < parser.end, bytes[parser.index] == UInt8(ascii: ":") else { throw parser.error("expected ':' after object key") }
                parser.index += 1
                parser.skipSpace()
                if parser.index < parser.end, bytes[parser.index] == UInt8(ascii: "[") {
                    let wanted = table(.table(key))
                    parser.index += 1
                    parser.skipSpace()
                    if parser.index < parser.end, bytes[parser.index] == UInt8(ascii: "]") {
                        parser.index += 1
                    } else {
                        while true {
                            parser.skipSpace()
                            let start = parser.index
                            let value = try parser.value(depth: 2)
                            if wanted { row(key, start..<parser.index, value) }
                            parser.skipSpace()
                            guard parser.index < parser.end else { throw parser.error("unterminated array") }
                            if bytes[parser.index] == UInt8(ascii: ",") { parser.index += 1; continue }
                            if bytes[parser.index] == UInt8(ascii: "]") { parser.index += 1; break }
                            throw parser.error("expected ',' or ']' in array")
                        }
                    }
                } else {
                    _ = try parser.value(depth: 1)
                    _ = table(.notATable(key))
                }
                parser.skipSpace()
                guard parser.index < parser.end else { throw parser.error("unterminated object") }
                if bytes[parser.index] == UInt8(ascii: ",") { parser.index += 1; continue }
                if bytes[parser.index] == UInt8(ascii: "}") { parser.index += 1; break }
                throw parser.error("expected ',' or '}' in object")
            }
        }
        parser.skipSpace()
        if parser.index != parser.end { throw parser.error("unexpected text after the JSON value") }
    }

    private static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, capturingRows: Bool
    ) throws(JSONSyntaxError) -> (value: JSONValue, canonicalRows: [String: [[UInt8]?]]) {
        var parser = Cursor(bytes: buffer, end: buffer.count)
        parser.capturing = capturingRows
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.index != parser.end { throw parser.error("unexpected text after the JSON value") }
        return (value, parser.captured)
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        let end: Int
        var index = 0
        /// Whether to capture canonical row objects (depth 2 under a top-level object).
        var capturing = false
        /// Cleared when the text parsed since it was last set is not canonical JSON.
        var canonical = true
        var captured: [String: [[UInt8]?]] = [:]
        var currentRows: [[UInt8]?] = []

        init(bytes: UnsafeBufferPointer<UInt8>, end: Int) {
            self.bytes = bytes
            self.end = end
        }

        func error(_ message: String) -> JSONSyntaxError {
            var line = 1
            var column = 1
            for i in 0..<min(index, end) {
                if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            }
            return JSONSyntaxError(message: message, location: SourceLocation(line: line, column: column))
        }

        mutating func skipSpace() {
            while index < end {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1; canonical = false
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            guard depth < JSONParser.maximumDepth else { throw error("JSON nested deeper than \(JSONParser.maximumDepth) levels") }
            guard index < end else { throw error("unexpected end of JSON") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected character in JSON")
            }
        }

        mutating func literal(_ word: String) throws(JSONSyntaxError) {
            let expected = Array(word.utf8)
            guard index + expected.count <= end else { throw error("invalid literal") }
            for i in 0..<expected.count where bytes[index + i] != expected[i] { throw error("invalid literal") }
            index += expected.count
        }

        mutating func number() throws(JSONSyntaxError) -> JSONValue {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
            guard index < end, isDigit(bytes[index]) else { throw error("invalid number") }
            if bytes[index] == 0x30 { index += 1 } else { while index < end, isDigit(bytes[index]) { index += 1 } }
            if index < end, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard index < end, isDigit(bytes[index]) else { throw error("invalid number: digits expected after '.'") }
                while index < end, isDigit(bytes[index]) { index += 1 }
            }
            if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < end, isDigit(bytes[index]) else { throw error("invalid number: digits expected in exponent") }
                while index < end, isDigit(bytes[index]) { index += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if canonical, !JSONValue.isCanonicalInteger(text), JSONValue.canonicalNumber(text) != text { canonical = false }
            return .number(text)
        }

        mutating func string() throws(JSONSyntaxError) -> String {
            index += 1  // opening quote
            let start = index
            // Fast path: no escapes.
            var high: UInt8 = 0
            while index < end, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
                high |= bytes[index]
                index += 1
            }
            if index < end, bytes[index] == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // ASCII needs no validation, and decoding it cannot repair anything; the
                // generic validating initialiser costs more than the rest of the parse.
                if high < 0x80 { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
                return s
            }
            var scalars = [UInt8](UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while true {
                guard index < end else { throw error("unterminated string") }
                let b = bytes[index]
                if b == UInt8(ascii: "\"") { index += 1; break }
                if b < 0x20 { throw error("control character in string") }
                if b != UInt8(ascii: "\\") { scalars.append(b); index += 1; continue }
                index += 1
                guard index < end else { throw error("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append(0x22)
                case UInt8(ascii: "\\"): scalars.append(0x5C)
                case UInt8(ascii: "/"): scalars.append(0x2F); canonical = false
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    // The canonical writer emits raw UTF-8 except for control characters;
                    // treating every \u escape as non-canonical only costs a re-serialisation.
                    canonical = false
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in string")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in string") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(code) {
                        throw error("unpaired surrogate in string")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("invalid escape in string")
                }
            }
            guard let s = String(validating: scalars, as: UTF8.self) else { throw error("invalid UTF-8 in string") }
            return s
        }

        mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
            guard index + 4 <= end else { throw error("invalid \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[index]
                let digit: UInt32
                switch b {
                case 0x30...0x39: digit = UInt32(b - 0x30)
                case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
                default: throw error("invalid \\u escape")
                }
                value = value * 16 + digit
                index += 1
            }
            return value
        }

        mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            index += 1
            var items: [JSONValue] = []
            skipSpace()
            if index < end, bytes[index] != UInt8(ascii: "]") { items.reserveCapacity(8) }
            if index < end, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            let capturingRows = capturing && depth == 1
            while true {
                skipSpace()
                if capturingRows {
                    let outer = canonical
                    let start = index
                    canonical = true
                    let item = try value(depth: depth + 1)
                    if case .object = item, canonical {
                        currentRows.append(Array(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                    } else {
                        currentRows.append(nil)
                    }
                    canonical = outer && canonical
                    items.append(item)
                } else {
                    items.append(try value(depth: depth + 1))
                }
                skipSpace()
                guard index < end else { throw error("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                throw error("expected ',' or ']' in array")
            }
        }

        mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
            index += 1
            var members: [(String, JSONValue)] = []
            members.reserveCapacity(12)  // fact rows have about ten columns: grow once, not four times
            // Keys as UTF-8, for exact (not canonically equivalent) duplicate detection; built
            // only for large objects whose keys arrive out of order.
            var seen: Set<[UInt8]>?
            // Whether every key so far was greater than the one before: only then can a key
            // greater than the last be new without a search.
            var ordered = true
            skipSpace()
            if index < end, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipSpace()
                guard index < end, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key in object") }
                let keyStart = index
                let key = try string()
                // Keys in increasing order cannot repeat; once one key is out of order (which
                // makes the object non-canonical), every later key needs a search: in
                // `{"id", "state", "provider_id", "state"}` the second `state` follows a smaller key.
                if let last = members.last?.0, !ordered || !utf8Precedes(last, key) {
                    ordered = false
                    canonical = false
                    let duplicate: Bool
                    if members.count < 32 {
                        duplicate = members.contains { $0.0.utf8.elementsEqual(key.utf8) }
                    } else {
                        if seen == nil { seen = Set(members.map { Array($0.0.utf8) }) }
                        duplicate = seen?.contains(Array(key.utf8)) ?? false
                    }
                    if duplicate {
                        index = keyStart
                        throw error("duplicate key \"\(key)\" in object")
                    }
                }
                seen?.insert(Array(key.utf8))
                skipSpace()
                guard index < end, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after object key") }
                index += 1
                skipSpace()
                let capturingTable = capturing && depth == 0
                if capturingTable { currentRows = [] }
                members.append((key, try value(depth: depth + 1)))
                if capturingTable { captured[key] = currentRows }
                skipSpace()
                guard index < end else { throw error("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error("expected ',' or '}' in object")
            }
        }
    }
}
