import ArgumentParser
import RuleBase
import RuleEngine

/// `credrules replay`: re-run execution-log entries and compare the outputs byte for byte.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run execution-log entries; report identical or show a precise diff.",
        discussion: "Exit status: 0 when every replayed entry is identical, 1 otherwise.")

    @Argument(help: "A rules_execution_log.jsonl file.")
    var log: String

    @Option(help: "1-based entry (line) to replay; all entries when omitted.")
    var entry: Int?

    @Option(help: "Rule packs or compiled rule versions holding the logged versions.")
    var packs: [String] = ["RulePacks"]

    func run() throws {
        let byHash = RuleVersionLoading.byHash(try RuleVersionLoading.load(packs))
        var replayed = 0
        var differing = 0
        try LineReader.forEachLine(path: log) { line, lineNumber in
            if let entry, entry != lineNumber { return lineNumber < entry }
            replayed += 1
            let row: JSONValue
            do {
                row = try JSONParser.parse(line.text)
            } catch {
                differing += 1
                print("entry \(lineNumber): not JSON: \(error)")
                return true
            }
            let result = Replay.replay(row, ruleVersions: byHash)
            let label = "entry \(lineNumber) (\(result.providerID ?? "?"), \(result.credentialID ?? "?"), \(result.ruleVersionID ?? "?"))"
            if result.identical {
                print("\(label): identical")
            } else {
                differing += 1
                print("\(label): DIFFERS")
                for difference in result.differences { print("  \(difference)") }
            }
            return entry == nil  // one entry asked for: done
        }
        if let entry, replayed == 0 { throw ValidationError("the log has no entry \(entry)") }
        print("\(replayed - differing) identical, \(differing) differ")
        if differing > 0 { throw ExitCodes.failure }
    }
}
