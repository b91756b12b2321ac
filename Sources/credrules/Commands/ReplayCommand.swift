import ArgumentParser
import Foundation
import RuleBase
import RuleEngine
import RuleIR
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
            From a database: --run ID replays a whole run against its evaluation_runs record, --log-id ID one entry \
            with its links to the entries before and after it; each stored document is checked against its SHA-256. \
            Exit status: 0 when every entry is intact and replays identical, 1 otherwise, 2 for a usage error.
            """)

    @Argument(help: "A rules_execution_log.jsonl file (or --run with --database).")
    var log: String?

    @Option(name: .customLong("run"), help: "An evaluation_runs id: replay that run's entries from the database (rule versions from rule_versions too).")
    var runID: String?

    @Option(name: .customLong("log-id"), help: "A rules_execution_log id: replay that one entry from the database, with its links to its neighbours.")
    var logID: String?

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
        if runID != nil, logID != nil { throw ValidationError("give --run (a whole run) or --log-id (one entry), not both") }
        if let runID {
            guard log == nil, entry == nil else { throw ValidationError("--run replays a whole run from the database: give no log file and no --entry") }
            try replayDatabaseRun(runID)
            return
        }
        if let logID {
            guard log == nil, entry == nil else { throw ValidationError("--log-id replays one entry from the database: give no log file and no --entry") }
            try replayDatabaseEntry(logID)
            return
        }
        guard let log else { throw ValidationError("give a rules_execution_log.jsonl file, or --run ID or --log-id ID with --database") }
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

    /// `8-4-4-4-12` hexadecimal digits: a uuid as the database prints it.
    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    /// What a stored entry looks like as a file line, and what is wrong with its storage: a
    /// document missing or no longer matching its address, or bytes that are not the ones its
    /// recorded SHA-256 sealed (compared on the exact stored bytes, not on a re-rendering).
    static func storedEntry(_ page: QueryResult, _ index: Int) throws -> (row: JSONValue, problems: [String]) {
        func text(_ column: String) throws -> String { try page.string(index, column) ?? "" }
        var problems: [String] = []
        var documents: [(String, JSONValue)] = []
        for side in ["inputs", "outputs"] {
            let state = try text("\(side)_document")
            if state != "intact" {
                problems.append(state == "missing"
                    ? "the stored \(side) document is missing from rules_execution_documents"
                    : state == "altered" ? "the stored \(side) document no longer matches its SHA-256 address: it was altered"
                    : "the stored \(side) document holds no canonical bytes (written before they were kept)")
            }
            guard let bytes = try page.string(index, "\(side)_canonical") else {
                documents.append(("\(side)_json", .null))
                continue
            }
            if state == "intact", sha256Hex(bytes) != (try text("\(side)_sha256")) {
                problems.append("the stored bytes of \(side)_json do not match \(side)_sha256")
            }
            do {
                documents.append(("\(side)_json", try JSONParser.parse(bytes)))
            } catch {
                problems.append("the stored \(side)_json is not JSON: \(error)")
                documents.append(("\(side)_json", .null))
            }
        }
        let sequence = try page.int(index, "entry_sequence") ?? 0
        let row = JSONValue.object([
            ("entry_previous_sha256", .string(try text("entry_previous_sha256"))), ("entry_sequence", .number(String(sequence))),
            ("entry_sha256", .string(try text("entry_sha256"))), ("executed_at", .string(try text("executed_at"))),
            documents[0], ("inputs_sha256", .string(try text("inputs_sha256"))),
            documents[1], ("outputs_sha256", .string(try text("outputs_sha256"))),
            ("provider_id", .string(try text("provider_id"))), ("rule_type", .string(try text("rule_type"))),
            ("rule_version_id", .string(try text("rule_version_id"))),
        ])
        return (row, problems)
    }

    /// Re-runs a stored entry and prints its verdict; true when it is intact and identical.
    static func report(_ row: JSONValue, storage: [String], place: [String], sequence: Int,
                       byHash: [String: LoadedRuleVersion]) -> Bool {
        // A document that is missing or not JSON leaves nothing to re-run.
        let result = storage.contains { $0.contains("missing") || $0.contains("not JSON") } ? nil : Replay.replay(row, ruleVersions: byHash)
        let label = "entry \(sequence) (\(result?.providerID ?? row["provider_id"]?.stringValue ?? "?"), \(result?.credentialID ?? "?"), "
            + "\(result?.ruleVersionID ?? row["rule_version_id"]?.stringValue ?? "?"))"
        if let result, result.verdict == .identical, place.isEmpty, storage.isEmpty {
            print("\(label): identical")
            return true
        }
        let verdict: String
        if let result, storage.isEmpty || result.verdict == .differs || result.verdict == .ruleVersionMissing {
            verdict = result.verdict == .identical ? "OUT OF PLACE" : Self.word(for: result.verdict)
        } else {
            verdict = result == nil ? "INVALID" : "ALTERED"
        }
        print("\(label): \(verdict)")
        var seen: Set<String> = []
        for problem in storage + place + (result?.differences ?? []) where seen.insert(problem).inserted { print("  \(problem)") }
        return false
    }

    /// Replays one database run: its entries in chain order, checked like a file's lines against
    /// the run record's entry count and last hash, re-run with the rule versions stored in rule_versions.
    private func replayDatabaseRun(_ runID: String) throws {
        guard Self.isUUID(runID) else { throw ValidationError("--run takes an evaluation run id (a uuid), got `\(runID)`") }
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
                    let (row, storage) = try Self.storedEntry(page, index)
                    let sequence = try page.int(index, "entry_sequence") ?? 0
                    after = sequence
                    replayed += 1
                    let place = chain.check(row, line: sequence)
                    if !Self.report(row, storage: storage, place: place, sequence: sequence, byHash: byHash) { failing += 1 }
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

    /// Replays one database entry: its own hash and documents, its links to the entries before
    /// and after it in its run (or to the run record when it is the last), then the re-run.
    private func replayDatabaseEntry(_ id: String) throws {
        guard Self.isUUID(id) else { throw ValidationError("--log-id takes a rules_execution_log id (a uuid), got `\(id)`") }
        let connection = try databaseOptions.connect()
        do {
            try connection.assumeRole(.engine)
            let page = try connection.logEntry(id: id)
            guard page.count == 1 else { throw DatabaseFailure(message: "no execution log entry \(id)") }
            let byHash = RuleVersionLoading.byHash(try RunCommand.publishedVersions(connection, latestOnly: false).0)
            let (row, storage) = try Self.storedEntry(page, 0)
            let sequence = try page.int(0, "entry_sequence") ?? 0
            var place: [String] = []
            if let runID = try page.string(0, "evaluation_run_id"), let recorded = try connection.runChainRecord(runID: runID) {
                place = try Self.links(of: row, sequence: sequence, runID: runID, recorded: recorded, connection)
            } else {
                place = ["the entry belongs to no evaluation run: its place in a chain cannot be checked"]
            }
            let intact = Self.report(row, storage: storage, place: place, sequence: sequence, byHash: byHash)
            print("1 entry: \(intact ? "identical" : "1 problem")")
            if !intact { throw ExitCodes.failure }
        } catch let error as StoreError {
            throw DatabaseFailure(error)
        }
    }

    /// What is wrong with one entry's place in its run: the entry before it must be the one its
    /// `entry_previous_sha256` names, the entry after it must name it, and the last entry must be
    /// the run record's chain head and count.
    static func links(of row: JSONValue, sequence: Int, runID: String, recorded: (entries: Int, head: String),
                      _ connection: Connection) throws -> [String] {
        let hash = row["entry_sha256"]?.stringValue ?? "", previous = row["entry_previous_sha256"]?.stringValue ?? ""
        let links = try connection.logChainLinks(runID: runID, sequences: [sequence - 1, sequence, sequence + 1])
        var problems: [String] = []
        if links.filter({ $0.sequence == sequence }).count > 1 {
            problems.append("entry \(sequence) appears more than once in run \(runID): an entry was inserted or repeated")
        }
        if sequence == 1 {
            if previous != LogChain.genesis {
                problems.append("entry_previous_sha256 is not the chain's start (64 zeros): the entry was altered or entries before it were removed")
            }
        } else if let before = links.first(where: { $0.sequence == sequence - 1 }) {
            if before.sha256 != previous {
                problems.append("entry_previous_sha256 is not entry \(sequence - 1)'s entry_sha256: that entry was altered, or an entry was inserted or replaced")
            }
        } else {
            problems.append("entry \(sequence - 1), before it, is missing")
        }
        if let after = links.first(where: { $0.sequence == sequence + 1 }) {
            if after.previous != hash {
                problems.append("entry \(sequence + 1) does not link to this entry's entry_sha256: this entry was altered, or one after it was inserted or replaced")
            }
            if sequence >= recorded.entries {
                problems.append("the run record holds \(recorded.entries) entries; entry \(sequence + 1) follows this one: an entry was inserted")
            }
        } else if sequence < recorded.entries {
            problems.append("entry \(sequence + 1), after it, is missing (the run record holds \(recorded.entries) entries)")
        } else if sequence > recorded.entries {
            problems.append("the run record holds \(recorded.entries) entries; this is entry \(sequence): it was inserted")
        } else if recorded.head != hash {
            problems.append("the entry is the run's last but its entry_sha256 is not the run record's last_entry_sha256")
        }
        return problems
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
