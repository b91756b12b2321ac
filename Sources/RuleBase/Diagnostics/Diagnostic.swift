/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case error
    case warning
    case note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A problem found in user input: what, where, and how to fix it.
///
/// Stages report diagnostics into a ``DiagnosticSink`` and keep going; they throw only on
/// internal failure.
public struct Diagnostic: Sendable, Hashable {
    /// A stable identifier such as `yaml.duplicateKey` or `expr.undeclaredReference`.
    public var id: String
    /// Error, warning or note.
    public var severity: Severity
    /// One sentence saying what is wrong.
    public var message: String
    /// Where; nil for problems with no position (a missing file, say).
    public var span: SourceSpan?
    /// A suggestion such as "did you mean `completion_date`?".
    public var help: String?
    /// Related positions ("first defined here").
    public var notes: [Note]

    /// A secondary message with an optional position.
    public struct Note: Sendable, Hashable {
        /// The note's text.
        public var message: String
        /// Where it points.
        public var span: SourceSpan?

        /// Creates a note.
        public init(_ message: String, span: SourceSpan? = nil) {
            self.message = message
            self.span = span
        }
    }

    /// Creates a diagnostic.
    public init(
        id: String, severity: Severity = .error, message: String, span: SourceSpan?,
        help: String? = nil, notes: [Note] = []
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.span = span
        self.help = help
        self.notes = notes
    }

    /// The order diagnostics are printed in: by file, position, then id, so output never
    /// depends on the order in which checks ran.
    public static func sortedForOutput(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        diagnostics.sorted { lhs, rhs in
            let l = (lhs.span?.path ?? "", lhs.span?.start.line ?? 0, lhs.span?.start.column ?? 0)
            let r = (rhs.span?.path ?? "", rhs.span?.start.line ?? 0, rhs.span?.start.column ?? 0)
            if l != r { return l < r }
            if lhs.id != rhs.id { return lhs.id < rhs.id }
            return lhs.message < rhs.message
        }
    }
}

/// Collects diagnostics from a stage. Stops recording past a limit, as cel-go does, so that
/// pathological input cannot produce unbounded output.
public struct DiagnosticSink: Sendable {
    /// Most diagnostics kept; later ones are counted but dropped.
    public static let limit = 100

    /// The diagnostics kept, in the order reported.
    public private(set) var diagnostics: [Diagnostic] = []
    /// How many were dropped over the limit.
    public private(set) var dropped = 0

    /// Creates an empty sink.
    public init() {}

    /// Records a diagnostic.
    public mutating func report(_ diagnostic: Diagnostic) {
        if diagnostics.count < Self.limit { diagnostics.append(diagnostic) } else { dropped += 1 }
    }

    /// Records several diagnostics.
    public mutating func report(contentsOf more: [Diagnostic]) {
        for diagnostic in more { report(diagnostic) }
    }

    /// Whether any error was reported.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } || dropped > 0 }
}
