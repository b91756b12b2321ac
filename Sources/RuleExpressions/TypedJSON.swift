import RuleBase

/// A typed-value JSON document that does not describe a CEL value.
public struct CELValueDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    public var description: String { message }
}

extension CELValue {
    /// Decodes the conformance suite's typed-value encoding (`{"int": "42"}`,
    /// `{"map": [[k, v], ...]}`, `{"timestamp": "2009-02-13T23:31:30Z"}`, ...) plus the
    /// extensions `{"date": "2024-01-31"}` and `{"decimal": "1.25"}`.
    public init(typedJSON json: JSONValue) throws(CELValueDecodingError) {
        self = try Self.decode(json, depth: 0)
    }

    private static func decode(_ json: JSONValue, depth: Int) throws(CELValueDecodingError) -> CELValue {
        func fail(_ m: String) -> CELValueDecodingError { CELValueDecodingError(message: m) }
        guard depth < 100 else { throw fail("typed value nested too deeply") }
        guard let members = json.objectMembers, members.count == 1, let (key, v) = members.first else {
            throw fail("a typed value is an object with exactly one member, such as {\"int\": \"1\"}")
        }
        switch key {
        case "null": return .null
        case "bool":
            guard case .bool(let b) = v else { throw fail("\"bool\" needs true or false") }
            return .bool(b)
        case "int":
            guard let s = v.stringValue ?? v.numberText, let i = Int64(s) else { throw fail("\"int\" needs a decimal string") }
            return .int(i)
        case "uint":
            guard let s = v.stringValue ?? v.numberText, let u = UInt64(s) else { throw fail("\"uint\" needs a decimal string") }
            return .uint(u)
        case "double":
            if let t = v.numberText, let d = Double(t) { return .double(d) }
            switch v.stringValue {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            case "-Infinity": return .double(-.infinity)
            default: throw fail("\"double\" needs a number, \"NaN\", \"Infinity\" or \"-Infinity\"")
            }
        case "string":
            guard let s = v.stringValue else { throw fail("\"string\" needs a string") }
            return .string(s)
        case "bytes_b64":
            guard let s = v.stringValue, let b = Base64.decode(s) else { throw fail("\"bytes_b64\" needs base64 text") }
            return .bytes(b)
        case "list":
            guard let items = v.arrayValue else { throw fail("\"list\" needs an array") }
            var out: [CELValue] = []
            for item in items { out.append(try decode(item, depth: depth + 1)) }
            return .list(out)
        case "map":
            guard let pairs = v.arrayValue else { throw fail("\"map\" needs an array of [key, value] pairs") }
            var entries: [(CELValue, CELValue)] = []
            for p in pairs {
                guard let kv = p.arrayValue, kv.count == 2 else { throw fail("each map entry is a [key, value] pair") }
                entries.append((try decode(kv[0], depth: depth + 1), try decode(kv[1], depth: depth + 1)))
            }
            guard let m = CELMap(entries) else { throw fail("map keys must be distinct ints, uints, bools or strings") }
            return .map(m)
        case "timestamp":
            guard let s = v.stringValue, let t = try? CELTime.parseTimestamp(s) else { throw fail("\"timestamp\" needs RFC 3339 text") }
            return .timestamp(t)
        case "duration":
            guard let s = v.stringValue, let d = try? CELTime.parseDuration(s) else { throw fail("\"duration\" needs text such as \"1.5s\"") }
            return .duration(d)
        case "type":
            guard let s = v.stringValue, let t = CELType.denoted(byName: s) else { throw fail("unknown type name") }
            return .type(t)
        case "date":
            guard let s = v.stringValue, let d = CalendarDate(iso: s) else { throw fail("\"date\" needs YYYY-MM-DD") }
            return .date(d)
        case "decimal":
            guard let s = v.stringValue ?? v.numberText, let d = ExactDecimal(s) else { throw fail("\"decimal\" needs decimal text") }
            return .decimal(d)
        default:
            throw fail("unknown typed value kind \"\(key)\"")
        }
    }

    /// The typed-value JSON of this value (the inverse of ``init(typedJSON:)``). Map entries
    /// keep insertion order.
    public var typedJSON: JSONValue {
        switch self {
        case .null: return .object([("null", .bool(true))])
        case .bool(let b): return .object([("bool", .bool(b))])
        case .int(let i): return .object([("int", .string(String(i)))])
        case .uint(let u): return .object([("uint", .string(String(u)))])
        case .double(let d):
            let j: JSONValue
            if d.isNaN { j = .string("NaN") } else if d.isInfinite { j = .string(d < 0 ? "-Infinity" : "Infinity") } else { j = .number(d.description) }
            return .object([("double", j)])
        case .string(let s): return .object([("string", .string(s))])
        case .bytes(let b): return .object([("bytes_b64", .string(Base64.encode(b)))])
        case .list(let l): return .object([("list", .array(l.map(\.typedJSON)))])
        case .map(let m): return .object([("map", .array(zip(m.keys, m.values).map { .array([$0.typedJSON, $1.typedJSON]) }))])
        case .timestamp(let t): return .object([("timestamp", .string(CELTime.format(t)))])
        case .duration(let d): return .object([("duration", .string(CELTime.format(d)))])
        case .date(let d): return .object([("date", .string(d.description))])
        case .decimal(let d): return .object([("decimal", .string(d.description))])
        case .type(let t): return .object([("type", .string(t.runtimeName))])
        }
    }
}

extension JSONValue {
    fileprivate var numberText: String? {
        if case .number(let t) = self { return t }
        return nil
    }
}
