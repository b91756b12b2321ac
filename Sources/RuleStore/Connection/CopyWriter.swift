/// Rows for `COPY … FROM STDIN` in PostgreSQL's text format: tab-separated, `\N` for NULL,
/// backslash, tab, newline and carriage return escaped. Build them here, then send them with
/// ``Connection/copy(_:rows:)``; callers keep the buffer bounded by sending in chunks.
public struct CopyRows: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var rowCount = 0
    private var fieldsInRow = 0

    public init() {}

    /// Appends one field of the current row; nil is NULL.
    public mutating func field(_ text: String?) {
        if fieldsInRow > 0 { bytes.append(0x09) }
        fieldsInRow += 1
        guard let text else {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0x0a: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0d: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(byte)
            }
        }
    }

    /// Appends a `bytea` field as hex.
    public mutating func field(bytes value: [UInt8]?) {
        guard let value else { return field(nil as String?) }
        field("\\x" + Hex.encode(value))
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(0x0a)
        fieldsInRow = 0
        rowCount += 1
    }

    public var isEmpty: Bool { rowCount == 0 }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        fieldsInRow = 0
    }
}
