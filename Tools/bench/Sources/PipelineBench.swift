import Foundation
import RuleBase
import RuleEngine
import RuleIR

/// Times each stage of a JSON Lines run on one core, so that an end-to-end figure can be
/// explained: parse, validate, decide, build the execution log, serialise the output rows.
///
/// - Parameters:
///   - rulesDirectory: compiled rule versions (`credrules compile RulePacks --out DIR`).
///   - factsPath: a JSON Lines facts file (one provider per line); at most `limit` lines are used.
func runPipelineBenchmark(rulesDirectory: String, factsPath: String, asOf: String, limit: Int = 5_000, rounds: Int = 5) {
    guard let files = try? FileManager.default.contentsOfDirectory(atPath: rulesDirectory),
          let date = CalendarDate(iso: asOf),
          let data = FileManager.default.contents(atPath: factsPath)
    else {
        print("pipeline benchmark: cannot read \(rulesDirectory), \(factsPath) or the date")
        return
    }
    let versions = files.sorted().filter { $0.hasSuffix(".json") && $0 != "manifest.json" }.compactMap { file -> LoadedRuleVersion? in
        guard let text = FileManager.default.contents(atPath: rulesDirectory + "/" + file) else { return nil }
        return (try? RuleVersion(jsonText: String(decoding: text, as: UTF8.self))).flatMap { try? LoadedRuleVersion($0) }
    }
    var lines: [[UInt8]] = []
    var start = data.startIndex
    while lines.count < limit, start < data.endIndex {
        let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
        if end > start { lines.append(Array(data[start..<end])) }
        start = end + 1
    }
    let deciding = Evaluator(ruleVersions: versions, recordsLog: false)
    let logging = Evaluator(ruleVersions: versions, recordsLog: true)

    // Stage by stage for each line in turn, as a run does (nothing is kept, so memory is
    // reused rather than faulted in). Several rounds, keeping each stage's fastest: on a
    // shared machine, interference only ever adds time.
    var best = [Double](repeating: .infinity, count: 6)
    var credentials = 0
    var bytes = 0
    for _ in 0..<rounds {
        var stages = [Double](repeating: 0, count: 6)
        var lap = threadCPUNanoseconds()
        func record(_ stage: Int) {
            let now = threadCPUNanoseconds()
            stages[stage] += Double(now - lap) / 1e3 / Double(lines.count)
            lap = now
        }
        credentials = 0
        bytes = 0
        var chain = LogChain()
        for line in lines {
            guard let (document, rows) = try? JSONParser.parseCapturingCanonicalRows(line[...]) else { continue }
            record(0)
            let providers = FactLoader.load(document, canonicalRows: rows).providers
            record(1)
            for provider in providers { _ = deciding.evaluate(provider, asOf: date) }
            record(2)
            let evaluations = providers.flatMap { logging.evaluate($0, asOf: date) }
            record(3)
            var tables = (JSONLines(), JSONLines(), EvaluationBatch())
            for evaluation in evaluations {
                tables.0.append(evaluation.windowLine)
                for gap in evaluation.gapLines { tables.1.append(gap) }
                tables.2.appendLog(evaluation)
            }
            record(5)
            // The writer seals the log rows into the run's hash chain, one entry at a time.
            let sealed = chain.seal(tables.2)
            record(4)
            bytes += tables.0.bytes.count + tables.1.bytes.count + sealed.bytes.count
            credentials += evaluations.count
        }
        best = zip(best, stages).map { min($0, $1) }
    }
    let stages = best
    let (parse, load, decide, withLog, seal, rows) = (stages[0], stages[1], stages[2], stages[3], stages[4], stages[5])
    func format(_ value: Double) -> String { String(format: "%6.1f", value) }
    print("pipeline benchmark: µs CPU per provider, one core, fastest of \(rounds) rounds over \(lines.count) providers, \(credentials) credentials, \(bytes) bytes out")
    print("  parse JSON           \(format(parse))")
    print("  validate facts       \(format(load))")
    print("  decide               \(format(decide))")
    print("  decide + log line    \(format(withLog))")
    print("  window and gap rows  \(format(rows))")
    print("  seal the log chain   \(format(seal))  (the writer's thread)")
    print("  total                \(format(parse + load + withLog + rows + seal))")
}

/// CPU time of the calling thread, in nanoseconds.
private func threadCPUNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}
