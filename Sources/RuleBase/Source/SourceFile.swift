/// A text file held in memory with a table of line starts, so that byte offsets turn into
/// 1-based lines and columns (columns count Unicode scalars, as libyaml does).
public struct SourceFile: Sendable, Hashable {
    /// The path as the user gave it; used verbatim in diagnostics.
    public let path: String
    /// The whole text.
    public let text: String
    /// UTF-8 offsets at which each line starts; the first is 0.
    public let lineStarts: [Int]
    private let utf8: [UInt8]

    /// Creates a source file from its path and text.
    public init(path: String, text: String) {
        self.path = path
        self.text = text
        self.utf8 = Array(text.utf8)
        var starts = [0]
        for (index, byte) in utf8.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        self.lineStarts = starts
    }

    /// The number of lines.
    public var lineCount: Int { lineStarts.count }

    /// The text of a 1-based line, without its line break.
    public func line(_ number: Int) -> String {
        guard number >= 1, number <= lineStarts.count else { return "" }
        let start = lineStarts[number - 1]
        var end = number < lineStarts.count ? lineStarts[number] - 1 : utf8.count
        if end > start, utf8[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: utf8[start..<max(start, end)], as: UTF8.self)
    }

    /// The 1-based location of a UTF-8 byte offset.
    public func location(ofUTF8Offset offset: Int) -> SourceLocation {
        let clamped = min(max(offset, 0), utf8.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= clamped { low = mid } else { high = mid - 1 }
        }
        let lineStart = lineStarts[low]
        var column = 1
        for index in lineStart..<clamped where utf8[index] & 0xC0 != 0x80 {
            column += 1  // one per scalar: continuation bytes are skipped
        }
        return SourceLocation(line: low + 1, column: column)
    }

    /// The UTF-8 offset of a 1-based location, or nil when it lies outside the file.
    public func utf8Offset(of location: SourceLocation) -> Int? {
        guard location.line >= 1, location.line <= lineStarts.count else { return nil }
        var index = lineStarts[location.line - 1]
        var column = 1
        while column < location.column {
            guard index < utf8.count, utf8[index] != UInt8(ascii: "\n") else { return nil }
            index += 1
            while index < utf8.count, utf8[index] & 0xC0 == 0x80 { index += 1 }
            column += 1
        }
        return index
    }
}

/// A 1-based line and column; columns count Unicode scalars.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column, in Unicode scalars.
    public var column: Int

    /// Creates a location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }

    public var description: String { "\(line):\(column)" }
}

/// A range in a named file: where a diagnostic points.
public struct SourceSpan: Sendable, Hashable, Comparable {
    /// The file's path as shown to the user.
    public var path: String
    /// First character.
    public var start: SourceLocation
    /// Last character plus one column (exclusive); equal to `start` for a point.
    public var end: SourceLocation

    /// Creates a span.
    public init(path: String, start: SourceLocation, end: SourceLocation? = nil) {
        self.path = path
        self.start = start
        self.end = end ?? start
    }

    public static func < (lhs: SourceSpan, rhs: SourceSpan) -> Bool {
        (lhs.path, lhs.start, lhs.end) < (rhs.path, rhs.start, rhs.end)
    }
}
