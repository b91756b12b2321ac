import RuleBase

/// Maps UTF-8 offsets of a scalar's value back to file locations.
///
/// Stored as runs rather than one entry per byte: a single-line plain scalar is one run, so
/// the map costs almost nothing for the common case.
struct ScalarSourceMap: Sendable {
    /// A run of value bytes that either were copied from one line of the file (`isCopy`), in
    /// which case offsets advance through the file with them, or were produced by an escape
    /// or a line fold, in which case they all map to `start`.
    struct Segment: Sendable {
        var valueStart: Int
        var length: Int
        var start: SourceLocation
        var isCopy: Bool
    }

    /// Runs in value order, covering a prefix of the value without gaps.
    var segments: [Segment] = []
    /// The location just after the value's last character; nil when the map does not cover
    /// the whole value.
    var endLocation: SourceLocation?

    func location(ofUTF8Offset offset: Int, in value: String) -> SourceLocation? {
        // Binary search for the last run that starts at or before `offset`.
        var low = 0
        var high = segments.count - 1
        var found = -1
        while low <= high {
            let mid = (low + high) / 2
            if segments[mid].valueStart <= offset {
                found = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        guard found >= 0 else { return nil }
        let segment = segments[found]
        guard offset < segment.valueStart + segment.length else { return nil }
        guard segment.isCopy else { return segment.start }
        // The run's bytes are the file's bytes, so columns advance once per scalar lead byte.
        var leads = 0
        var index = value.utf8.index(value.utf8.startIndex, offsetBy: segment.valueStart)
        for _ in segment.valueStart...offset {
            if value.utf8[index] & 0xC0 != 0x80 { leads += 1 }
            index = value.utf8.index(after: index)
        }
        return SourceLocation(line: segment.start.line, column: segment.start.column + max(leads, 1) - 1)
    }
}

/// Re-reads a scalar's source text the way libyaml reads it (quotes, escapes, line folding,
/// block indentation) and records where each byte of the value came from.
///
/// libyaml reports only where a scalar starts and ends, not where each character came from.
/// The re-scan is checked against libyaml's value: the map is kept only for the prefix on
/// which both agree, so a gap in this scanner can lose a position but never give a wrong one.
struct ScalarRescanner {
    private let source: UnsafeBufferPointer<UInt8>
    private var produced: [UInt8] = []
    private var runs: [(valueStart: Int, length: Int, sourceByte: Int, isCopy: Bool)] = []

    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
    }

    /// Builds the map for a scalar whose source text is `startByte..<endByte` (quotes and block
    /// header included), which starts at `startLocation`.
    static func map(
        value: [UInt8], style: YAMLScalar.Style, startByte: Int, endByte: Int, startLocation: SourceLocation,
        source: UnsafeBufferPointer<UInt8>
    ) -> ScalarSourceMap {
        let end = min(max(endByte, startByte), source.count)
        var scanner = ScalarRescanner(source: source)
        let contentStart: Int
        switch style {
        case .plain:
            contentStart = startByte
            scanner.scanFlow(from: startByte, to: end, quote: nil)
        case .singleQuoted, .doubleQuoted:
            contentStart = min(startByte + 1, end)
            // The closing quote is the last byte of the range.
            scanner.scanFlow(
                from: contentStart, to: max(contentStart, end - 1),
                quote: style == .singleQuoted ? UInt8(ascii: "'") : UInt8(ascii: "\""))
        case .literal, .folded:
            contentStart = scanner.bodyStart(from: startByte, to: end)
            scanner.scanBlock(from: contentStart, to: end, folded: style == .folded, value: value)
        }
        return scanner.finish(value: value, contentStart: contentStart, startByte: startByte, startLocation: startLocation)
    }

    // MARK: Output

    private mutating func copy(_ from: Int, _ to: Int) {
        guard to > from else { return }
        if let last = runs.last, last.isCopy, last.sourceByte + last.length == from {
            runs[runs.count - 1].length += to - from
        } else {
            runs.append((produced.count, to - from, from, true))
        }
        produced.append(contentsOf: source[from..<to])
    }

    private mutating func synthesize(_ bytes: [UInt8], at sourceByte: Int) {
        guard !bytes.isEmpty else { return }
        runs.append((produced.count, bytes.count, sourceByte, false))
        produced.append(contentsOf: bytes)
    }

    private func finish(value: [UInt8], contentStart: Int, startByte: Int, startLocation: SourceLocation) -> ScalarSourceMap {
        var agreed = 0
        let limit = min(value.count, produced.count)
        while agreed < limit, value[agreed] == produced[agreed] { agreed += 1 }
        var cursor = SourceCursor(byte: startByte, character: 0, location: startLocation)
        var map = ScalarSourceMap()
        for run in runs where run.valueStart < agreed {
            let length = min(run.length, agreed - run.valueStart)
            let location = cursor.seek(byte: run.sourceByte, in: source)
            map.segments.append(.init(valueStart: run.valueStart, length: length, start: location, isCopy: run.isCopy))
        }
        guard agreed == value.count else { return map }
        if let last = map.segments.last {
            if last.isCopy {
                let sourceByte = runs[map.segments.count - 1].sourceByte + last.length
                map.endLocation = cursor.seek(byte: sourceByte, in: source)
            } else {
                map.endLocation = last.start
            }
        } else {
            map.endLocation = cursor.seek(byte: contentStart, in: source)
        }
        return map
    }

    // MARK: Character classes

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    private static func isBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    /// Length of the line break at `index` (CRLF counts as one break).
    private func breakLength(at index: Int, end: Int) -> Int {
        if source[index] == 0x0D, index + 1 < end, source[index + 1] == 0x0A { return 2 }
        return 1
    }

    // MARK: Flow scalars (plain, single- and double-quoted)

    /// Folds like libyaml: blanks inside a line are kept, blanks around a line break are
    /// dropped, one break becomes a space, n breaks become n-1 newlines, and an escaped
    /// break (`\` at the end of a line in double quotes) disappears.
    private mutating func scanFlow(from start: Int, to end: Int, quote: UInt8?) {
        var index = start
        var blankRun: Int?  // start of blanks not yet known to be inside a line
        var breaks: [Int] = []
        var escapedBreak = false

        func flushGap(_ scanner: inout ScalarRescanner, upTo index: Int) {
            if escapedBreak {
                for position in breaks { scanner.synthesize([0x0A], at: position) }
            } else if breaks.count == 1 {
                scanner.synthesize([0x20], at: breaks[0])
            } else if breaks.count > 1 {
                for position in breaks.dropFirst() { scanner.synthesize([0x0A], at: position) }
            } else if let blanks = blankRun {
                scanner.copy(blanks, index)
            }
            breaks.removeAll()
            escapedBreak = false
            blankRun = nil
        }

        while index < end {
            let byte = source[index]
            if Self.isBlank(byte) {
                if breaks.isEmpty, !escapedBreak, blankRun == nil { blankRun = index }
                index += 1
                continue
            }
            if Self.isBreak(byte) {
                blankRun = nil  // blanks before a break are dropped
                breaks.append(index)
                index += breakLength(at: index, end: end)
                continue
            }
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), index + 1 < end, Self.isBreak(source[index + 1]) {
                // The blanks before the backslash are content; flush them first.
                flushGap(&self, upTo: index)
                escapedBreak = true
                index += 1 + breakLength(at: index + 1, end: end)
                continue
            }
            flushGap(&self, upTo: index)
            if quote == UInt8(ascii: "'"), byte == UInt8(ascii: "'") {
                copy(index, index + 1)  // `''` stands for one quote: map it to the first
                index += 2
            } else if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                guard let (bytes, length) = escape(at: index, end: end) else { return }
                synthesize(bytes, at: index)
                index += length
            } else {
                var stop = index + 1
                while stop < end {
                    let next = source[stop]
                    if Self.isBlank(next) || Self.isBreak(next) || next == UInt8(ascii: "\\") || next == UInt8(ascii: "'") {
                        break
                    }
                    stop += 1
                }
                copy(index, stop)
                index = stop
            }
        }
        // Quoted scalars keep blanks before the closing quote and fold breaks before it.
        if quote != nil { flushGap(&self, upTo: end) }
    }

    /// Decodes the double-quoted escape at `index` (a backslash); nil when this scanner does
    /// not know it (the map then stops there).
    private func escape(at index: Int, end: Int) -> ([UInt8], Int)? {
        guard index + 1 < end else { return nil }
        let simple: UInt32?
        switch source[index + 1] {
        case UInt8(ascii: "0"): simple = 0
        case UInt8(ascii: "a"): simple = 7
        case UInt8(ascii: "b"): simple = 8
        case UInt8(ascii: "t"), 0x09: simple = 9
        case UInt8(ascii: "n"): simple = 10
        case UInt8(ascii: "v"): simple = 11
        case UInt8(ascii: "f"): simple = 12
        case UInt8(ascii: "r"): simple = 13
        case UInt8(ascii: "e"): simple = 0x1B
        case UInt8(ascii: " "): simple = 0x20
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "'"): simple = 0x27
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "N"): simple = 0x85
        case UInt8(ascii: "_"): simple = 0xA0
        case UInt8(ascii: "L"): simple = 0x2028
        case UInt8(ascii: "P"): simple = 0x2029
        default: simple = nil
        }
        if let simple, let scalar = Unicode.Scalar(simple) {
            return (Array(String(Character(scalar)).utf8), 2)
        }
        let digits: Int
        switch source[index + 1] {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default: return nil
        }
        guard index + 2 + digits <= end else { return nil }
        var code: UInt32 = 0
        for position in (index + 2)..<(index + 2 + digits) {
            guard let digit = Self.hexValue(source[position]) else { return nil }
            code = code &* 16 &+ digit
        }
        guard let scalar = Unicode.Scalar(code) else { return nil }
        return (Array(String(Character(scalar)).utf8), 2 + digits)
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    // MARK: Block scalars (literal and folded)

    /// The offset just after the header line (`|`, `>-`, `|2 # comment`).
    private func bodyStart(from start: Int, to end: Int) -> Int {
        var index = start
        while index < end, !Self.isBreak(source[index]) { index += 1 }
        if index < end { index += breakLength(at: index, end: end) }
        return index
    }

    private struct Line {
        var start: Int
        /// Where the line break is (or the end of the range).
        var end: Int
        var hasBreak: Bool
    }

    private func lines(from start: Int, to end: Int) -> [Line] {
        var result: [Line] = []
        var lineStart = start
        var index = start
        while index < end {
            if Self.isBreak(source[index]) {
                result.append(Line(start: lineStart, end: index, hasBreak: true))
                index += breakLength(at: index, end: end)
                lineStart = index
            } else {
                index += 1
            }
        }
        if lineStart < end { result.append(Line(start: lineStart, end: end, hasBreak: false)) }
        return result
    }

    private func leadingSpaces(_ line: Line) -> Int {
        var index = line.start
        while index < line.end, source[index] == 0x20 { index += 1 }
        return index - line.start
    }

    private mutating func scanBlock(from start: Int, to end: Int, folded: Bool, value: [UInt8]) {
        let body = lines(from: start, to: end)
        // The indentation is not in the event (it may come from an indicator relative to the
        // parent), so derive it: the first content line in the file minus its leading spaces
        // in the value.
        var indent = Int.max
        if let first = body.first(where: { leadingSpaces($0) < $0.end - $0.start }) {
            var valueLineStart = 0
            while valueLineStart < value.count, value[valueLineStart] == 0x0A { valueLineStart += 1 }
            var valueLead = 0
            while valueLineStart + valueLead < value.count, value[valueLineStart + valueLead] == 0x20 { valueLead += 1 }
            indent = leadingSpaces(first) - valueLead
            guard indent >= 0 else { return }
        }

        var started = false
        var previousMoreIndented = false
        var previousBreak: Int?
        var emptyLines: [Int] = []
        for line in body {
            let lead = leadingSpaces(line)
            let isEmpty = lead >= line.end - line.start || (lead <= indent && line.start + lead == line.end)
            if !isEmpty && lead < indent { break }  // less indented: the scalar has ended
            if isEmpty {
                if line.start + min(lead, indent) < line.end {
                    // Spaces beyond the indentation are content, not an empty line.
                } else {
                    if line.hasBreak { emptyLines.append(line.end) }
                    continue
                }
            }
            let contentStart = line.start + indent
            if !folded {
                for position in emptyLines { synthesize([0x0A], at: position) }
                emptyLines.removeAll()
                copy(contentStart, line.end)
                if line.hasBreak { synthesize([0x0A], at: line.end) }
                continue
            }
            let moreIndented = contentStart < line.end && Self.isBlank(source[contentStart])
            if !started {
                for position in emptyLines { synthesize([0x0A], at: position) }
                started = true
            } else if let previousBreak {
                if !previousMoreIndented && !moreIndented {
                    if emptyLines.isEmpty {
                        synthesize([0x20], at: previousBreak)
                    } else {
                        for position in emptyLines { synthesize([0x0A], at: position) }
                    }
                } else {
                    synthesize([0x0A], at: previousBreak)
                    for position in emptyLines { synthesize([0x0A], at: position) }
                }
            }
            emptyLines.removeAll()
            copy(contentStart, line.end)
            previousMoreIndented = moreIndented
            previousBreak = line.hasBreak ? line.end : nil
        }
        // Trailing breaks; chomping may drop some, which the prefix check tolerates.
        if folded, let previousBreak { synthesize([0x0A], at: previousBreak) }
        for position in emptyLines { synthesize([0x0A], at: position) }
    }
}
