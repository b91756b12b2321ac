import Foundation
import RuleBase
import RuleEngine
import RuleIR

/// Times one provider against one compiled rule version, in memory (no parsing, no output):
/// the evaluator's own cost. Target: under 20 µs per provider against a typical state pack.
///
/// - Parameters:
///   - rulesDirectory: compiled rule versions (`credrules compile RulePacks --out DIR`).
///   - factsPath: a facts JSON file; every provider with a credential the pack applies to is timed.
///   - pack: the pack id to time (default the Texas physician license).
func runEngineBenchmark(rulesDirectory: String, factsPath: String, pack: String, asOf: String) {
    guard let files = try? FileManager.default.contentsOfDirectory(atPath: rulesDirectory) else {
        print("engine benchmark: cannot read \(rulesDirectory)")
        return
    }
    var chosen: LoadedRuleVersion?
    for file in files.sorted() where file.hasSuffix(".json") && file != "manifest.json" {
        guard let data = FileManager.default.contents(atPath: rulesDirectory + "/" + file),
              let version = try? RuleVersion(jsonText: String(decoding: data, as: UTF8.self)),
              version.pack == pack, let loaded = try? LoadedRuleVersion(version)
        else { continue }
        chosen = loaded
    }
    guard let loaded = chosen, let date = CalendarDate(iso: asOf),
          let data = FileManager.default.contents(atPath: factsPath),
          let document = try? JSONParser.parse(String(decoding: data, as: UTF8.self))
    else {
        print("engine benchmark: missing pack \(pack), facts or date")
        return
    }
    let providers = FactLoader.load(document).providers.filter { !Evaluator.evaluate(loaded, provider: $0, asOf: date).isEmpty }
    guard !providers.isEmpty else {
        print("engine benchmark: no provider in \(factsPath) holds a credential \(pack) applies to")
        return
    }
    var credentials = 0
    for provider in providers { credentials += Evaluator.evaluate(loaded, provider: provider, asOf: date).count }
    let rounds = max(1, 20_000 / providers.count)
    for recordingLog in [false, true] {
        let cpuStart = clock()
        for _ in 0..<rounds {
            for provider in providers { _ = Evaluator.evaluate(loaded, provider: provider, asOf: date, recordingLog: recordingLog) }
        }
        let cpu = Double(clock() - cpuStart) / Double(CLOCKS_PER_SEC)
        let perProvider = cpu * 1e6 / Double(rounds * providers.count)
        print("engine benchmark: \(String(format: "%.1f", perProvider)) µs CPU per provider against \(loaded.version.id) "
            + (recordingLog ? "with the execution log (canonical inputs and outputs, SHA-256)" : "deciding only (no execution log)")
            + " (\(providers.count) providers, \(credentials) credentials)")
    }
}
