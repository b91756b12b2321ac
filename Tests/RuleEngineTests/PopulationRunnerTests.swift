import RuleBase
import RuleEngine
import RuleIR
import Testing

/// The population runner `eval --out` and `run` share: batches in order, one chain across them,
/// the same bytes whatever the batch size, and a failing source or sink stops the run.
@Suite struct PopulationRunnerTests {
    /// A facts document's providers, `size` at a time; the context is the batch's index.
    struct Batches: FactsSource {
        let document: FactsDocument
        let size: Int
        var failAt: Int?
        private var next = 0
        private var index = 0

        init(_ document: FactsDocument, size: Int, failAt: Int? = nil) {
            self.document = document
            self.size = size
            self.failAt = failAt
        }

        struct Failure: Error {}

        mutating func nextBatch() throws -> FactsBatch<Int>? {
            guard next < document.groupCount else { return nil }
            if index == failAt { throw Failure() }
            let end = min(document.groupCount, next + size)
            defer { next = end; index += 1 }
            return FactsBatch(.document(document, groups: next..<end), context: index)
        }
    }

    /// Keeps what it is given; fails on the batch `failOn`.
    final class Collecting: ResultsSink {
        var contexts: [Int] = []
        var windows: [UInt8] = []
        var log: [UInt8] = []
        var providers = 0
        var heads: [String] = []
        let failOn: Int?

        init(failOn: Int? = nil) { self.failOn = failOn }

        struct Failure: Error {}

        func write(_ batch: SealedBatch<Int>) throws {
            if batch.context == failOn { throw Failure() }
            contexts.append(batch.context)
            providers += batch.providerCount
            heads.append(batch.chain.head)
            for part in batch.parts {
                windows += part.evaluated.windowLines.bytes
                log += part.log.bytes
            }
        }
    }

    static let asOf = Fixtures.date("2026-06-01")

    /// 150 providers (more than two chunks of 64), each with a Texas license and some CME.
    static func population() throws -> (FactsDocument, Evaluator) {
        var tables: [(String, [JSONValue])] = []
        for index in 0..<150 {
            let provider = "p" + String(1000 + index)
            let one = Fixtures.facts(provider: provider, expiration: "\(2026 + index % 3)-0\(1 + index % 9)-15",
                                     events: Array(Fixtures.fullEvents.prefix(index % (Fixtures.fullEvents.count + 1))).map { id, category, credits, date in
                                         ("\(id)-\(provider)", category, credits, date)
                                     })
            for (name, rows) in one.objectMembers ?? [] {
                if let at = tables.firstIndex(where: { $0.0 == name }) { tables[at].1 += rows.arrayValue ?? [] } else { tables.append((name, rows.arrayValue ?? [])) }
            }
        }
        let document = JSONValue.object(tables.map { ($0.0, .array($0.1)) })
        return (try FactsDocument(bytes: Array(document.canonicalText.utf8)), Evaluator(ruleVersions: [try Fixtures.loaded()]))
    }

    @Test func batchesInOrderGiveTheBytesOfOneEvaluationSealedAtOnce() throws {
        let (document, evaluator) = try Self.population()
        #expect(document.groupCount > 100, "a population bigger than a few chunks")
        let whole = evaluator.evaluate(document: document, groups: 0..<document.groupCount, asOf: Self.asOf, keepEvaluations: false)
        var chain = LogChain()
        let sealed = chain.seal(whole)

        let runner = PopulationRunner(evaluator: evaluator, asOf: Self.asOf)
        for size in [1, 7, 64, 65, document.groupCount] {
            var source = Batches(document, size: size)
            let sink = Collecting()
            let final = try runner.run(from: &source, into: sink)
            #expect(sink.contexts == Array(0..<((document.groupCount + size - 1) / size)), "size \(size)")
            #expect(sink.providers == document.groupCount)
            #expect(sink.windows == whole.windowLines.bytes, "size \(size)")
            #expect(sink.log == sealed.bytes, "size \(size)")
            #expect(final.head == chain.head && final.count == chain.count)
            #expect(sink.heads.last == chain.head)
        }
    }

    @Test func aContinuedChainPicksUpAfterItsLastEntry() throws {
        let (document, evaluator) = try Self.population()
        let head = String(repeating: "ab", count: 32)
        var source = Batches(document, size: 50)
        let sink = Collecting()
        let final = try PopulationRunner(evaluator: evaluator, asOf: Self.asOf).run(from: &source, into: sink,
                                                                                   continuing: LogChain(continuingAfter: 5, head: head))
        let first = try #require(JSONLines.first(of: sink.log))
        #expect(first["entry_sequence"] == .int(6))
        #expect(first["entry_previous_sha256"]?.stringValue == head)
        #expect(final.count > 5)
    }

    @Test func aFailingSinkStopsTheRunAndNoLaterBatchIsWritten() throws {
        let (document, evaluator) = try Self.population()
        var source = Batches(document, size: 10)
        let sink = Collecting(failOn: 2)
        #expect(throws: Collecting.Failure.self) {
            try PopulationRunner(evaluator: evaluator, asOf: Self.asOf).run(from: &source, into: sink)
        }
        #expect(sink.contexts == [0, 1])
    }

    @Test func aFailingSourceIsRethrownAfterTheBatchesBeforeItAreWritten() throws {
        let (document, evaluator) = try Self.population()
        var source = Batches(document, size: 10, failAt: 3)
        let sink = Collecting()
        #expect(throws: Batches.Failure.self) {
            try PopulationRunner(evaluator: evaluator, asOf: Self.asOf).run(from: &source, into: sink)
        }
        #expect(sink.contexts == [0, 1, 2])
    }

    @Test func rejectedLinesTakeTheirPlaceInLineOrder() throws {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        let lines: [ArraySlice<UInt8>] = [Array("not json".utf8)[...], [][...], Array("{]".utf8)[...]]
        let tooLong = FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: 11, message: "too long")
        let parts = PopulationRunner(evaluator: evaluator, asOf: Self.asOf)
            .evaluate(.lines(lines, firstLine: 10, rejected: [tooLong]))
        #expect(parts.count == 1)
        #expect(parts.first?.errors.map(\.line) == [10, 11, 12])
        #expect(parts.first?.errors[1].message == "too long")
    }
}

extension JSONLines {
    /// The first row of newline-terminated JSON rows, parsed.
    static func first(of bytes: [UInt8]) -> JSONValue? {
        guard let end = bytes.firstIndex(of: 0x0A) else { return nil }
        return try? JSONParser.parse(String(decoding: bytes[..<end], as: UTF8.self))
    }
}
