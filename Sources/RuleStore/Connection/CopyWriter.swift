/// Rows for `COPY … FROM STDIN` in PostgreSQL's text format: tab-separated, `\N` for NULL,
/// backslash, tab, newline and carriage return escaped. Buffers and sends in chunks of about
/// 1 MiB, so memory stays flat however many rows go through.
public struct CopyWriter {
    private var buffer: [UInt8] = []
    private var fieldsInRow = 0
    private let connection: Connection
    private let statement: String
    static let chunkSize = 1 << 20

    init(connection: Connection, statement: String) {
        self.connection = connection
        self.statement = statement
        buffer.reserveCapacity(CopyWriter.chunkSize + 4096)
    }

    /// Appends one field of the current row; nil is NULL.
    public mutating func field(_ text: String?) {
        if fieldsInRow > 0 { buffer.append(0x09) }
        fieldsInRow += 1
        guard let text else {
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(UInt8(ascii: "N"))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
            case 0x09: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case 0x0a: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case 0x0d: buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            default: buffer.append(byte)
            }
        }
    }

    /// Appends a `bytea` field as hex (`\\x…` in COPY text, one backslash after unescaping).
    public mutating func field(bytes: [UInt8]?) {
        guard let bytes else { return field(nil as String?) }
        field("\\x" + Hex.encode(bytes))
    }

    /// Ends the current row, sending the buffer once it holds about a chunk.
    public mutating func endRow() throws(StoreError) {
        buffer.append(0x0a)
        fieldsInRow = 0
        if buffer.count >= CopyWriter.chunkSize { try flush() }
    }

    mutating func flush() throws(StoreError) {
        guard !buffer.isEmpty else { return }
        try connection.sendCopyData(buffer, statement: statement)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Thrown by a COPY body to stop early; the server's error, if any, is reported instead.
struct CopyAbort: Error {}
