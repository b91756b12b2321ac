import ArgumentParser
import Dispatch
import Foundation
import RuleBase
import RuleEngine

/// `credrules eval`: evaluate providers' facts against rule packs as of a date.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate provider facts against rule packs as of a date.",
        discussion: """
            Facts are one JSON object of table name to rows, or JSON Lines (.jsonl), one provider per line.
            Exit status: 0 when every fact row was valid, 1 when some rows were rejected (the rest are evaluated).
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
        // Checked before the sink opens (and truncates) any output file.
        let document = factsOptions.isJSONLines ? nil : try factsOptions.factsDocument()
        if strict { try Self.failOnRejectedRows(document: document, factsOptions: factsOptions) }
        let sink = try OutputSink(format: format, out: out, evaluator: evaluator)
        if factsOptions.isJSONLines {
            var reader = try LineReader(path: factsOptions.facts)
            var lineNumber = 1
            // Writing overlaps the next batch's evaluation; one batch in flight keeps memory flat.
            let writer = DispatchQueue(label: "credrules.eval.writer")
            let inFlight = DispatchSemaphore(value: 1)
            let box = SinkBox(sink)
            while true {
                let lines = reader.nextLines(max(1, batchSize))
                if lines.isEmpty { break }
                let batches = Self.evaluateInParallel(evaluator, lines: lines, firstLine: lineNumber, asOf: date, keep: sink.keepsEvaluations)
                lineNumber += lines.count
                inFlight.wait()
                writer.async {
                    for batch in batches { box.sink.consume(batch) }
                    inFlight.signal()
                }
            }
            writer.sync {}
        } else if let document {
            // A batch of providers at a time, as for JSON Lines: the document's rows are parsed
            // per provider, never into one tree.
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
        let rejected = try sink.finish()
        if rejected > 0 { throw ExitCodes.failure }
    }

    /// `--strict`: every rejected row on standard error, then exit 1 before anything is written.
    static func failOnRejectedRows(document: FactsDocument?, factsOptions: FactsOptions) throws {
        var errors: [FactError] = []
        if let document {
            errors = document.documentErrors
            var start = 0
            while start < document.groupCount {
                let end = min(document.groupCount, start + 2000)
                errors += document.load(groups: start..<end).errors
                start = end
            }
        } else {
            var reader = try LineReader(path: factsOptions.facts)
            var lineNumber = 1
            while true {
                let lines = reader.nextLines(2000)
                if lines.isEmpty { break }
                errors += Evaluator.rejectedRows(lines: lines[...], firstLine: lineNumber)
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
        let chunk = 64
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
        let chunk = 64
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
