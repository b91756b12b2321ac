public import RuleBase
public import RuleIR

/// Rows of one output table as JSON Lines: canonical JSON, each row ending in a newline, in
/// one buffer. A run writes gigabytes of rows; one buffer per table and batch keeps them off
/// the allocator and lets the writer hand them to the file in one call.
public struct JSONLines: Sendable {
    /// The rows, newline-terminated.
    public private(set) var bytes: [UInt8] = []
    /// How many rows.
    public private(set) var count = 0

    /// Creates an empty table.
    public init() {}

    /// Appends one row (canonical JSON without a newline).
    public mutating func append(_ row: [UInt8]) {
        bytes += row
        bytes.append(0x0A)
        count += 1
    }

    /// Makes room for `count` more bytes.
    public mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
    }

    /// Appends one row written in place by `write` (canonical JSON without a newline).
    public mutating func appendRow(_ write: (inout [UInt8]) -> Void) {
        write(&bytes)
        bytes.append(0x0A)
        count += 1
    }

    /// Appends another table's rows.
    public mutating func append(contentsOf other: JSONLines) {
        bytes += other.bytes
        count += other.count
    }

    /// Each row, without its newline. Canonical JSON escapes every control character, so a
    /// newline byte only ever ends a row.
    public var rows: [ArraySlice<UInt8>] {
        bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
    }

    /// The rows as JSON values (parsed back).
    public var values: [JSONValue] {
        rows.compactMap { try? JSONParser.parse(String(decoding: $0, as: UTF8.self)) }
    }
}

/// The outputs of evaluating a batch of providers: the Data Bible's tables as rows, serialised
/// during evaluation on the cores that evaluate rather than by the writer.
public struct EvaluationBatch: Sendable {
    /// `compliance_windows` rows.
    public var windowLines = JSONLines()
    /// `compliance_gap_analysis` rows.
    public var gapLines = JSONLines()
    /// `rules_execution_log` rows as evaluated, before ``LogChain`` seals them.
    public var logLines = JSONLines()
    /// Per log row, five offsets into `logLines.bytes`: where the row starts, where its
    /// `"inputs_json":` member starts and its document ends, and the same for `outputs_json`,
    /// so the chain can hash the row's other fields without parsing it.
    public var logLayout: [Int] = []
    /// Windows by `compliance_status`.
    public var statusCounts: [String: Int] = [:]
    /// Rejected rows and documents.
    public var errors: [FactError] = []
    /// The evaluations themselves (for tables and summaries).
    public var evaluations: [CredentialEvaluation] = []
    /// Providers evaluated.
    public var providerCount = 0
    /// Credentials no rule version covers (windows with a `no_rule_pack` gap).
    public var noRulePackCount = 0

    /// Creates an empty batch.
    public init() {}

    /// The window rows as JSON values (parsed back from their canonical bytes).
    public var windows: [JSONValue] { windowLines.values }
    /// The gap rows as JSON values.
    public var gaps: [JSONValue] { gapLines.values }
    /// The log rows as JSON values.
    public var logs: [JSONValue] { logLines.values }

    /// Appends another batch's rows after this one's.
    public mutating func append(_ other: EvaluationBatch) {
        windowLines.append(contentsOf: other.windowLines)
        gapLines.append(contentsOf: other.gapLines)
        let shift = logLines.bytes.count
        logLayout += other.logLayout.map { $0 + shift }
        logLines.append(contentsOf: other.logLines)
        statusCounts.merge(other.statusCounts, uniquingKeysWith: +)
        errors += other.errors
        evaluations += other.evaluations
        providerCount += other.providerCount
        noRulePackCount += other.noRulePackCount
    }
}

extension EvaluationBatch {
    /// Appends an evaluation's log row and its layout.
    public mutating func appendLog(_ evaluation: CredentialEvaluation) {
        let start = logLines.bytes.count
        logLayout.append(start)
        logLayout.append(start + evaluation.inputsRange.lowerBound - LogDocuments.inputsKey.count)
        logLayout.append(start + evaluation.inputsRange.upperBound)
        logLayout.append(start + evaluation.outputsRange.lowerBound - LogDocuments.outputsKey.count)
        logLayout.append(start + evaluation.outputsRange.upperBound)
        logLines.append(evaluation.logLine)
    }

    /// Writes an evaluation's log row straight after the batch's last (no row of its own to copy)
    /// and records its layout.
    mutating func appendLog(
        writing evaluation: inout CredentialEvaluation, loaded: LoadedRuleVersion, context: ProviderContext, credential: FactRow
    ) {
        let start = logLines.bytes.count
        logLines.appendRow { bytes in
            var w = CanonicalWriter(appendingTo: &bytes)
            LogDocuments.writeLogLine(&evaluation, loaded: loaded, context: context, credential: credential, to: &w)
            bytes = w.takeBytes()
        }
        logLayout.append(start)
        logLayout.append(start + evaluation.inputsRange.lowerBound - LogDocuments.inputsKey.count)
        logLayout.append(start + evaluation.inputsRange.upperBound)
        logLayout.append(start + evaluation.outputsRange.lowerBound - LogDocuments.outputsKey.count)
        logLayout.append(start + evaluation.outputsRange.upperBound)
    }

    /// The `inputs_json` and `outputs_json` documents of log row `row`: their canonical bytes,
    /// cut from the row by `logLayout` (the store keeps them beside the entry without parsing it).
    public func logDocuments(row: Int) -> (inputs: ArraySlice<UInt8>, outputs: ArraySlice<UInt8>) {
        let bytes = logLines.bytes
        return (bytes[(logLayout[row * 5 + 1] + LogDocuments.inputsKey.count)..<logLayout[row * 5 + 2]],
                bytes[(logLayout[row * 5 + 3] + LogDocuments.outputsKey.count)..<logLayout[row * 5 + 4]])
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
        var batch = EvaluationBatch()
        evaluate(document: document, line: line, asOf: asOf, keepEvaluations: keepEvaluations, canonicalRows: canonicalRows,
                 into: &batch)
        return batch
    }

    /// Adds one document's rows to `batch` (a JSON Lines run adds thousands of documents to a batch).
    private func evaluate(
        document: JSONValue, line: Int?, asOf: CalendarDate, keepEvaluations: Bool, canonicalRows: [String: [[UInt8]?]],
        into batch: inout EvaluationBatch
    ) {
        add(FactLoader.load(document, line: line, canonicalRows: canonicalRows, attributes: attributes), asOf: asOf,
            keepEvaluations: keepEvaluations, into: &batch)
    }

    /// Evaluates validated providers into `batch`.
    private func add(
        _ loaded: (providers: [ProviderFacts], errors: [FactError]), asOf: CalendarDate, keepEvaluations: Bool,
        into batch: inout EvaluationBatch
    ) {
        let (providers, errors) = loaded
        batch.errors += errors
        batch.providerCount += providers.count
        for provider in providers {
            // Kept evaluations keep their own log rows; otherwise the rows go straight into the batch.
            var logging: EvaluationBatch? = keepEvaluations ? nil : batch
            if !keepEvaluations { batch = EvaluationBatch() }
            let evaluations = evaluate(provider, asOf: asOf, loggingInto: &logging)
            if let logging { batch = logging }
            for evaluation in evaluations {
                batch.windowLines.appendRow { evaluation.writeWindowLine(to: &$0) }
                evaluation.appendGapLines(to: &batch.gapLines)
                batch.statusCounts[evaluation.status.rawValue, default: 0] += 1
                if evaluation.noRulePackCovers { batch.noRulePackCount += 1 }
                if !evaluation.logLine.isEmpty { batch.appendLog(evaluation) }
                if keepEvaluations { batch.evaluations.append(evaluation) }
            }
        }
    }

    /// Evaluates the providers `groups` of a facts document (a document is evaluated a batch of
    /// providers at a time, like JSON Lines). The first batch carries the document's own errors.
    public func evaluate(
        document: FactsDocument, groups: Range<Int>, asOf: CalendarDate, keepEvaluations: Bool
    ) -> EvaluationBatch {
        var batch = EvaluationBatch()
        if groups.lowerBound == 0 { batch.errors = document.documentErrors }
        add(document.load(groups: groups, attributes: attributes), asOf: asOf, keepEvaluations: keepEvaluations, into: &batch)
        return batch
    }

    /// Parses and evaluates JSON Lines, one provider object per line (raw UTF-8, as read). A
    /// malformed line is an error row; the other lines are still evaluated.
    /// - Parameter firstLine: the 1-based number of `lines[0]` in the file.
    public func evaluate(
        lines: ArraySlice<ArraySlice<UInt8>>, firstLine: Int, asOf: CalendarDate, keepEvaluations: Bool
    ) -> EvaluationBatch {
        var batch = EvaluationBatch()
        // The log takes about 2.6 times the facts' bytes: reserved once rather than grown by
        // doubling (each growth copies the rows so far into fresh pages).
        if recordsLog { batch.logLines.reserve(3 * lines.reduce(0) { $0 + $1.count }) }
        for (offset, bytes) in lines.enumerated() {
            let lineNumber = firstLine + offset
            if JSONParser.isBlank(bytes) { continue }
            do {
                let (document, rows) = try JSONParser.parseCapturingCanonicalRows(bytes)
                evaluate(document: document, line: lineNumber, asOf: asOf, keepEvaluations: keepEvaluations,
                         canonicalRows: rows, into: &batch)
            } catch {
                batch.errors.append(FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: lineNumber,
                                              message: "invalid JSON at column \(error.location.column): \(error.message)"))
            }
        }
        return batch
    }

    /// The rejected rows of JSON Lines, without evaluating anything (`eval --strict` checks a
    /// whole file before it writes a row).
    /// - Parameter firstLine: the 1-based number of `lines[0]` in the file.
    public static func rejectedRows(
        lines: ArraySlice<ArraySlice<UInt8>>, firstLine: Int, attributes: AttributeCatalogue = .shared
    ) -> [FactError] {
        var errors: [FactError] = []
        for (offset, bytes) in lines.enumerated() where !JSONParser.isBlank(bytes) {
            let lineNumber = firstLine + offset
            do {
                let (document, _) = try JSONParser.parseCapturingCanonicalRows(bytes)
                errors += FactLoader.load(document, line: lineNumber, attributes: attributes).errors
            } catch {
                errors.append(FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: lineNumber,
                                        message: "invalid JSON at column \(error.location.column): \(error.message)"))
            }
        }
        return errors
    }
}
