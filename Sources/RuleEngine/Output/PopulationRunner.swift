public import RuleBase
import Dispatch

/// The facts of one batch of providers.
public enum BatchFacts: Sendable {
    /// Providers `groups` of an indexed facts document; the batch holding group 0 also carries
    /// the document's own errors.
    case document(FactsDocument, groups: Range<Int>)
    /// JSON Lines as read, one provider per line; `firstLine` is the 1-based number of the
    /// first. `rejected` are errors for lines of the batch the source could not hand over (too
    /// long), placed among the batch's errors in line order.
    case lines([ArraySlice<UInt8>], firstLine: Int, rejected: [FactError])
}

/// One batch of providers' facts, as a ``FactsSource`` hands it to the runner, with what the
/// sink needs to know about it (`Context`: nothing for a file, the providers' row ids for the
/// database).
public struct FactsBatch<Context: Sendable>: Sendable {
    public var facts: BatchFacts
    public var context: Context

    /// Creates a batch.
    public init(_ facts: BatchFacts, context: Context) {
        self.facts = facts
        self.context = context
    }
}

/// Where a population run's facts come from, a batch at a time (never the whole population):
/// a file's lines, a document's providers, the database's providers by id.
public protocol FactsSource {
    associatedtype Context: Sendable
    /// The next batch, or nil when there are no more.
    mutating func nextBatch() throws -> FactsBatch<Context>?
}

/// A batch evaluated and its log sealed, as the runner hands it to a ``ResultsSink``: the parts
/// the cores evaluated, in provider order, each with its sealed log rows.
public struct SealedBatch<Context: Sendable>: Sendable {
    /// One core's share of the batch.
    public struct Part: Sendable {
        /// The rows as evaluated (`logLines` and `logLayout`, the entries before sealing, only for a sink that `readsEvaluatedLog`).
        public var evaluated: EvaluationBatch
        /// The part's log entries sealed into the run's chain (empty when the run seals no log).
        public var log: JSONLines
    }

    public var parts: [Part]
    /// The run's chain after this batch's entries.
    public var chain: LogChain
    /// What the source said about the batch.
    public var context: Context

    /// Providers evaluated in the batch.
    public var providerCount: Int { parts.reduce(0) { $0 + $1.evaluated.providerCount } }
}

/// Where a population run's results go: files, standard output, the database. The runner calls
/// ``write(_:)`` from one writer thread, one batch at a time, in order.
public protocol ResultsSink: AnyObject {
    associatedtype Context: Sendable
    /// Whether the sink reads the evaluated log rows (`logLines`, `logLayout`) beside the sealed
    /// ones; when not, the runner drops them as it seals, so a batch's log is held once.
    var readsEvaluatedLog: Bool { get }
    /// Takes one batch; an error stops the run (no later batch is written).
    func write(_ batch: SealedBatch<Context>) throws
}

extension ResultsSink {
    public var readsEvaluatedLog: Bool { false }
}

/// The population run shared by `eval` and `run`: takes batches from a facts source, evaluates
/// each on every core (in chunks of ``chunkProviders`` providers, results in order), seals the
/// log into one hash chain, and hands the batch to a results sink on a writer thread, so batch
/// n + 1 is evaluated while batch n is written. At most one batch is being written while the
/// next is evaluated, so memory stays flat whatever the population's size.
public struct PopulationRunner: Sendable {
    public let evaluator: Evaluator
    public let asOf: CalendarDate
    /// Keep the whole evaluations (a table for people); off for bulk runs.
    public var keepEvaluations: Bool
    /// Seal the execution log (off when the log is not written).
    public var sealsLog: Bool

    /// Providers (lines) per chunk that one core takes at a time: small, so one slow chunk does
    /// not leave a core idle.
    public static let chunkProviders = 64

    /// Creates a runner.
    public init(evaluator: Evaluator, asOf: CalendarDate, keepEvaluations: Bool = false, sealsLog: Bool = true) {
        self.evaluator = evaluator
        self.asOf = asOf
        self.keepEvaluations = keepEvaluations
        self.sealsLog = sealsLog
    }

    /// Runs every batch of `source` into `sink`, the log continuing `chain`; returns the chain
    /// after the last entry. An error from the source or the sink stops the run once the batch
    /// being written is done, and is rethrown.
    @discardableResult
    public func run<Source: FactsSource, Sink: ResultsSink>(
        from source: inout Source, into sink: Sink, continuing chain: LogChain = LogChain()
    ) throws -> LogChain where Source.Context == Sink.Context {
        let writer = DispatchQueue(label: "credrules.population-runner.writer")
        let inFlight = DispatchSemaphore(value: 1)
        let state = WriterState<Source.Context>(write: sink.write, chain: chain)
        let seals = sealsLog
        let keepsEvaluatedLog = sink.readsEvaluatedLog
        var sourceError: (any Error)?
        while true {
            let next: FactsBatch<Source.Context>?
            do {
                next = try source.nextBatch()
            } catch {
                sourceError = error
                break
            }
            guard let next else { break }
            let context = next.context
            let parts = evaluate(next.facts)
            // Holding the one write token, no write is running: the state can be touched here.
            inFlight.wait()
            if state.failure != nil {
                inFlight.signal()
                break
            }
            state.pending = parts
            writer.async {
                defer { inFlight.signal() }
                var pending = state.pending
                state.pending = []
                var sealed: [SealedBatch<Source.Context>.Part] = []
                sealed.reserveCapacity(pending.count)
                for index in pending.indices {
                    // Taken out of `pending`, so the evaluated log rows are freed once sealed.
                    var part = pending[index]
                    pending[index] = EvaluationBatch()
                    let log = seals ? state.chain.seal(part) : JSONLines()
                    if !keepsEvaluatedLog {
                        part.logLines = JSONLines()
                        part.logLayout = []
                    }
                    sealed.append(SealedBatch<Source.Context>.Part(evaluated: part, log: log))
                }
                do {
                    try state.write(SealedBatch(parts: sealed, chain: state.chain, context: context))
                } catch {
                    state.failure = error
                }
            }
        }
        inFlight.wait()
        defer { inFlight.signal() }
        if let failure = state.failure { throw failure }
        if let sourceError { throw sourceError }
        return state.chain
    }

    /// Evaluates one batch on every core; the parts come back in provider order.
    public func evaluate(_ facts: BatchFacts) -> [EvaluationBatch] {
        let evaluator = self.evaluator, asOf = self.asOf, keep = keepEvaluations
        switch facts {
        case .document(let document, let groups):
            guard !groups.isEmpty else {
                return [evaluator.evaluate(document: document, groups: groups, asOf: asOf, keepEvaluations: keep)]
            }
            return Self.inParallel(count: groups.count) { range in
                evaluator.evaluate(document: document, groups: (groups.lowerBound + range.lowerBound)..<(groups.lowerBound + range.upperBound),
                                   asOf: asOf, keepEvaluations: keep)
            }
        case .lines(let lines, let firstLine, let rejected):
            var parts = Self.inParallel(count: lines.count) { range in
                evaluator.evaluate(lines: lines[range], firstLine: firstLine + range.lowerBound, asOf: asOf, keepEvaluations: keep)
            }
            guard !rejected.isEmpty else { return parts }
            if parts.isEmpty { parts = [EvaluationBatch()] }
            // Each chunk's errors stay in line order with the rejected lines among them.
            for error in rejected {
                let chunk = min(parts.count - 1, max(0, ((error.line ?? firstLine) - firstLine) / Self.chunkProviders))
                parts[chunk].errors.append(error)
            }
            for index in parts.indices {
                parts[index].errors = parts[index].errors.enumerated()
                    .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }.map(\.element)
            }
            return parts
        }
    }

    /// Runs `work` over `0..<count` in chunks of ``chunkProviders`` on every core; the results
    /// in chunk order.
    static func inParallel(count: Int, _ work: @Sendable (Range<Int>) -> EvaluationBatch) -> [EvaluationBatch] {
        let chunk = chunkProviders
        let chunks = (count + chunk - 1) / chunk
        guard chunks > 0 else { return [] }
        let slots = ResultSlots(count: chunks)
        defer { slots.deallocate() }
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            slots.set(index, work((index * chunk)..<min(count, index * chunk + chunk)))
        }
        return slots.ordered()
    }
}

/// The sink, the chain and the first failure: touched by one write at a time, and by the
/// caller only while it holds the write token (so never during a write).
private final class WriterState<Context: Sendable>: @unchecked Sendable {
    let write: (SealedBatch<Context>) throws -> Void
    var chain: LogChain
    var failure: (any Error)?
    /// The batch handed to the next write.
    var pending: [EvaluationBatch] = []

    init(write: @escaping (SealedBatch<Context>) throws -> Void, chain: LogChain) {
        self.write = write
        self.chain = chain
    }
}

/// One slot per chunk, each written by exactly one worker (so no lock), read after all are done.
private struct ResultSlots: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<EvaluationBatch?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    func set(_ index: Int, _ batch: EvaluationBatch) { slots[index] = batch }

    func ordered() -> [EvaluationBatch] { slots.compactMap { $0 } }

    func deallocate() {
        _ = slots.deinitialize()
        slots.deallocate()
    }
}
