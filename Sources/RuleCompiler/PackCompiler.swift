public import RuleBase
import RuleYAML
public import RuleSyntax
public import RuleIR

/// One input file: its path as the user wrote it and its raw bytes (the command-line tool
/// reads files; the compiler never touches the file system).
public struct PackInput: Sendable {
    /// Path shown in diagnostics.
    public var path: String
    /// File contents.
    public var bytes: [UInt8]

    /// Creates an input.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// A compiled pack and the file it came from.
public struct CompiledPack: Sendable {
    /// The source path.
    public var path: String
    /// The rule version.
    public var ruleVersion: RuleVersion
}

/// The result of compiling a set of files.
public struct PackSetResult: Sendable {
    /// Rule versions of the files that compiled without errors, sorted by pack then version.
    public var packs: [CompiledPack]
    /// Every diagnostic, sorted with ``Diagnostic/sortedForOutput(_:)``.
    public var diagnostics: [Diagnostic]
    /// The decoded source files by path, for renderers that quote lines.
    public var files: [String: SourceFile]

    /// Whether any error was reported.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// Creates a result (the command line reuses it to report pack-test failures).
    public init(packs: [CompiledPack], diagnostics: [Diagnostic], files: [String: SourceFile]) {
        self.packs = packs
        self.diagnostics = diagnostics
        self.files = files
    }
}

/// The rule-pack compiler front end.
///
/// 1. YAML bytes → ``YAMLNode`` (`RuleYAML`).
/// 2. Nodes → ``PackSyntax`` (`RuleSyntax`: keys, container kinds).
/// 3. Syntax → ``RuleVersion`` (types, references, expressions, usage warnings).
/// 4. For a set of files: versions of one pack must neither overlap nor leave gaps.
public enum PackCompiler {
    /// Compiles one file.
    ///
    /// - Returns: The decoded file (for rendering) and the rule version, nil when any error was reported.
    public static func compile(path: String, bytes: [UInt8], into sink: inout DiagnosticSink) -> (SourceFile?, RuleVersion?) {
        let (file, root) = YAMLLoader.load(path: path, bytes: bytes, into: &sink)
        guard let root else { return (file, nil) }
        guard let syntax = PackSyntaxReader.read(root, into: &sink) else { return (file, nil) }
        return (file, compile(syntax, into: &sink))
    }

    /// Compiles a pack's syntax tree; nil when any error was reported.
    public static func compile(_ syntax: PackSyntax, into sink: inout DiagnosticSink) -> RuleVersion? {
        var checker = PackChecker(syntax: syntax, sink: sink)
        let result = checker.run()
        sink = checker.typer.sink
        return sink.hasErrors ? nil : result
    }

    /// Compiles one file from its text (tests and tools that already hold a string).
    public static func compile(path: String, text: String, into sink: inout DiagnosticSink) -> RuleVersion? {
        compile(path: path, bytes: Array(text.utf8), into: &sink).1
    }

    /// Compiles every file and checks the versions of each pack against each other.
    ///
    /// Each file gets its own diagnostic budget (``DiagnosticSink/limit``), so one broken file
    /// cannot hide the problems of the others.
    public static func compileSet(_ inputs: [PackInput]) -> PackSetResult {
        var diagnostics: [Diagnostic] = []
        var files: [String: SourceFile] = [:]
        var packs: [CompiledPack] = []
        var versionSpans: [String: SourceSpan] = [:]
        for input in inputs.sorted(by: { $0.path < $1.path }) {
            var sink = DiagnosticSink()
            let (file, version) = compile(path: input.path, bytes: input.bytes, into: &sink)
            if let file { files[input.path] = file }
            diagnostics += sink.diagnostics
            if sink.dropped > 0 {
                diagnostics.append(Diagnostic(
                    id: "pack.tooManyDiagnostics", message: "\(sink.dropped) more diagnostics were not shown",
                    span: SourceSpan(path: input.path, start: SourceLocation(line: 1, column: 1))))
            }
            if let version {
                packs.append(CompiledPack(path: input.path, ruleVersion: version))
                versionSpans[input.path] = effectiveSpan(file: file, path: input.path)
            }
        }
        packs.sort { ($0.ruleVersion.pack, $0.ruleVersion.version, $0.path) < ($1.ruleVersion.pack, $1.ruleVersion.version, $1.path) }
        diagnostics += checkVersions(packs, spans: versionSpans)
        diagnostics += checkAttributes(packs, spans: versionSpans)
        diagnostics += checkNotIssued(packs, spans: versionSpans)
        return PackSetResult(packs: packs, diagnostics: Diagnostic.sortedForOutput(diagnostics), files: files)
    }

    /// Duplicate version numbers, overlapping and gapped effective ranges within each pack.
    static func checkVersions(_ packs: [CompiledPack], spans: [String: SourceSpan]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let groups = Dictionary(grouping: packs, by: \.ruleVersion.pack)
        for name in groups.keys.sorted() {
            let group = groups[name] ?? []
            var byVersion: [Int: CompiledPack] = [:]
            for p in group {
                if let first = byVersion[p.ruleVersion.version] {
                    out.append(Diagnostic(
                        id: "pack.duplicateID", message: "`\(name)` version \(p.ruleVersion.version) is defined twice",
                        span: spans[p.path], help: "give each version of a pack its own number",
                        notes: [.init("also defined here", span: spans[first.path])]))
                } else {
                    byVersion[p.ruleVersion.version] = p
                }
            }
            let ordered = byVersion.values.sorted { ($0.ruleVersion.effective.from, $0.ruleVersion.version) < ($1.ruleVersion.effective.from, $1.ruleVersion.version) }
            for (a, b) in zip(ordered, ordered.dropFirst()) {
                let ra = a.ruleVersion.effective, rb = b.ruleVersion.effective
                let note = Diagnostic.Note("version \(a.ruleVersion.version) is in force \(describe(ra))", span: spans[a.path])
                guard let end = ra.to else {
                    out.append(Diagnostic(
                        id: "pack.effectiveOverlap",
                        message: "`\(name)` version \(b.ruleVersion.version) (from \(rb.from)) overlaps version \(a.ruleVersion.version), which has no end date",
                        span: spans[b.path], help: "set `effective.to: \(rb.from.adding(days: -1)?.description ?? "…")` in version \(a.ruleVersion.version)",
                        notes: [note]))
                    continue
                }
                if rb.from <= end {
                    out.append(Diagnostic(
                        id: "pack.effectiveOverlap",
                        message: "`\(name)` version \(b.ruleVersion.version) (from \(rb.from)) overlaps version \(a.ruleVersion.version) (to \(end))",
                        span: spans[b.path], help: "start version \(b.ruleVersion.version) on \(end.adding(days: 1)?.description ?? "the next day")",
                        notes: [note]))
                } else if let next = end.adding(days: 1), rb.from > next {
                    out.append(Diagnostic(
                        id: "pack.effectiveGap",
                        message: "`\(name)` has no version in force from \(next) to \(rb.from.adding(days: -1)?.description ?? "")",
                        span: spans[b.path], help: "start version \(b.ruleVersion.version) on \(next), or extend version \(a.ruleVersion.version)",
                        notes: [note]))
                }
            }
        }
        return out
    }

    static func describe(_ r: EffectiveRange) -> String {
        "from \(r.from)" + (r.to.map { " to \($0)" } ?? " with no end")
    }

    /// Where a file's `effective:` key is, for set-level diagnostics.
    static func effectiveSpan(file: SourceFile?, path: String) -> SourceSpan {
        guard let file else { return SourceSpan(path: path, start: SourceLocation(line: 1, column: 1)) }
        for line in 1...max(file.lineCount, 1) where file.line(line).hasPrefix("effective:") {
            return SourceSpan(path: path, start: SourceLocation(line: line, column: 1), end: SourceLocation(line: line, column: 10))
        }
        return SourceSpan(path: path, start: SourceLocation(line: 1, column: 1))
    }
}
