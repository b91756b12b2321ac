#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON value that keeps object key order and number text as written, so that canonical
/// output is decided here and nowhere else.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number as its JSON text (`12`, `-1.25`); see ``JSONValue/canonicalNumber(_:)``.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in their written order; canonical output sorts them.
    case object([(String, JSONValue)])

    /// A whole number.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): JSONValue.canonicalNumber(a) == JSONValue.canonicalNumber(b)
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a.sortedMembers, b.sortedMembers).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(canonicalText)
    }

    /// The member named `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The members, when this is an object.
    public var objectMembers: [(String, JSONValue)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Whether this is JSON null.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension Array where Element == (String, JSONValue) {
    /// Members ordered by key, comparing UTF-8 bytes (which is code-point order), so the
    /// order never depends on locale.
    var sortedMembers: [(String, JSONValue)] {
        // Most objects the engine writes are built in order already; check before sorting.
        var inOrder = true
        for index in indices.dropFirst() where !utf8Precedes(self[index - 1].0, self[index].0) {
            inOrder = false
            break
        }
        return inOrder ? self : sorted { utf8Precedes($0.0, $1.0) }
    }
}

/// Whether `a` sorts before `b` by UTF-8 bytes (code-point order), independent of locale.
public func utf8Precedes(_ a: String, _ b: String) -> Bool {
    var x = a
    var y = b
    return x.withUTF8 { p in
        y.withUTF8 { q in
            let n = Swift.min(p.count, q.count)
            if n > 0, let base1 = p.baseAddress, let base2 = q.baseAddress {
                let c = memcmp(base1, base2, n)
                if c != 0 { return c < 0 }
            }
            return p.count < q.count
        }
    }
}
