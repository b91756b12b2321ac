import RuleBase

/// A CEL run-time value.
///
/// Swift `==` on values is *structural*: kinds must match exactly (`1`, `1u` and `1.0` are
/// three different values), NaN equals NaN and `-0.0` differs from `0.0`. That is what
/// tests and the conformance runner need. CEL's own `==` operator, which compares numbers
/// across kinds and never equates NaN, is ``CELValue/celEquals(_:)``.
public enum CELValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map(CELMap)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    /// Extension: a calendar date.
    case date(CalendarDate)
    /// Extension: an exact decimal.
    case decimal(ExactDecimal)
    /// A type value such as `int` or `list` (parameters erased).
    case type(CELType)

    public static func == (lhs: CELValue, rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.uint(a), .uint(b)): a == b
        case let (.double(a), .double(b)): (a.isNaN && b.isNaN) || (a == b && a.sign == b.sign)
        case let (.string(a), .string(b)): sameBytes(a, b)
        case let (.bytes(a), .bytes(b)): a == b
        case let (.list(a), .list(b)): a == b
        case let (.map(a), .map(b)): a == b
        case let (.timestamp(a), .timestamp(b)): a == b
        case let (.duration(a), .duration(b)): a == b
        case let (.date(a), .date(b)): a == b
        case let (.decimal(a), .decimal(b)): a == b
        case let (.type(a), .type(b)): a.erased == b.erased
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(1); hasher.combine(b)
        case .int(let i): hasher.combine(2); hasher.combine(i)
        case .uint(let u): hasher.combine(3); hasher.combine(u)
        case .double(let d): hasher.combine(4); hasher.combine(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        case .string(let s): hasher.combine(5); hasher.combine(s.utf8.count); for b in s.utf8 { hasher.combine(b) }
        case .bytes(let b): hasher.combine(6); hasher.combine(b)
        case .list(let l): hasher.combine(7); hasher.combine(l)
        case .map(let m): hasher.combine(8); hasher.combine(m)
        case .timestamp(let t): hasher.combine(9); hasher.combine(t)
        case .duration(let d): hasher.combine(10); hasher.combine(d)
        case .date(let d): hasher.combine(11); hasher.combine(d)
        case .decimal(let d): hasher.combine(12); hasher.combine(d)
        case .type(let t): hasher.combine(13); hasher.combine(t.erased)
        }
    }

    /// The entry view when the value is a small map (see ``CELMap/EntryView``).
    @inline(__always)
    var entryView: CELMap.EntryView? {
        if case .map(let m) = self { return m.entryView }
        return nil
    }

    /// The run-time type of the value, as `type(x)` reports it.
    public var celType: CELType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list(.dyn)
        case .map: .map(.dyn, .dyn)
        case .timestamp: .timestamp
        case .duration: .duration
        case .date: .date
        case .decimal: .decimal
        case .type: .type(nil)
        }
    }

    /// A map with string keys, the shape the rule engine binds for events.
    public static func stringMap(_ entries: [(String, CELValue)]) -> CELValue {
        .map(CELMap(stringKeyed: entries))
    }
}

/// A point in time with nanosecond precision, in the range CEL allows:
/// 0001-01-01T00:00:00Z through 9999-12-31T23:59:59.999999999Z.
public struct CELTimestamp: Hashable, Sendable, Comparable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64
    /// Nanoseconds within the second, 0..<1_000_000_000.
    public let nanos: Int32

    static let minSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maxSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    /// A timestamp, or nil outside CEL's range.
    public init?(seconds: Int64, nanos: Int32 = 0) {
        guard nanos >= 0, nanos < 1_000_000_000, seconds >= Self.minSeconds, seconds <= Self.maxSeconds else { return nil }
        self.seconds = seconds
        self.nanos = nanos
    }

    public static func < (lhs: CELTimestamp, rhs: CELTimestamp) -> Bool {
        (lhs.seconds, lhs.nanos) < (rhs.seconds, rhs.nanos)
    }
}

/// A signed span of time in nanoseconds. Like cel-go, the range is that of a 64-bit
/// nanosecond count (about ±292 years); results outside it are range errors.
public struct CELDuration: Hashable, Sendable, Comparable {
    /// Total nanoseconds.
    public let nanoseconds: Int64

    /// A duration of `nanoseconds`.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (lhs: CELDuration, rhs: CELDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// Byte equality of strings. Swift's `==` uses canonical equivalence, which CEL does not;
/// `==` is tried first because it is fast and implied by byte equality.
@inline(__always)
func sameBytes(_ a: String, _ b: String) -> Bool {
    guard a == b else { return false }
    var x = a
    var y = b
    return x.withUTF8 { p in y.withUTF8 { q in p.count == q.count && p.elementsEqual(q) } }
}

/// Byte equality when `b` is known to be ASCII. No non-ASCII text is canonically equivalent
/// to ASCII text of the same UTF-8 length (every non-ASCII scalar is at least two bytes and
/// decomposes to at most one ASCII scalar), so Swift's `==` plus equal lengths is exact.
@inline(__always)
func sameASCII(_ a: String, _ b: String) -> Bool {
    a.utf8.count == b.utf8.count && a == b
}

/// A map key after CEL's key normalisation: numeric keys compare by value across int, uint
/// and (on lookup) whole doubles, so `{1u: 'a'}[1]` finds the entry.
enum MapKey: Hashable {
    case bool(Bool)
    case int(Int64)
    /// A uint above `Int64.max`.
    case bigUInt(UInt64)
    case string(String)

    /// The key for a value used to *build* a map; nil for types that cannot be keys.
    init?(key value: CELValue) {
        switch value {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .uint(let u): self = u <= UInt64(Int64.max) ? .int(Int64(u)) : .bigUInt(u)
        case .string(let s): self = .string(s)
        default: return nil
        }
    }

    /// The key for a value used to *look up* an entry: also accepts whole doubles.
    init?(lookup value: CELValue) {
        if case .double(let d) = value {
            if let i = Int64(exactly: d) { self = .int(i); return }
            if let u = UInt64(exactly: d) { self = .bigUInt(u); return }
            return nil
        }
        self.init(key: value)
    }

    static func == (lhs: MapKey, rhs: MapKey) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.bigUInt(a), .bigUInt(b)): a == b
        // Byte comparison: CEL does not normalise Unicode.
        case let (.string(a), .string(b)): sameBytes(a, b)
        default: false
        }
    }

    func hash(into hasher: inout Hasher) {
        switch self {
        case .bool(let b): hasher.combine(0); hasher.combine(b)
        case .int(let i): hasher.combine(1); hasher.combine(i)
        case .bigUInt(let u): hasher.combine(2); hasher.combine(u)
        case .string(let s): hasher.combine(3); hasher.combine(s)
        }
    }
}

/// Why a map could not be built.
enum MapBuildError: Error {
    case invalidKey(CELValue)
    case duplicateKey(CELValue)
}

/// A CEL map: entries in insertion order (so output is deterministic) with lookup by key.
///
/// Small maps (the event records the rule engine binds) are searched linearly, which for a
/// handful of short string keys beats hashing; larger ones get a hash index.
public struct CELMap: Hashable, Sendable {
    /// Immutable shared storage, so copying a map value costs one reference count. Entries
    /// live in raw buffers rather than arrays so that a lookup touches no further reference
    /// counts (the array buffers would each be retained and released per lookup).
    private final class Storage: @unchecked Sendable {
        // Written once in init, read-only afterwards, freed in deinit.
        let count: Int
        let keyBuffer: UnsafeMutablePointer<CELValue>
        let valueBuffer: UnsafeMutablePointer<CELValue>
        let index: [MapKey: Int]?

        init(keys: [CELValue], values: [CELValue]) {
            count = keys.count
            keyBuffer = UnsafeMutablePointer<CELValue>.allocate(capacity: max(count, 1))
            valueBuffer = UnsafeMutablePointer<CELValue>.allocate(capacity: max(count, 1))
            for i in 0..<count {
                (keyBuffer + i).initialize(to: keys[i])
                (valueBuffer + i).initialize(to: values[i])
            }
            if keys.count > CELMap.indexThreshold {
                var built: [MapKey: Int] = [:]
                for (i, k) in keys.enumerated() {
                    if let mk = MapKey(key: k) { built[mk] = i }
                }
                index = built
            } else {
                index = nil
            }
        }

        deinit {
            keyBuffer.deinitialize(count: count)
            keyBuffer.deallocate()
            valueBuffer.deinitialize(count: count)
            valueBuffer.deallocate()
        }

        var keys: [CELValue] { Array(UnsafeBufferPointer(start: keyBuffer, count: count)) }
        var values: [CELValue] { Array(UnsafeBufferPointer(start: valueBuffer, count: count)) }
    }

    private let storage: Storage

    /// Keys in insertion order.
    public var keys: [CELValue] { storage.keys }
    /// Values, parallel to ``keys``.
    public var values: [CELValue] { storage.values }

    fileprivate static let indexThreshold = 12

    /// An empty map.
    public init() {
        storage = Storage(keys: [], values: [])
    }

    /// A map from string keys; a later duplicate key replaces the earlier value.
    public init(stringKeyed entries: [(String, CELValue)]) {
        // Keys in increasing order cannot repeat, and fact rows arrive that way (canonical
        // JSON): then no dictionary of seen keys is needed.
        if zip(entries, entries.dropFirst()).allSatisfy({ utf8Precedes($0.0, $1.0) }) {
            storage = Storage(keys: entries.map { .string($0.0) }, values: entries.map(\.1))
            return
        }
        var keys: [CELValue] = []
        var values: [CELValue] = []
        var seen: [String: Int] = [:]
        for (k, v) in entries {
            if let i = seen[k], keys[i] == .string(k) { values[i] = v; continue }
            seen[k] = keys.count
            keys.append(.string(k))
            values.append(v)
        }
        storage = Storage(keys: keys, values: values)
    }

    /// A map from entries; throws on a key that is not bool, int, uint or string, or on a
    /// repeated key (CEL rejects `{1: 'a', 1u: 'b'}`).
    init(entries: [(CELValue, CELValue)]) throws(MapBuildError) {
        var keys: [CELValue] = []
        var values: [CELValue] = []
        var seen = Set<MapKey>()
        keys.reserveCapacity(entries.count)
        values.reserveCapacity(entries.count)
        for (k, v) in entries {
            guard let key = MapKey(key: k) else { throw .invalidKey(k) }
            guard seen.insert(key).inserted else { throw .duplicateKey(k) }
            keys.append(k)
            values.append(v)
        }
        storage = Storage(keys: keys, values: values)
    }

    /// A map from entries, or nil on an invalid or repeated key.
    public init?(_ entries: [(CELValue, CELValue)]) {
        guard let map = try? CELMap(entries: entries) else { return nil }
        self = map
    }

    func position(of key: MapKey) -> Int? {
        if let index = storage.index { return index[key] }
        for i in 0..<storage.count {
            if let k = MapKey(key: storage.keyBuffer[i]), k == key { return i }
        }
        return nil
    }

    /// Number of entries.
    public var count: Int { storage.count }

    /// Entries in insertion order.
    public var entries: [(key: CELValue, value: CELValue)] {
        Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
    }

    /// The value for a key, with CEL's numeric key matching; nil when absent.
    public subscript(key: CELValue) -> CELValue? {
        guard let mk = MapKey(lookup: key), let i = position(of: mk) else { return nil }
        return storage.valueBuffer[i]
    }

    /// A view of the entries of a map without a hash index, or nil for an indexed map.
    var entryView: EntryView? {
        storage.index == nil ? EntryView(count: storage.count, keys: storage.keyBuffer, values: storage.valueBuffer) : nil
    }

    /// The value for a string key: the fast path for `e.category`.
    @inline(__always)
    public func value(forStringKey name: String) -> CELValue? {
        value(forStringKey: name, ascii: name.utf8.allSatisfy { $0 < 0x80 })
    }

    /// The lookup with the key's ASCII-ness precomputed (the compiler knows it for `e.field`).
    @inline(__always)
    func value(forStringKey name: String, ascii: Bool) -> CELValue? {
        if let index = storage.index { return index[.string(name)].map { storage.valueBuffer[$0] } }
        let n = storage.count
        let keys = storage.keyBuffer
        var i = 0
        while i < n {
            if case .string(let k) = keys[i], ascii ? sameASCII(k, name) : sameBytes(k, name) { return storage.valueBuffer[i] }
            i += 1
        }
        return nil
    }

    /// A non-owning view of a small (unindexed) map's entries: the comprehension loop binds
    /// one per element so that `e.field` reads the entry in place, with no reference count
    /// traffic on the map's storage. It holds raw pointers into that storage, so it is valid
    /// only while a value holding the map is alive; the loop keeps its range alive for that.
    struct EntryView {
        let count: Int
        let keys: UnsafePointer<CELValue>
        let values: UnsafePointer<CELValue>

        /// The position of a string key; `ascii` as in ``CELMap/value(forStringKey:ascii:)``.
        @inline(__always)
        func position(ofStringKey name: String, ascii: Bool) -> Int? {
            var i = 0
            while i < count {
                if case .string(let k) = keys[i], ascii ? sameASCII(k, name) : sameBytes(k, name) { return i }
                i += 1
            }
            return nil
        }

        @inline(__always)
        func value(forStringKey name: String, ascii: Bool) -> CELValue? {
            position(ofStringKey: name, ascii: ascii).map { values[$0] }
        }
    }

    public static func == (lhs: CELMap, rhs: CELMap) -> Bool {
        guard lhs.count == rhs.count else { return false }
        let (lk, lv, rk, rv) = (lhs.keys, lhs.values, rhs.keys, rhs.values)
        for i in lk.indices {
            guard let mk = MapKey(key: lk[i]), let j = rhs.position(of: mk),
                  rk[j] == lk[i], rv[j] == lv[i] else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-independent: equal maps may list entries in different orders.
        var combined = 0
        let (ks, vs) = (keys, values)
        for i in ks.indices {
            var h = Hasher()
            h.combine(ks[i])
            h.combine(vs[i])
            combined ^= h.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

// MARK: - CEL equality and ordering

extension CELValue {
    /// CEL's `==`: numbers compare by value across int, uint, double and decimal; NaN is
    /// never equal; values of different kinds are unequal (never an error).
    public func celEquals(_ other: CELValue) -> Bool {
        switch (self, other) {
        case let (.string(a), .string(b)): return sameBytes(a, b)
        case let (.int(a), .int(b)): return a == b
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.list(a), .list(b)):
            guard a.count == b.count else { return false }
            for i in a.indices where !a[i].celEquals(b[i]) { return false }
            return true
        case let (.map(a), .map(b)):
            guard a.count == b.count else { return false }
            let (ak, av) = (a.keys, a.values)
            for i in ak.indices {
                guard let v = b[ak[i]], av[i].celEquals(v) else { return false }
            }
            return true
        case let (.timestamp(a), .timestamp(b)): return a == b
        case let (.duration(a), .duration(b)): return a == b
        case let (.date(a), .date(b)): return a == b
        case let (.type(a), .type(b)): return a.erased == b.erased
        default:
            if let order = try? numericOrder(self, other) { return order == 0 }
            return false
        }
    }
}

/// Ordering of two numbers of any numeric kinds: -1, 0, 1, or nil when unordered (NaN).
/// Throws when either is not a number.
func numericOrder(_ a: CELValue, _ b: CELValue) throws(EvalFailure) -> Int? {
    func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
    switch (a, b) {
    case let (.int(x), .int(y)): return cmp(x, y)
    case let (.uint(x), .uint(y)): return cmp(x, y)
    case let (.double(x), .double(y)): return x.isNaN || y.isNaN ? nil : cmp(x, y)
    case let (.int(x), .uint(y)): return x < 0 ? -1 : cmp(UInt64(x), y)
    case let (.uint(x), .int(y)): return y < 0 ? 1 : cmp(x, UInt64(y))
    case let (.int(x), .double(y)): return compareIntDouble(x, y)
    case let (.double(x), .int(y)): return compareIntDouble(y, x).map { -$0 }
    case let (.uint(x), .double(y)): return compareUIntDouble(x, y)
    case let (.double(x), .uint(y)): return compareUIntDouble(y, x).map { -$0 }
    case let (.decimal(x), .decimal(y)): return cmp(x, y)
    case let (.decimal(x), .int(y)): return cmp(x, ExactDecimal(Int(y)))
    case let (.int(x), .decimal(y)): return cmp(ExactDecimal(Int(x)), y)
    case let (.decimal(x), .uint(y)):
        guard let yi = Int64(exactly: y) else { return -1 }
        return cmp(x, ExactDecimal(Int(yi)))
    case let (.uint(x), .decimal(y)):
        guard let xi = Int64(exactly: x) else { return 1 }
        return cmp(ExactDecimal(Int(xi)), y)
    case let (.decimal(x), .double(y)): return y.isNaN ? nil : cmp(x.doubleValue, y)
    case let (.double(x), .decimal(y)): return x.isNaN ? nil : cmp(x, y.doubleValue)
    default: throw .noSuchOverload
    }
}

/// An int against a double, as cel-go compares them: the int converted to double. (So
/// 9223372036854775807 equals 9223372036854775808.0; the conformance suite expects that.)
private func compareIntDouble(_ x: Int64, _ y: Double) -> Int? {
    if y.isNaN { return nil }
    let d = Double(x)
    return d < y ? -1 : (d == y ? 0 : 1)
}

private func compareUIntDouble(_ x: UInt64, _ y: Double) -> Int? {
    if y.isNaN { return nil }
    let d = Double(x)
    return d < y ? -1 : (d == y ? 0 : 1)
}

/// CEL's ordering for `<`, `<=`, `>`, `>=`: nil when unordered (NaN), an error for kinds
/// with no ordering (lists, maps, null, mixed non-numeric kinds).
func celCompare(_ a: CELValue, _ b: CELValue) throws(EvalFailure) -> Int? {
    func cmp<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x == y ? 0 : 1) }
    switch (a, b) {
    case let (.date(x), .date(y)): return cmp(x.daysSinceEpoch, y.daysSinceEpoch)
    case let (.string(x), .string(y)):
        if sameBytes(x, y) { return 0 }
        return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
    case let (.bool(x), .bool(y)): return x == y ? 0 : (x ? 1 : -1)
    case let (.bytes(x), .bytes(y)): return x == y ? 0 : (x.lexicographicallyPrecedes(y) ? -1 : 1)
    case let (.timestamp(x), .timestamp(y)): return cmp(x, y)
    case let (.duration(x), .duration(y)): return cmp(x, y)
    default: return try numericOrder(a, b)
    }
}
