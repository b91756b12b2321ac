import ArgumentParser
import Foundation
import RuleBase
import RuleEngine

/// `credrules replay`: check an execution log's hash chain and re-run its entries, comparing the
/// outputs byte for byte.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Check an execution log's hash chain and re-run its entries; report identical or say what differs.",
        discussion: """
            Each entry is checked against its own entry_sha256 (every stored field), its place in the chain \
            (entry_sequence, entry_previous_sha256) and, when the run manifest is beside the log (or given with \
            --manifest), the manifest's entry count and last entry hash; then it is re-run from its inputs_json. \
            Exit status: 0 when every entry is intact and replays identical, 1 otherwise, 2 for a usage error.
            """)

    @Argument(help: "A rules_execution_log.jsonl file.")
    var log: String

    @Option(help: "1-based entry (line) to replay; all entries when omitted (then the chain and the manifest are checked too).")
    var entry: Int?

    @Option(help: "Rule packs or compiled rule versions holding the logged versions.")
    var packs: [String] = ["RulePacks"]

    @Option(help: "The run manifest (default: run_manifest.json beside the log, when there is one).")
    var manifest: String?

    /// The longest log line read: a provider's inputs can be as large as its facts line, and more.
    static let maximumLineBytes = 4 * FactsLimits.maximumLineBytes

    func run() throws {
        let byHash = RuleVersionLoading.byHash(try RuleVersionLoading.load(packs))
        let recorded = try entry == nil ? manifestCounts() : nil
        var replayed = 0
        var failing = 0
        var chain = LogChainVerifier()
        try LineReader.forEachLine(path: log, role: "the execution log", maximumLineBytes: Self.maximumLineBytes) { line, lineNumber in
            if let entry, entry != lineNumber { return lineNumber < entry }
            replayed += 1
            let row: JSONValue
            switch line {
            case .tooLong(let count):
                failing += 1
                print("entry \(lineNumber): INVALID")
                print("  the line is \(FactsLimits.describe(count)) long, over the \(FactsLimits.describe(Self.maximumLineBytes)) a log entry may be")
                return entry == nil
            case .text(let bytes):
                do {
                    row = try JSONParser.parse(bytes.text)
                } catch {
                    failing += 1
                    print("entry \(lineNumber): INVALID")
                    print("  not JSON: \(error)")
                    return entry == nil
                }
            }
            let result = Replay.replay(row, ruleVersions: byHash)
            let place = entry == nil ? chain.check(row, line: lineNumber) : []
            // Entries are named by their sequence, and by their line too where the two differ.
            var name = "entry \(lineNumber)"
            if case .number(let text)? = row["entry_sequence"], let sequence = Int(text), sequence != lineNumber {
                name = "entry \(sequence) at line \(lineNumber)"
            }
            let label = "\(name) (\(result.providerID ?? "?"), \(result.credentialID ?? "?"), \(result.ruleVersionID ?? "?"))"
            if result.verdict == .identical, !place.isEmpty {
                failing += 1
                print("\(label): OUT OF PLACE")
                for problem in place { print("  \(problem)") }
            } else if result.verdict == .identical {
                print("\(label): identical")
            } else {
                failing += 1
                print("\(label): \(Self.word(for: result.verdict))")
                for problem in place + result.differences { print("  \(problem)") }
            }
            return entry == nil  // one entry asked for: done
        }
        if let entry, replayed == 0 { throw ValidationError("the log has no entry \(entry)") }
        if entry == nil {
            let problems = chain.finish(manifestEntries: recorded?.entries, manifestHead: recorded?.head)
            if !problems.isEmpty {
                failing += 1
                print("log: INCOMPLETE")
                for problem in problems { print("  \(problem)") }
            }
            if recorded == nil {
                FileIO.printError("note: no run manifest beside the log: entries removed from its end cannot be detected")
            }
        }
        print("\(replayed) entr\(replayed == 1 ? "y" : "ies"): \(failing == 0 ? "all identical" : "\(failing) problem\(failing == 1 ? "" : "s")")")
        if failing > 0 { throw ExitCodes.failure }
    }

    static func word(for verdict: Replay.Verdict) -> String {
        switch verdict {
        case .identical: "identical"
        case .differs: "DIFFERS"
        case .altered: "ALTERED"
        case .ruleVersionMissing: "RULE VERSION MISSING"
        case .invalid: "INVALID"
        }
    }

    /// The manifest's entry count and last entry hash, when there is a manifest.
    private func manifestCounts() throws -> (entries: Int, head: String)? {
        let path = manifest ?? ((log as NSString).deletingLastPathComponent as NSString).appendingPathComponent("run_manifest.json")
        if manifest == nil, FileIO.kind(of: path) != .file { return nil }
        let text = try FileIO.readText(path)
        guard let document = try? JSONParser.parse(text), let section = document["execution_log"],
              case .number(let count)? = section["entries"], let entries = Int(count),
              let head = section["last_entry_sha256"]?.stringValue else {
            throw InputFailure(description: "`\(path)` is not a run manifest (no execution_log.entries and last_entry_sha256)")
        }
        return (entries, head)
    }
}
