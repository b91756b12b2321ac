import ArgumentParser
import Foundation
import RuleBase
import RuleEngine
import RuleStore

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

    @Argument(help: "A rules_execution_log.jsonl file (or --run with --database).")
    var log: String?

    @Option(name: .customLong("run"), help: "An evaluation_runs id: replay that run's entries from the database (rule versions from rule_versions too).")
    var runID: String?

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "1-based entry (line) to replay; all entries when omitted (then the chain and the manifest are checked too).")
    var entry: Int?

    @Option(help: "Rule packs or compiled rule versions holding the logged versions.")
    var packs: [String] = ["RulePacks"]

    @Option(help: "The run manifest (default: run_manifest.json beside the log, when there is one).")
    var manifest: String?

    /// The longest log line read: a provider's inputs can be as large as its facts line, and more.
    static let maximumLineBytes = 4 * FactsLimits.maximumLineBytes

    func run() throws {
        if let runID {
            guard log == nil, entry == nil else { throw ValidationError("--run replays a whole run from the database: give no log file and no --entry") }
            try replayDatabaseRun(runID)
            return
        }
        guard let log else { throw ValidationError("give a rules_execution_log.jsonl file, or --run ID with --database") }
        let byHash = RuleVersionLoading.byHash(try RuleVersionLoading.load(packs))
        let recorded = try entry == nil ? manifestCounts(log: log) : nil
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

    /// Replays one database run: its entries in chain order, checked like a file's lines against
    /// the run record's entry count and last hash, re-run with the rule versions stored in rule_versions.
    private func replayDatabaseRun(_ runID: String) throws {
        let connection = try databaseOptions.connect()
        do {
            try connection.assumeRole(.engine)
            guard let recorded = try connection.runChainRecord(runID: runID) else { throw DatabaseFailure(message: "no evaluation run \(runID)") }
            let byHash = RuleVersionLoading.byHash(try RunCommand.publishedVersions(connection, latestOnly: false).0)
            var chain = LogChainVerifier()
            var replayed = 0, failing = 0, after = 0
            while true {
                let page = try connection.runLogEntries(runID: runID, afterSequence: after, limit: 1000)
                if page.count == 0 { break }
                for index in 0..<page.count {
                    func text(_ column: String) throws -> String { try page.string(index, column) ?? "" }
                    let sequence = try page.int(index, "entry_sequence") ?? 0
                    after = sequence
                    replayed += 1
                    let row = JSONValue.object([
                        ("entry_previous_sha256", .string(try text("entry_previous_sha256"))), ("entry_sequence", .number(String(sequence))),
                        ("entry_sha256", .string(try text("entry_sha256"))), ("executed_at", .string(try text("executed_at"))),
                        ("inputs_json", try JSONParser.parse(try text("inputs_canonical"))), ("inputs_sha256", .string(try text("inputs_sha256"))),
                        ("outputs_json", try JSONParser.parse(try text("outputs_canonical"))), ("outputs_sha256", .string(try text("outputs_sha256"))),
                        ("provider_id", .string(try text("provider_id"))), ("rule_type", .string(try text("rule_type"))),
                        ("rule_version_id", .string(try text("rule_version_id"))),
                    ])
                    let result = Replay.replay(row, ruleVersions: byHash)
                    let place = chain.check(row, line: sequence)
                    let label = "entry \(sequence) (\(result.providerID ?? "?"), \(result.credentialID ?? "?"), \(result.ruleVersionID ?? "?"))"
                    if result.verdict == .identical, place.isEmpty {
                        print("\(label): identical")
                    } else {
                        failing += 1
                        print("\(label): \(result.verdict == .identical ? "OUT OF PLACE" : Self.word(for: result.verdict))")
                        for problem in place + result.differences { print("  \(problem)") }
                    }
                }
            }
            let problems = chain.finish(manifestEntries: recorded.entries, manifestHead: recorded.head)
            if !problems.isEmpty {
                failing += 1
                print("log: INCOMPLETE")
                for problem in problems { print("  \(problem)") }
            }
            print("\(replayed) entr\(replayed == 1 ? "y" : "ies"): \(failing == 0 ? "all identical" : "\(failing) problem\(failing == 1 ? "" : "s")")")
            if failing > 0 { throw ExitCodes.failure }
        } catch let error as StoreError {
            throw DatabaseFailure(error)
        }
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
    private func manifestCounts(log: String) throws -> (entries: Int, head: String)? {
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
