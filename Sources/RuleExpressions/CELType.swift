/// A CEL type as the checker sees it.
///
/// Parameterised types (`list(int)`, `map(string, dyn)`) keep their parameters for checking;
/// runtime type *values* (what `type(x)` returns) drop them, as CEL's do (`type([1])` is `list`).
public indirect enum CELType: Hashable, Sendable, CustomStringConvertible {
    case int, uint, double, bool, string, bytes, null
    /// `google.protobuf.Timestamp`.
    case timestamp
    /// `google.protobuf.Duration`.
    case duration
    /// Extension: a calendar date with no time of day.
    case date
    /// Extension: an exact base-10 number.
    case decimal
    case list(CELType)
    case map(CELType, CELType)
    /// The type of a type value; the parameter is the denoted type when known.
    case type(CELType?)
    /// Any type, checked at run time.
    case dyn
    /// A type parameter in an overload signature (`A` in `size(list(A))`).
    case typeParam(String)
    /// The type of an expression that failed to check; absorbs further errors.
    case error
    /// Extension: a row of a named table (a map from column name to value at run time), whose
    /// columns and their types the environment declares (``CELEnvironment/rowTypes``), so that
    /// `r.stat` and `r.expiration_date == 'x'` are check errors, not run-time surprises.
    case row(String)

    /// Parses the type syntax of `type_env`: `int`, `list(string)`, `map(string, dyn)`,
    /// `google.protobuf.Timestamp`, `type(int)`, `date`, `decimal`. Nil for anything else.
    public init?(parsing text: String) {
        var parser = TypeTextParser(bytes: Array(text.utf8))
        guard let type = parser.parseType(depth: 0), parser.atEnd else { return nil }
        self = type
    }

    /// The name used in type values and messages (`list(int)`, `google.protobuf.Timestamp`).
    public var description: String {
        switch self {
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .bool: "bool"
        case .string: "string"
        case .bytes: "bytes"
        case .null: "null_type"
        case .timestamp: "google.protobuf.Timestamp"
        case .duration: "google.protobuf.Duration"
        case .date: "date"
        case .decimal: "decimal"
        case .list(let e): "list(\(e))"
        case .map(let k, let v): "map(\(k), \(v))"
        case .type(let t): t.map { "type(\($0))" } ?? "type"
        case .dyn: "dyn"
        case .typeParam(let n): n
        case .error: "*error*"
        case .row(let table): "row(\(table))"
        }
    }

    /// The unparameterised name a runtime type value prints as (`list`, `map`, `type`).
    public var runtimeName: String {
        switch self {
        case .list: "list"
        case .map, .row: "map"
        case .type: "type"
        default: description
        }
    }

    /// The runtime form of a type value: parameters erased, so `type([1]) == type(['a'])`.
    var erased: CELType {
        switch self {
        case .list: .list(.dyn)
        case .map, .row: .map(.dyn, .dyn)
        case .type: .type(nil)
        default: self
        }
    }

    /// The type denoted by a bare type name in an expression (`int`, `list`, `null_type`).
    static func denoted(byName name: String) -> CELType? {
        switch name {
        case "int": .int
        case "uint": .uint
        case "double": .double
        case "bool": .bool
        case "string": .string
        case "bytes": .bytes
        case "null_type": .null
        case "list": .list(.dyn)
        case "map": .map(.dyn, .dyn)
        case "type": .type(nil)
        case "google.protobuf.Timestamp": .timestamp
        case "google.protobuf.Duration": .duration
        case "date": .date
        case "decimal": .decimal
        default: nil
        }
    }

    /// Whether the type is dyn or contains no information yet.
    var isDynOrError: Bool {
        switch self {
        case .dyn, .error, .typeParam: true
        default: false
        }
    }
}

/// A small recursive-descent reader for type text, depth-capped like every parser here.
private struct TypeTextParser {
    let bytes: [UInt8]
    var index = 0

    var atEnd: Bool {
        mutating get { skipSpace(); return index == bytes.count }
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 { index += 1 }
    }

    mutating func name() -> String {
        skipSpace()
        let start = index
        while index < bytes.count {
            let b = bytes[index]
            let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || b == 0x5F || b == 0x2E
            if !ok { break }
            index += 1
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func expect(_ c: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == c else { return false }
        index += 1
        return true
    }

    mutating func parseType(depth: Int) -> CELType? {
        guard depth < 32 else { return nil }
        let n = name()
        switch n {
        case "list":
            guard expect(0x28), let e = parseType(depth: depth + 1), expect(0x29) else { return nil }
            return .list(e)
        case "map":
            guard expect(0x28), let k = parseType(depth: depth + 1), expect(0x2C),
                  let v = parseType(depth: depth + 1), expect(0x29) else { return nil }
            return .map(k, v)
        case "type":
            skipSpace()
            if index < bytes.count, bytes[index] == 0x28 {
                index += 1
                guard let t = parseType(depth: depth + 1), expect(0x29) else { return nil }
                return .type(t)
            }
            return .type(nil)
        case "row":
            guard expect(0x28) else { return nil }
            let table = name()
            guard !table.isEmpty, expect(0x29) else { return nil }
            return .row(table)
        case "dyn": return .dyn
        case "timestamp": return .timestamp
        case "duration": return .duration
        default: return CELType.denoted(byName: n)
        }
    }
}
