internal import CYAML
import RuleBase

/// Drives libyaml's event API and builds the node tree. The only code that sees C types.
///
/// The tree is built with an explicit stack, not recursion, and the loop stops at the first
/// event that breaks a limit or is an alias, so hostile input costs at most one pass over a
/// bounded file.
struct EventParser {
    private let file: SourceFile
    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: Limits
    private var startCursor: SourceCursor
    private var endCursor: SourceCursor
    private var stack: [Frame] = []
    private var root: YAMLNode?
    private var nodeCount = 0
    private var documentCount = 0
    private var failed = false

    typealias Limits = YAMLLoader.Limits

    /// An open sequence or mapping.
    private struct Frame {
        var isMapping: Bool
        var start: SourceLocation
        var items: [YAMLNode] = []
        var entries: [YAMLMapping.Entry] = []
        var key: KeyState = .none
        /// First span of each key, for duplicate reports.
        var keys: [String: SourceSpan] = [:]
    }

    private enum KeyState {
        case none
        case key(YAMLScalar)
        /// The key was not a scalar (already reported); drop the value that follows.
        case rejected
    }

    init(file: SourceFile, bytes: UnsafeBufferPointer<UInt8>, limits: Limits) {
        self.file = file
        self.bytes = bytes
        self.limits = limits
        // With the encoding set explicitly, libyaml counts a leading byte-order mark as
        // character 0 (its scanner skips it as a token), just as `SourceFile` counts it as column 1.
        let origin = SourceCursor(byte: 0, character: 0, location: SourceLocation(line: 1, column: 1))
        startCursor = origin
        endCursor = origin
    }

    // MARK: Diagnostics

    private mutating func error(
        _ id: String, _ message: String, at span: SourceSpan?, help: String? = nil, notes: [Diagnostic.Note] = [],
        into sink: inout DiagnosticSink
    ) {
        failed = true
        sink.report(Diagnostic(id: id, message: message, span: span, help: help, notes: notes))
    }

    private mutating func span(_ start: yaml_mark_t, _ end: yaml_mark_t) -> (span: SourceSpan, startByte: Int, endByte: Int) {
        let from = startCursor.seek(character: start.index, in: bytes)
        let to = endCursor.seek(character: max(end.index, start.index), in: bytes)
        return (SourceSpan(path: file.path, start: from.location, end: to.location), from.byte, to.byte)
    }

    private mutating func point(_ mark: yaml_mark_t) -> SourceSpan {
        let at = startCursor.seek(character: mark.index, in: bytes)
        return SourceSpan(path: file.path, start: at.location)
    }

    // MARK: Event loop

    /// Parses the whole stream; returns the root when no error was reported.
    mutating func run(into sink: inout DiagnosticSink) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            error("yaml.syntax", "the YAML parser could not start (out of memory)", at: nil, into: &sink)
            return nil
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        guard let base = bytes.baseAddress else {
            // The loader always passes a real buffer (it appends a NUL); stay safe regardless.
            error("yaml.empty", "the file is empty; expected a rule pack", at: SourceSpan(path: file.path, start: SourceLocation(line: 1, column: 1)), into: &sink)
            return nil
        }
        yaml_parser_set_input_string(&parser, base, bytes.count)

        var finished = false
        while !finished {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                reportParserError(parser, into: &sink)
                break
            }
            // Freed at the end of each iteration, whatever path the loop takes.
            defer { yaml_event_delete(&event) }
            finished = !handle(event, into: &sink)
        }
        if failed { return nil }
        return root
    }

    /// Handles one event; returns false to stop the loop.
    private mutating func handle(_ event: yaml_event_t, into sink: inout DiagnosticSink) -> Bool {
        switch event.type {
        case YAML_STREAM_START_EVENT:
            return true
        case YAML_STREAM_END_EVENT:
            if documentCount == 0 {
                error(
                    "yaml.empty", "the file contains no YAML document; expected a rule pack",
                    at: SourceSpan(path: file.path, start: SourceLocation(line: 1, column: 1)), into: &sink)
            }
            return false
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                let at = span(event.start_mark, event.end_mark).span
                error(
                    "yaml.multipleDocuments", "the file contains more than one YAML document; a rule pack is one document",
                    at: at, help: "remove the `---` line, or split the documents into separate files", into: &sink)
                return false
            }
            let directives = event.data.document_start.tag_directives
            if directives.start != directives.end {
                error(
                    "yaml.tag", "YAML tags are not allowed in rule packs (found a %TAG directive)",
                    at: point(event.start_mark), into: &sink)
            }
            return true
        case YAML_DOCUMENT_END_EVENT:
            if let root, stack.isEmpty, let scalar = root.scalar, scalar.style == .plain, scalar.value.isEmpty {
                error(
                    "yaml.empty", "the document is empty; expected a rule pack",
                    at: SourceSpan(path: file.path, start: root.span.start), into: &sink)
            }
            return true
        case YAML_ALIAS_EVENT:
            // Stop at once: expanding aliases is how "billion laughs" files exhaust memory.
            error(
                "yaml.alias", "YAML anchors and aliases are not allowed in rule packs",
                at: span(event.start_mark, event.end_mark).span, help: "write the value out in full", into: &sink)
            return false
        case YAML_SCALAR_EVENT:
            return scalar(event, into: &sink)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let start = span(event.start_mark, event.end_mark).span
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            guard countNode(at: start, into: &sink) else { return false }
            checkAnchorAndTag(anchor: anchor != nil, tag: tag, at: start, into: &sink)
            if stack.count >= limits.maximumDepth {
                // libyaml keeps its own stack per level, so stop before it grows further.
                error(
                    "yaml.tooDeep", "nesting deeper than \(limits.maximumDepth) levels",
                    at: start, help: "rule packs never need deep nesting; check for unbalanced brackets", into: &sink)
                return false
            }
            stack.append(Frame(isMapping: isMapping, start: start.start))
            return true
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { return true }
            let end = span(event.start_mark, event.end_mark).span.end
            let node = YAMLNode(
                kind: frame.isMapping ? .mapping(frame.entries) : .sequence(frame.items),
                span: SourceSpan(path: file.path, start: frame.start, end: max(end, frame.start)))
            attach(node, into: &sink)
            return true
        default:
            return true
        }
    }

    private mutating func countNode(at span: SourceSpan, into sink: inout DiagnosticSink) -> Bool {
        nodeCount += 1
        guard nodeCount <= limits.maximumNodes else {
            error(
                "yaml.tooManyNodes", "the document has more than \(limits.maximumNodes) values; rule packs are limited to that many",
                at: span, into: &sink)
            return false
        }
        return true
    }

    private mutating func checkAnchorAndTag(
        anchor: Bool, tag: UnsafeMutablePointer<yaml_char_t>?, at span: SourceSpan, into sink: inout DiagnosticSink
    ) {
        if anchor {
            error(
                "yaml.anchor", "YAML anchors and aliases are not allowed in rule packs",
                at: span, help: "remove the `&name` anchor and write each value out in full", into: &sink)
        }
        // libyaml reports a NULL tag for untagged nodes, so any tag here was written in the file.
        if let tag {
            let text = String(cString: tag)
            error(
                "yaml.tag", "YAML tags are not allowed in rule packs (found `\(text)`)",
                at: span, help: "remove the tag; the schema decides each value's type", into: &sink)
        }
    }

    private mutating func scalar(_ event: yaml_event_t, into sink: inout DiagnosticSink) -> Bool {
        let data = event.data.scalar
        let (span, startByte, endByte) = span(event.start_mark, event.end_mark)
        guard countNode(at: span, into: &sink) else { return false }
        checkAnchorAndTag(anchor: data.anchor != nil, tag: data.tag, at: span, into: &sink)
        if data.length > limits.maximumScalarBytes {
            error(
                "yaml.tooLarge", "value is \(data.length) bytes; values are limited to \(limits.maximumScalarBytes) bytes",
                at: span, into: &sink)
            return false
        }
        let value: [UInt8] = data.value.map { Array(UnsafeBufferPointer(start: $0, count: data.length)) } ?? []
        let style: YAMLScalar.Style
        switch data.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }
        let map = ScalarRescanner.map(
            value: value, style: style, startByte: startByte, endByte: endByte, startLocation: span.start, source: bytes)
        let scalar = YAMLScalar(
            value: String(decoding: value, as: UTF8.self), style: style, span: span, sourceMap: map)
        attach(YAMLNode(kind: .scalar(scalar), span: span), into: &sink)
        return true
    }

    /// Adds a finished node to its parent (or makes it the root).
    private mutating func attach(_ node: YAMLNode, into sink: inout DiagnosticSink) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        switch stack[top].key {
        case .none:
            guard let key = node.scalar else {
                error(
                    "yaml.nonScalarKey", "a mapping key must be a plain name, not a \(node.kindName)",
                    at: node.span, into: &sink)
                stack[top].key = .rejected
                return
            }
            if let first = stack[top].keys[key.value] {
                error(
                    "yaml.duplicateKey", "duplicate key `\(key.value)` in mapping", at: key.span,
                    help: "remove one of the two entries", notes: [Diagnostic.Note("first defined here", span: first)],
                    into: &sink)
            } else {
                stack[top].keys[key.value] = key.span
            }
            stack[top].key = .key(key)
        case .key(let key):
            stack[top].entries.append(YAMLMapping.Entry(key: key, value: node))
            stack[top].key = .none
        case .rejected:
            stack[top].key = .none
        }
    }

    // MARK: libyaml errors

    private mutating func reportParserError(_ parser: yaml_parser_t, into sink: inout DiagnosticSink) {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        switch parser.error {
        case YAML_MEMORY_ERROR:
            error("yaml.syntax", "the YAML parser ran out of memory", at: nil, into: &sink)
        case YAML_READER_ERROR:
            // Reader errors carry a byte offset into the input rather than a mark.
            let offset = min(max(parser.problem_offset, 0), bytes.count)
            let location = file.location(ofUTF8Offset: offset)
            let at = SourceSpan(path: file.path, start: location, end: SourceLocation(line: location.line, column: location.column + 1))
            if problem.contains("UTF-8") || problem.contains("octet") {
                error("yaml.invalidUTF8", "the file is not valid UTF-8 (\(problem))", at: at, into: &sink)
            } else if parser.problem_value != -1 {
                let code = String(UInt32(bitPattern: parser.problem_value), radix: 16, uppercase: true)
                error(
                    "yaml.syntax", "\(problem): U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)", at: at,
                    help: "remove the invisible control character", into: &sink)
            } else {
                error("yaml.syntax", problem, at: at, into: &sink)
            }
        default:
            var at = point(parser.problem_mark)
            var notes: [Diagnostic.Note] = []
            let context = parser.context.map { String(cString: $0) }
            let contextAt = context == nil ? nil : point(parser.context_mark)
            if let context, let contextAt {
                notes.append(Diagnostic.Note("\(context) that started here", span: contextAt))
            }
            var help: String?
            if let offset = file.utf8Offset(of: at.start), offset < bytes.count, bytes[offset] == 0x09 {
                help = "YAML does not allow tabs for indentation; use spaces"
            } else if let hint = SyntaxHints.hint(problem: problem, context: context, at: at.start, contextAt: contextAt?.start, in: file) {
                help = hint.help
                if let moved = hint.at {
                    notes = [Diagnostic.Note("the YAML parser stopped here", span: at)]
                    at = SourceSpan(path: file.path, start: moved)
                }
            }
            error("yaml.syntax", "YAML syntax error: \(problem)", at: at, help: help, notes: notes, into: &sink)
        }
    }
}
