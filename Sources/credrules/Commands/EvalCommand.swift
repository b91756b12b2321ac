import ArgumentParser
import Foundation
import RuleBase
import RuleEngine
import RuleIR
import RuleStore

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
            With --database URL --provider ID, re-evaluates one stored provider (its file id or uuid) with the published \
            rule versions, as credrules_engine, and writes its results as `credrules run` does, in one transaction: its \
            compliance_windows and compliance_gap_analysis brought up to date, its rules_execution_log entries appended under a new \
            evaluation_runs row of its own (no shard, one provider; the entries' hash chain starts afresh in that run).
            """)

    @Option(help: "Rule packs (YAML) or compiled rule versions (JSON): files or folders.")
    var packs: [String] = []

    @Option(help: "The facts file (.json, or .jsonl / .ndjson for JSON Lines, one provider per line).")
    var facts: String?

    @Option(help: "The evaluation date, YYYY-MM-DD.")
    var asOf: String

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "With --database: the provider to re-evaluate (its file id or uuid).")
    var provider: String?

    @Option(help: "json, jsonl or table.")
    var format: OutputFormat = .table

    @Option(help: "Write each table as JSON Lines into this folder instead of printing.")
    var out: String?

    @Option(help: "Providers per batch for JSON Lines input.")
    var batchSize: Int = 2000

    @Flag(help: "Fail the whole run (exit 1, no outputs written) when any fact row is rejected.")
    var strict = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case json, jsonl, table }

    /// `--facts` and `--as-of` for the file helpers.
    private var factsOptions: FactsOptions {
        var options = FactsOptions()
        options.facts = facts ?? ""
        options.asOf = asOf
        return options
    }

    func run() throws {
        if databaseOptions.database != nil || provider != nil { return try evaluateStoredProvider() }
        guard !packs.isEmpty else { throw ValidationError("Missing expected argument '--packs <packs> ...'") }
        guard facts != nil else { throw ValidationError("Missing expected argument '--facts <facts>'") }
        let date = try factsOptions.date()
        let evaluator = Evaluator(ruleVersions: try RuleVersionLoading.load(packs))
        if factsOptions.isJSONLines {
            // Opened before the outputs, so a missing or unreadable file touches nothing.
            let reader = try factsOptions.lineReader()
            if strict { try Self.failOnRejectedRows(document: nil, factsOptions: factsOptions, attributes: evaluator.attributes) }
            let sink = try OutputSink(format: format, out: out, evaluator: evaluator, asOf: date)
            var source = LinesFactsSource(reader: reader, batchSize: batchSize, factsOptions: factsOptions)
            try Self.completing(sink) {
                try Self.evaluate(&source, evaluator: evaluator, asOf: date, sink: sink)
                if !source.sawAnyLine { throw factsOptions.emptyFailure() }
            }
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
            var source = DocumentFactsSource(document: document, batchSize: batchSize)
            try Self.completing(sink) { try Self.evaluate(&source, evaluator: evaluator, asOf: date, sink: sink) }
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

    /// Evaluates the facts `source` yields into `sink` with the population runner.
    private static func evaluate<Source: FactsSource>(
        _ source: inout Source, evaluator: Evaluator, asOf date: CalendarDate, sink: OutputSink
    ) throws where Source.Context == Void {
        let runner = PopulationRunner(evaluator: evaluator, asOf: date, keepEvaluations: sink.keepsEvaluations, sealsLog: sink.writesLog)
        try runner.run(from: &source, into: sink)
    }

    /// `--database URL --provider ID`: one stored provider re-evaluated and written as `run` writes a batch.
    private func evaluateStoredProvider() throws {
        guard let provider, !provider.isEmpty else { throw ValidationError("--database needs --provider ID: the provider to re-evaluate") }
        guard packs.isEmpty, facts == nil, out == nil, !strict else {
            throw ValidationError("--database --provider evaluates the stored facts with the published rule versions and writes to the "
                + "database: --packs, --facts, --out and --strict do not apply")
        }
        let date = try factsOptions.date()
        let connection = try databaseOptions.connect()
        let summary = try databaseOptions.audited(connection, role: DatabaseRole.engine.rawValue, action: "eval", resource: "evaluation_runs") {
            try connection.assumeRole(.engine)
            let result = try StoredProviderEvaluation.run(connection, provider: provider, asOf: date)
            return (result.text, result.metadata)
        }
        print(summary)
    }

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
}

/// A JSON Lines facts file, a batch of lines at a time (bounded by count and bytes).
struct LinesFactsSource: FactsSource {
    private var reader: LineReader
    private let batchSize: Int
    private let factsOptions: FactsOptions
    private var lineNumber = 1
    /// Whether any line held something (an empty or blank file is an input error).
    private(set) var sawAnyLine = false

    init(reader: LineReader, batchSize: Int, factsOptions: FactsOptions) {
        self.reader = reader
        self.batchSize = max(1, batchSize)
        self.factsOptions = factsOptions
    }

    mutating func nextBatch() throws -> FactsBatch<Void>? {
        let lines = reader.nextLines(batchSize, byteBudget: FactsLimits.batchBytes)
        if lines.isEmpty { return nil }
        var tooLong: [FactError] = []
        let texts = lines.enumerated().map { index, line in
            if case .tooLong(let count) = line { tooLong.append(factsOptions.tooLongError(line: lineNumber + index, byteCount: count)) }
            return line.bytes
        }
        sawAnyLine = sawAnyLine || !tooLong.isEmpty || texts.contains { !JSONParser.isBlank($0) }
        defer { lineNumber += lines.count }
        return FactsBatch(.lines(texts, firstLine: lineNumber, rejected: tooLong), context: ())
    }
}

/// An indexed facts document, a batch of providers at a time (its rows are parsed per provider,
/// never into one tree). A document with no providers is one empty batch, which carries the
/// document's own errors.
struct DocumentFactsSource: FactsSource {
    let document: FactsDocument
    let batchSize: Int
    private var next = 0
    private var done = false

    init(document: FactsDocument, batchSize: Int) {
        self.document = document
        self.batchSize = max(1, batchSize)
    }

    mutating func nextBatch() throws -> FactsBatch<Void>? {
        guard !done else { return nil }
        let end = min(document.groupCount, next + batchSize)
        defer { next = end; done = end >= document.groupCount }
        return FactsBatch(.document(document, groups: next..<end), context: ())
    }
}
