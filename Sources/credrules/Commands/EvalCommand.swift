import ArgumentParser
import Dispatch
import Foundation
import RuleBase
import RuleEngine
import RuleIR

/// `credrules eval`: evaluate providers' facts against rule packs as of a date.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate provider facts against rule packs as of a date.",
        discussion: """
            Facts are one JSON object of table name to rows, or JSON Lines (.jsonl), one provider per line.
            With --out, the folder gets every table of a completed run or nothing: a run that fails (facts that are \
            malformed, empty, unreadable or over a limit) leaves the previous files untouched.
            Exit status: 0 when every fact row was valid, 1 when some rows were rejected (the rest are evaluated) or the \
            facts could not be used, 2 for a usage error (a missing facts file or a folder given as one).
            """)

    @OptionGroup var packOptions: PacksOption
    @OptionGroup var factsOptions: FactsOptions

    @Option(help: "json, jsonl or table.")
    var format: OutputFormat = .table

    @Option(help: "Write each table as JSON Lines into this folder instead of printing.")
    var out: String?

    @Option(help: "Providers per batch for JSON Lines input.")
    var batchSize: Int = 2000

    @Flag(help: "Fail the whole run (exit 1, no outputs written) when any fact row is rejected.")
    var strict = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case json, jsonl, table }

    func run() throws {
        let date = try factsOptions.date()
        let evaluator = Evaluator(ruleVersions: try RuleVersionLoading.load(packOptions.packs))
        if factsOptions.isJSONLines {
            // Opened before the outputs, so a missing or unreadable file touches nothing.
            let reader = try factsOptions.lineReader()
            if strict { try Self.failOnRejectedRows(document: nil, factsOptions: factsOptions, attributes: evaluator.attributes) }
            let sink = try OutputSink(format: format, out: out, evaluator: evaluator, asOf: date)
            try Self.completing(sink) { try evaluateLines(reader, evaluator: evaluator, asOf: date, sink: sink) }
        } else {
            let document: FactsDocument
            do {
                document = try factsOptions.factsDocument()
            } catch let failure as InputFailure {
                // A document that cannot be read leaves a folder's previous outputs as they were.
                if out == nil { try OutputSink(format: format, out: nil, evaluator: evaluator, asOf: date).fail(failure.description) }
                throw failure
            }
            if strict { try Self.failOnRejectedRows(document: document, factsOptions: factsOptions, attributes: evaluator.attributes) }
            let sink = try OutputSink(format: format, out: out, evaluator: evaluator, asOf: date)
            try Self.completing(sink) { evaluateDocument(document, evaluator: evaluator, asOf: date, sink: sink) }
        }
    }

    /// Runs `body`, then completes the outputs; a failure removes them and keeps the error.
    private static func completing(_ sink: OutputSink, _ body: () throws -> Void) throws {
        let rejected: Int
        do {
            try body()
            if sink.providers == 0, sink.rejected > 0 {
                // Nothing could be read (a file of garbage, the wrong file): a failed run, not
                // an empty population that would replace the previous outputs.
                let shown = sink.firstErrors.map { "  \($0.summary)" }.joined(separator: "\n")
                throw InputFailure(description: "no provider could be read from the facts: \(sink.rejected) rejected, "
                    + "the first:\n\(shown)")
            }
            rejected = try sink.finish()
        } catch {
            sink.fail("\(error)")
            throw error
        }
        if rejected > 0 { throw ExitCodes.failure }
    }

    /// A batch of providers at a time, as for JSON Lines: the document's rows are parsed per
    /// provider, never into one tree.
    private func evaluateDocument(_ document: FactsDocument, evaluator: Evaluator, asOf date: CalendarDate, sink: OutputSink) {
        let keep = sink.keepsEvaluations
        for first in stride(from: 0, to: document.groupCount, by: max(1, batchSize)) {
            let end = min(document.groupCount, first + max(1, batchSize))
            for batch in Self.inParallel(count: end - first, { range in
                evaluator.evaluate(document: document, groups: (first + range.lowerBound)..<(first + range.upperBound), asOf: date,
                                   keepEvaluations: keep)
            }) { sink.consume(batch) }
        }
        if document.groupCount == 0 {
            sink.consume(evaluator.evaluate(document: document, groups: 0..<0, asOf: date, keepEvaluations: false))
        }
    }

    /// Evaluates a JSON Lines file batch by batch: the cores evaluate one batch while the
    /// writer writes the one before.
    private func evaluateLines(_ reader: LineReader, evaluator: Evaluator, asOf date: CalendarDate, sink: OutputSink) throws {
        var reader = reader
        var lineNumber = 1
        var anyLine = false
        // Writing overlaps the next batch's evaluation; one batch in flight keeps memory flat.
        let writer = DispatchQueue(label: "credrules.eval.writer")
        let inFlight = DispatchSemaphore(value: 1)
        let box = SinkBox(sink)
        while true {
            let lines = reader.nextLines(max(1, batchSize), byteBudget: FactsLimits.batchBytes)
            if lines.isEmpty { break }
            var tooLong: [(line: Int, byteCount: Int)] = []
            let texts = lines.enumerated().map { index, line in
                if case .tooLong(let count) = line { tooLong.append((lineNumber + index, count)) }
                return line.bytes
            }
            anyLine = anyLine || texts.contains { !JSONParser.isBlank($0) } || !tooLong.isEmpty
            var batches = Self.evaluateInParallel(evaluator, lines: texts, firstLine: lineNumber, asOf: date, keep: sink.keepsEvaluations)
            if !tooLong.isEmpty, !batches.isEmpty {
                // Each chunk's errors stay in line order with the over-long lines among them.
                for (line, count) in tooLong {
                    let chunk = min(batches.count - 1, (line - lineNumber) / Self.chunkLines)
                    batches[chunk].errors.append(factsOptions.tooLongError(line: line, byteCount: count))
                }
                for index in batches.indices {
                    batches[index].errors = batches[index].errors.enumerated()
                        .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
                }
            }
            lineNumber += lines.count
            let evaluated = batches
            inFlight.wait()
            writer.async {
                for batch in evaluated { box.sink.consume(batch) }
                inFlight.signal()
            }
        }
        writer.sync {}
        if !anyLine { throw factsOptions.emptyFailure() }
    }

    /// Lines per chunk of a batch that one core takes at a time.
    static let chunkLines = 64

    /// `--strict`: every rejected row on standard error, then exit 1 before anything is written.
    static func failOnRejectedRows(document: FactsDocument?, factsOptions: FactsOptions, attributes: AttributeCatalogue) throws {
        var errors: [FactError] = []
        if let document {
            errors = document.documentErrors
            var start = 0
            while start < document.groupCount {
                let end = min(document.groupCount, start + 2000)
                errors += document.load(groups: start..<end, attributes: attributes).errors
                start = end
            }
        } else {
            var reader = try factsOptions.lineReader()
            var lineNumber = 1
            while true {
                let lines = reader.nextLines(2000, byteBudget: FactsLimits.batchBytes)
                if lines.isEmpty { break }
                for (index, line) in lines.enumerated() {
                    if case .tooLong(let count) = line { errors.append(factsOptions.tooLongError(line: lineNumber + index, byteCount: count)) }
                }
                errors += Evaluator.rejectedRows(lines: lines.map(\.bytes)[...], firstLine: lineNumber, attributes: attributes)
                lineNumber += lines.count
            }
        }
        guard !errors.isEmpty else { return }
        for error in errors { FileIO.printError("rejected: \(error.summary)") }
        FileIO.printError("--strict: \(errors.count) rows rejected; nothing evaluated, no outputs written")
        throw ExitCodes.failure
    }

    /// Runs `work` over `0..<count` in chunks of 64 on every core; results in chunk order.
    static func inParallel(count: Int, _ work: @Sendable (Range<Int>) -> EvaluationBatch) -> [EvaluationBatch] {
        let chunk = chunkLines
        let chunks = (count + chunk - 1) / chunk
        let results = BatchSlots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            results.set(index, work((index * chunk)..<min(count, index * chunk + chunk)))
        }
        return results.ordered()
    }

    /// Splits a batch of lines into small chunks that the cores take in turn (so one slow
    /// chunk does not leave a core idle); the chunks' results come back in line order.
    static func evaluateInParallel(
        _ evaluator: Evaluator, lines: [ArraySlice<UInt8>], firstLine: Int, asOf: CalendarDate, keep: Bool
    ) -> [EvaluationBatch] {
        let chunk = chunkLines
        let chunks = (lines.count + chunk - 1) / chunk
        let results = BatchSlots(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            let start = index * chunk
            let end = min(lines.count, start + chunk)
            results.set(index, evaluator.evaluate(lines: lines[start..<end], firstLine: firstLine + start, asOf: asOf, keepEvaluations: keep))
        }
        return results.ordered()
    }
}

/// Hands the output sink to the writer queue; only that queue touches it while batches run.
private final class SinkBox: @unchecked Sendable {
    let sink: OutputSink
    init(_ sink: OutputSink) { self.sink = sink }
}

/// Per-worker result slots, written once each from concurrent workers.
private final class BatchSlots: @unchecked Sendable {
    private var slots: [EvaluationBatch?]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ batch: EvaluationBatch) {
        lock.lock()
        slots[index] = batch
        lock.unlock()
    }

    func ordered() -> [EvaluationBatch] { slots.compactMap { $0 } }
}
