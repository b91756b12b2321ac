import RuleBase

/// One node of a parsed YAML document, with the position of its source text.
///
/// The tree holds only what rule packs use: scalars, sequences and mappings with scalar keys.
/// Anchors, aliases and tags are rejected by ``YAMLLoader`` before a tree is returned.
public struct YAMLNode: Sendable {
    /// What the node holds.
    public enum Kind: Sendable {
        /// A string, number, date or boolean as written; typing happens in the schema-aware layer.
        case scalar(YAMLScalar)
        /// Items in document order.
        case sequence([YAMLNode])
        /// Key/value pairs in document order; keys are unique.
        case mapping([YAMLMapping.Entry])
    }

    /// What the node holds.
    public var kind: Kind
    /// From the node's first character to just after its last (1-based, end exclusive).
    public var span: SourceSpan

    /// Creates a node.
    public init(kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }

    /// The scalar, when the node is one.
    public var scalar: YAMLScalar? {
        if case .scalar(let scalar) = kind { return scalar }
        return nil
    }

    /// The items, when the node is a sequence.
    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The entries, when the node is a mapping.
    public var mapping: [YAMLMapping.Entry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    /// The value stored under `key` when the node is a mapping; nil otherwise or when absent.
    /// Linear in the number of entries: rule-pack mappings are small.
    public func value(forKey key: String) -> YAMLNode? {
        mapping?.first { $0.key.value == key }?.value
    }

    /// "scalar", "sequence" or "mapping", for messages such as "expected a mapping, found a sequence".
    public var kindName: String {
        switch kind {
        case .scalar: "scalar"
        case .sequence: "sequence"
        case .mapping: "mapping"
        }
    }
}

/// Namespace for mapping entries.
public enum YAMLMapping {
    /// One key/value pair of a mapping.
    public struct Entry: Sendable {
        /// The key; YAML allows other nodes as keys but rule packs do not.
        public var key: YAMLScalar
        /// The value.
        public var value: YAMLNode

        /// Creates an entry.
        public init(key: YAMLScalar, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }
}

/// A YAML scalar: its text after unescaping and folding, how it was written, and a map from
/// every byte of its text back to the file, so that an error inside an embedded expression
/// can point at its exact character.
public struct YAMLScalar: Sendable {
    /// How a scalar was written.
    public enum Style: String, Sendable, Hashable {
        /// `key: text`
        case plain
        /// `key: 'text'`
        case singleQuoted
        /// `key: "text"`
        case doubleQuoted
        /// `key: |` followed by lines kept as written.
        case literal
        /// `key: >` followed by lines folded into one.
        case folded
    }

    /// The content after YAML unescaping and folding, exactly as libyaml returns it.
    public var value: String
    /// How it was written.
    public var style: Style
    /// From the first character (the opening quote or block indicator, if any) to just after the last.
    public var span: SourceSpan
    /// Where each part of `value` came from; empty when unknown.
    var sourceMap: ScalarSourceMap

    /// Creates a scalar with no character map: `location(ofUTF8Offset:)` then answers nil,
    /// except that offset 0 maps to `span.start` for plain scalars.
    public init(value: String, style: Style, span: SourceSpan) {
        self.init(value: value, style: style, span: span, sourceMap: ScalarSourceMap())
    }

    init(value: String, style: Style, span: SourceSpan, sourceMap: ScalarSourceMap) {
        self.value = value
        self.style = style
        self.span = span
        self.sourceMap = sourceMap
    }

    /// Whether the scalar means "no value": plain and one of "", "~", "null", "Null", "NULL"
    /// (YAML 1.2 core schema). Quoted `"null"` is a string.
    public var isNullLike: Bool {
        guard style == .plain else { return false }
        switch value {
        case "", "~", "null", "Null", "NULL": return true
        default: return false
        }
    }

    /// Whether every UTF-8 offset of `value` (and the end offset) maps to a file location.
    /// False when the re-scan of the source could not reproduce libyaml's text, which should
    /// only happen with exotic line breaks (NEL, U+2028).
    public var isFullyMapped: Bool { sourceMap.endLocation != nil }

    /// Whether some characters of `value` were produced by escapes (`\n`, `\u00e9`) or by
    /// folding line breaks into spaces; such characters map to the escape or the line break,
    /// not to a character of the same text. Useful to flag expressions written that way.
    public var hasSynthesizedCharacters: Bool { sourceMap.segments.contains { !$0.isCopy } }

    /// The file location of the character that starts at (or contains) UTF-8 offset `offset`
    /// of `value` (0-based); `offset == value.utf8.count` gives the position just after the
    /// last character, for "unexpected end of expression" errors.
    ///
    /// Characters copied from the file map exactly, in every style (inside quotes, after `''`,
    /// on each line of a multi-line plain or block scalar). A character produced by an escape
    /// maps to its backslash; a space or line break produced by folding maps to the line break
    /// it replaces. Returns nil for offsets out of range or when no mapping is known.
    public func location(ofUTF8Offset offset: Int) -> SourceLocation? {
        let count = value.utf8.count
        guard offset >= 0, offset <= count else { return nil }
        if sourceMap.segments.isEmpty && sourceMap.endLocation == nil {
            // No map (a scalar built by hand): a plain scalar's first character is its start.
            return offset == 0 && style == .plain ? span.start : nil
        }
        if offset == count, let end = sourceMap.endLocation { return end }
        return sourceMap.location(ofUTF8Offset: offset, in: value)
    }

    /// `location(ofUTF8Offset:)` as a one-character span (or a point at the end), for diagnostics.
    public func span(ofUTF8Offset offset: Int) -> SourceSpan? {
        guard let start = location(ofUTF8Offset: offset) else { return nil }
        let nextOffset = min(offset + 1, value.utf8.count)
        var end = start
        if offset < value.utf8.count, let next = location(ofUTF8Offset: nextOffset), next.line == start.line,
            next.column > start.column
        {
            end = next
        } else if offset < value.utf8.count {
            end = SourceLocation(line: start.line, column: start.column + 1)
        }
        return SourceSpan(path: span.path, start: start, end: end)
    }

    /// The file span of the UTF-8 range `range` of `value`, when both ends map to the file.
    public func span(ofUTF8Range range: Range<Int>) -> SourceSpan? {
        guard let start = location(ofUTF8Offset: range.lowerBound) else { return nil }
        guard range.upperBound > range.lowerBound else { return SourceSpan(path: span.path, start: start) }
        // The end is just after the last character, which may sit on another line.
        guard let last = span(ofUTF8Offset: range.upperBound - 1) else {
            return SourceSpan(path: span.path, start: start)
        }
        return SourceSpan(path: span.path, start: start, end: max(last.end, start))
    }
}
