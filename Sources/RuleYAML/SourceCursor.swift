import RuleBase

/// Walks a file's UTF-8 bytes forward, turning libyaml's character indexes (and byte offsets)
/// into 1-based lines and columns with the same rules as `SourceFile`: lines end at `\n`,
/// columns count Unicode scalars.
///
/// libyaml's own line and column are not used because libyaml also breaks lines at a lone
/// `\r`, NEL, U+2028 and U+2029, so its lines could disagree with the lines a renderer shows.
/// Its `index` counts characters from the start of the stream (a byte-order mark excluded),
/// and events arrive in document order, so a forward-only walk converts every mark in
/// linear total time.
struct SourceCursor {
    private let originByte: Int
    private let originCharacter: Int
    private let originLocation: SourceLocation

    /// Current UTF-8 offset.
    private(set) var byte: Int
    /// Current character index, counted like libyaml's `mark.index`.
    private(set) var character: Int
    private var line: Int
    private var column: Int

    /// Starts at `byte`, which is character `character` at `location`.
    init(byte: Int, character: Int, location: SourceLocation) {
        originByte = byte
        originCharacter = character
        originLocation = location
        self.byte = byte
        self.character = character
        line = location.line
        column = location.column
    }

    /// Where the cursor is.
    var location: SourceLocation { SourceLocation(line: line, column: column) }

    private mutating func rewind() {
        byte = originByte
        character = originCharacter
        line = originLocation.line
        column = originLocation.column
    }

    /// Steps over one Unicode scalar (the text is valid UTF-8, as it came from a `String`).
    private mutating func step(_ bytes: UnsafeBufferPointer<UInt8>) {
        let lead = bytes[byte]
        if lead == UInt8(ascii: "\n") {
            line += 1
            column = 1
            byte += 1
        } else {
            column += 1
            byte += lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            byte = min(byte, bytes.count)
        }
        character += 1
    }

    /// Moves to character index `target` (clamped to the end of the text) and returns the
    /// UTF-8 offset and location there. Moving backward restarts from the origin, which the
    /// parser never needs in practice.
    mutating func seek(character target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (byte: Int, location: SourceLocation) {
        if target < character { rewind() }
        while character < target, byte < bytes.count { step(bytes) }
        return (byte, location)
    }

    /// Moves to UTF-8 offset `target` (or the first scalar boundary after it) and returns the location there.
    mutating func seek(byte target: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceLocation {
        if target < byte { rewind() }
        while byte < target, byte < bytes.count { step(bytes) }
        return location
    }
}
