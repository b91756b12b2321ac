public import RuleBase

/// The outputs of evaluating a batch of providers: the Data Bible's tables as rows.
public struct EvaluationBatch: Sendable {
    /// `compliance_windows` rows.
    public var windows: [JSONValue] = []
    /// `compliance_gap_analysis` rows.
    public var gaps: [JSONValue] = []
    /// `rules_execution_log` rows as canonical JSON bytes (serialised once, during evaluation).
    public var logLines: [[UInt8]] = []
    /// Rejected rows and documents.
    public var errors: [FactError] = []
    /// The evaluations themselves (for tables and summaries).
    public var evaluations: [CredentialEvaluation] = []
    /// Providers evaluated.
    public var providerCount = 0

    /// Creates an empty batch.
    public init() {}

    /// The log rows as JSON values (parsed back from their canonical bytes).
    public var logs: [JSONValue] {
        logLines.compactMap { try? JSONParser.parse(String(decoding: $0, as: UTF8.self)) }
    }

    /// Appends another batch's rows after this one's.
    public mutating func append(_ other: EvaluationBatch) {
        windows += other.windows
        gaps += other.gaps
        logLines += other.logLines
        errors += other.errors
        evaluations += other.evaluations
        providerCount += other.providerCount
    }
}

extension Evaluator {
    /// Evaluates every provider of one facts document (a whole file, or one JSON Lines line).
    /// - Parameters:
    ///   - keepEvaluations: keep the full evaluations (for people-facing tables); off for bulk runs.
    public func evaluate(
        document: JSONValue, line: Int? = nil, asOf: CalendarDate, keepEvaluations: Bool = true,
        canonicalRows: [String: [[UInt8]?]] = [:]
    ) -> EvaluationBatch {
        evaluate(document: document, line: line, asOf: asOf, keepEvaluations: keepEvaluations, canonicalRows: canonicalRows,
                 versions: versionsInEffect(on: asOf))
    }

    func evaluate(
        document: JSONValue, line: Int?, asOf: CalendarDate, keepEvaluations: Bool, canonicalRows: [String: [[UInt8]?]],
        versions: [LoadedRuleVersion]
    ) -> EvaluationBatch {
        var batch = EvaluationBatch()
        let (providers, errors) = FactLoader.load(document, line: line, canonicalRows: canonicalRows)
        batch.errors = errors
        batch.providerCount = providers.count
        for provider in providers {
            for evaluation in evaluate(provider, asOf: asOf, versions: versions) {
                batch.windows.append(evaluation.windowRow)
                batch.gaps += evaluation.gapRows
                batch.logLines.append(evaluation.logLine)
                if keepEvaluations { batch.evaluations.append(evaluation) }
            }
        }
        return batch
    }

    /// Parses and evaluates JSON Lines, one provider object per line. A malformed line is an
    /// error row; the other lines are still evaluated.
    /// - Parameter firstLine: the 1-based number of `lines[0]` in the file.
    public func evaluate(lines: ArraySlice<Substring>, firstLine: Int, asOf: CalendarDate, keepEvaluations: Bool) -> EvaluationBatch {
        var batch = EvaluationBatch()
        let versions = versionsInEffect(on: asOf)
        for (offset, text) in lines.enumerated() {
            let lineNumber = firstLine + offset
            if text.allSatisfy(\.isWhitespace) { continue }
            do {
                let (document, rows) = try JSONParser.parseCapturingCanonicalRows(String(text))
                batch.append(evaluate(document: document, line: lineNumber, asOf: asOf, keepEvaluations: keepEvaluations,
                                      canonicalRows: rows, versions: versions))
            } catch {
                batch.errors.append(FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: lineNumber,
                                              message: "invalid JSON at column \(error.location.column): \(error.message)"))
            }
        }
        return batch
    }
}
