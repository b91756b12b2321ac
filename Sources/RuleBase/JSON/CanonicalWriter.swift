/// Writes canonical JSON straight to bytes, for documents built field by field (the execution
/// log), without first building a ``JSONValue`` tree.
///
/// The caller writes object keys in code-point order; debug builds check it, so a misordered
/// key fails the tests rather than producing non-canonical output.
public struct CanonicalWriter {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    /// Per open container, one bit: whether it has an element yet (bit `depth - 1` is the
    /// innermost). A bit stack rather than an array: it is touched for every value written.
    private var hasElement: UInt64 = 0
    /// How many containers are open (at most 64).
    private var depth = 0
    #if DEBUG
    /// Per open container: the last key written (checked in debug builds only).
    private var lastKeys: [String?] = []
    #endif

    /// Creates a writer with room for `capacity` bytes.
    public init(capacity: Int = 1024) {
        bytes.reserveCapacity(capacity)
    }

    /// Continues after the bytes of `buffer`, which the writer takes over (no copy; `buffer` is
    /// left empty until ``takeBytes()`` hands them back): many documents written into one buffer.
    public init(appendingTo buffer: inout [UInt8]) {
        swap(&bytes, &buffer)
    }

    /// Hands the bytes written back, leaving the writer empty (no copy).
    public mutating func takeBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &bytes)
        return taken
    }

    /// Makes room for `count` more bytes.
    public mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    /// Before a value: nothing after a key; a comma between array elements.
    private mutating func beginValue() {
        if valueFollowsKey { valueFollowsKey = false; return }
        guard depth > 0 else { return }
        markElement()
    }

    /// Records an element in the innermost container, after a comma when it is not the first.
    private mutating func markElement() {
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if hasElement & bit != 0 { bytes.append(UInt8(ascii: ",")) }
        hasElement |= bit
    }

    private mutating func push() {
        precondition(depth < 64, "canonical writer: containers nested more than 64 deep")
        depth += 1
        hasElement &= ~(1 << UInt64(depth - 1))
        #if DEBUG
        lastKeys.append(nil)
        #endif
    }

    private mutating func pop() {
        depth -= 1
        #if DEBUG
        lastKeys.removeLast()
        #endif
    }

    /// Opens an object (as a value: at the top, in an array, or after a key).
    public mutating func beginObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        push()
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        pop()
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array.
    public mutating func beginArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        push()
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        pop()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a key spelled in the source; the value written next belongs to it. Keys are
    /// much of what the execution log writes, so a literal one is copied as it is: it must
    /// need no escaping (debug builds check).
    public mutating func key(_ name: StaticString) {
        let utf8 = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        #if DEBUG
        assert(name.hasPointerRepresentation && JSONValue.needsNoEscaping(utf8), "literal keys are written unescaped: \(name)")
        checkOrder(name.description)
        #endif
        markElement()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: utf8)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        valueFollowsKey = true
    }

    /// Writes a key known only at run time (escaped as any string).
    public mutating func key(escaping name: String) {
        #if DEBUG
        checkOrder(name)
        #endif
        markElement()
        JSONValue.writeString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        valueFollowsKey = true
    }

    #if DEBUG
    private mutating func checkOrder(_ key: String) {
        let index = depth - 1
        assert(lastKeys[index].map { utf8Precedes($0, key) } ?? true, "canonical keys must be written in order: \(key)")
        lastKeys[index] = key
    }
    #endif

    /// Set between a key and its value, so the value adds no separator.
    private var valueFollowsKey = false

    /// Writes a string value.
    public mutating func string(_ value: String) {
        beginValue()
        JSONValue.writeString(value, to: &bytes)
    }

    /// Writes a string value, or null.
    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// Writes an integer.
    public mutating func int(_ value: Int) {
        beginValue()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes an integer, or null.
    public mutating func int(_ value: Int?) {
        if let value { int(value) } else { null() }
    }

    /// Writes a calendar date as a `YYYY-MM-DD` string, or null.
    public mutating func date(_ value: CalendarDate?) {
        guard let value else { return null() }
        beginValue()
        value.writeQuoted(to: &bytes)
    }

    /// Writes a number given as canonical text (an ``ExactDecimal``'s description).
    public mutating func number(canonical text: String) {
        beginValue()
        bytes.append(contentsOf: text.utf8)
    }

    /// Writes a Boolean.
    public mutating func bool(_ value: Bool) {
        beginValue()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes null.
    public mutating func null() {
        beginValue()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes a JSON value canonically.
    public mutating func value(_ value: JSONValue) {
        beginValue()
        value.writeCompact(to: &bytes, canonical: true)
    }

    /// Writes bytes that already are canonical JSON (a cached row).
    public mutating func raw(canonical json: [UInt8]) {
        beginValue()
        bytes.append(contentsOf: json)
    }
}
