import RuleBase

/// Reads one YAML document into a ``YAMLNode`` tree with positions, rejecting every YAML
/// feature a rule pack never needs and an attacker could use.
///
/// Rejected, each with a diagnostic at its position: anchors and aliases (`yaml.anchor`,
/// `yaml.alias`: no "billion laughs"), explicit tags (`yaml.tag`), duplicate keys
/// (`yaml.duplicateKey`, with a note at the first), non-scalar keys (`yaml.nonScalarKey`),
/// more than one document (`yaml.multipleDocuments`), an empty file (`yaml.empty`), invalid
/// UTF-8 (`yaml.invalidUTF8`), and input over the ``Limits`` (`yaml.tooLarge`,
/// `yaml.tooDeep`, `yaml.tooManyNodes`). libyaml's own errors become `yaml.syntax`.
public enum YAMLLoader {
    /// Bounds that keep hostile input from costing much time or memory.
    public struct Limits: Sendable, Hashable {
        /// Largest file accepted, checked before any parsing.
        public var maximumBytes = 4 * 1024 * 1024
        /// Deepest nesting of sequences and mappings; parsing stops as soon as it is exceeded.
        public var maximumDepth = 64
        /// Most nodes (scalars, sequences and mappings) in the document.
        public var maximumNodes = 200_000
        /// Largest single scalar, in UTF-8 bytes.
        public var maximumScalarBytes = 1 * 1024 * 1024

        /// The defaults: 4 MiB, 64 levels, 200,000 nodes, 1 MiB scalars.
        public init() {}

        /// Custom limits.
        public init(maximumBytes: Int, maximumDepth: Int, maximumNodes: Int, maximumScalarBytes: Int) {
            self.maximumBytes = maximumBytes
            self.maximumDepth = maximumDepth
            self.maximumNodes = maximumNodes
            self.maximumScalarBytes = maximumScalarBytes
        }
    }

    /// Parses exactly one YAML document.
    ///
    /// Returns nil when any error was reported; the errors go to `sink`. Positions in the
    /// tree and in diagnostics follow `SourceFile`'s rules (lines end at `\n`; columns count
    /// Unicode scalars, starting at 1).
    public static func load(_ file: SourceFile, limits: Limits = .init(), into sink: inout DiagnosticSink) -> YAMLNode? {
        let size = file.text.utf8.count
        if size > limits.maximumBytes {
            sink.report(tooLarge(path: file.path, size: size, limits: limits))
            return nil
        }
        // A trailing NUL (not passed to libyaml) guarantees a real base address even for an empty file.
        let bytes = Array(file.text.utf8) + [0]
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = EventParser(
                file: file, bytes: UnsafeBufferPointer(rebasing: buffer[0..<(buffer.count - 1)]), limits: limits)
            return parser.run(into: &sink)
        }
    }

    /// Decodes raw file bytes and parses them (the command-line tool reads files; this module
    /// never touches the file system).
    ///
    /// Checks the size limit before looking at the bytes, then validates UTF-8 and reports
    /// `yaml.invalidUTF8` at the line and column of the first bad byte. A leading UTF-8
    /// byte-order mark is dropped so that columns match what editors show.
    ///
    /// - Returns: The decoded file (nil only when it was too large; after invalid UTF-8 it is
    ///   decoded with U+FFFD replacements, so a renderer can still show the line) and the
    ///   root node (nil when any error was reported).
    public static func load(
        path: String, bytes: [UInt8], limits: Limits = .init(), into sink: inout DiagnosticSink
    ) -> (SourceFile?, YAMLNode?) {
        if bytes.count > limits.maximumBytes {
            sink.report(tooLarge(path: path, size: bytes.count, limits: limits))
            return (nil, nil)
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let bad = firstInvalidUTF8Offset(body) {
            let prefix = String(decoding: body[body.startIndex..<bad], as: UTF8.self)
            let location = SourceFile(path: path, text: prefix).location(ofUTF8Offset: prefix.utf8.count)
            let hex = String(body[bad], radix: 16, uppercase: true)
            sink.report(
                Diagnostic(
                    id: "yaml.invalidUTF8",
                    message: "the file is not valid UTF-8: byte 0x\(hex.count == 1 ? "0" + hex : hex) at offset \(bad) cannot be decoded",
                    span: SourceSpan(path: path, start: location, end: SourceLocation(line: location.line, column: location.column + 1)),
                    help: "save the file as UTF-8"))
            return (SourceFile(path: path, text: String(decoding: body, as: UTF8.self)), nil)
        }
        let file = SourceFile(path: path, text: String(decoding: body, as: UTF8.self))
        return (file, load(file, limits: limits, into: &sink))
    }

    private static func tooLarge(path: String, size: Int, limits: Limits) -> Diagnostic {
        Diagnostic(
            id: "yaml.tooLarge",
            message: "file is \(size) bytes; rule packs are limited to \(limits.maximumBytes) bytes",
            span: SourceSpan(path: path, start: SourceLocation(line: 1, column: 1)),
            help: "split the pack into smaller files")
    }

    /// The offset (in `bytes`' own indexes) of the first byte that does not belong to a
    /// well-formed UTF-8 sequence (no overlongs, surrogates or code points past U+10FFFF).
    static func firstInvalidUTF8Offset(_ bytes: ArraySlice<UInt8>) -> Int? {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            for position in 1..<length {
                guard index + position < end else { return index }
                let byte = bytes[index + position]
                let (min, max): (UInt8, UInt8) = position == 1 ? (low, high) : (0x80, 0xBF)
                guard byte >= min, byte <= max else { return index }
            }
            index += length
        }
        return nil
    }
}
