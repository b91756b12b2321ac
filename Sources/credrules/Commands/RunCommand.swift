import ArgumentParser
import Foundation
import RuleBase
import RuleEngine
import RuleIR
import RuleStore

/// `credrules run`: the nightly evaluation over the PostgreSQL store.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Evaluate every provider in the database (or one shard of them) as of a date, as credrules_engine.",
        discussion: """
            Reads the published rule versions (each proven against its hash), streams providers in batches by id, \
            evaluates them with the evaluator `eval` uses, and writes each batch in one transaction: the providers' \
            compliance_windows and compliance_gap_analysis replaced, rules_execution_log appended with its hash chain. \
            The run is recorded in evaluation_runs: a run killed mid-way is resumed from its last committed batch by \
            running the same command again; a completed run for the same as-of date, shard and rule versions is not \
            repeated unless --force. --shard k/n takes the providers with credrules_shard_of(id, n) = k: the first \
            32 bits of MD5 of the provider uuid's text, unsigned, mod n. One process per shard at a time (an advisory lock).
            """)

    @OptionGroup var options: DatabaseOptions

    @Option(help: "The as-of date (YYYY-MM-DD).")
    var asOf: String

    @Option(help: "Evaluate only shard k of n (k/n, 0 ≤ k < n).")
    var shard: String = "0/1"

    @Flag(help: "Run again even when a run with the same as-of date, shard and rule versions has completed.")
    var force = false

    @Option(help: "Providers per batch (one transaction each).")
    var batchSize: Int = 500

    /// Test hook: exit (status 3, no clean-up) after committing this many batches, as a killed run would.
    static let stopAfterBatchesVariable = "CREDRULES_TEST_STOP_AFTER_BATCHES"

    func run() throws {
        guard let date = CalendarDate(iso: asOf) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(asOf)`") }
        guard let shard = Shard(shard) else { throw ValidationError("--shard must be k/n with 0 ≤ k < n, got `\(self.shard)`") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        let connection = try options.connect()
        let engine = DatabaseRole.engine.rawValue
        let summary = try options.audited(connection, role: engine, action: "run", resource: "evaluation_runs") {
            try connection.assumeRole(.engine)
            guard try connection.tryLockShard(shard) else {
                throw DatabaseFailure(message: "another credrules run holds shard \(shard) (its advisory lock); "
                    + "wait for it to finish or stop it, then run again")
            }
            let summary = try execute(connection, date: date, shard: shard)
            return (summary.text, summary.metadata)
        }
        print(summary)
    }

    private struct Summary {
        var text: String
        var metadata: [(String, JSONValue)]
    }

    private func execute(_ connection: Connection, date: CalendarDate, shard: Shard) throws -> Summary {
        let (loaded, databaseIDs) = try Self.publishedVersions(connection)
        let evaluator = Evaluator(ruleVersions: loaded)
        let ruleVersionMap = JSONValue.object(databaseIDs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).canonicalText
        let usedIDs = databaseIDs.values.sorted()
        let key = sha256Hex("\(date)|\(shard)|\(usedIDs.joined(separator: ","))")

        var runID: String
        var chain = LogChain()
        var after: String?
        var counts = RunCounts()
        let previous = try connection.latestRun(key: key)
        if let previous, previous.status == "completed", !force {
            return Summary(text: "run \(previous.id) already completed for \(date), shard \(shard) and these rule versions: "
                + "nothing to do (--force runs again)",
                metadata: [("evaluation_run_id", .string(previous.id)), ("skipped", .bool(true))])
        }
        if let previous, previous.status == "running", !force {
            // We hold the shard's lock, so the process that started it is gone: continue it.
            runID = previous.id
            chain = LogChain(continuingAfter: previous.logEntries, head: previous.lastEntrySHA256)
            after = previous.resumeAfterProviderID
            counts = RunCounts(json: previous.countsJSON)
            FileIO.printError("resuming run \(runID) after \(previous.providersDone) providers (\(previous.batchesDone) batches)")
        } else {
            runID = try connection.startRun(key: key, asOf: date, ruleVersionIDs: usedIDs, shard: shard, forced: force)
        }
        let stopAfter = ProcessInfo.processInfo.environment[Self.stopAfterBatchesVariable].flatMap { Int($0) }
        var batches = 0
        do {
            while true {
                let page = try connection.providerPage(after: after, shard: shard, limit: batchSize)
                guard let last = page.last else { break }
                let facts = try connection.factsDocument(providerIDs: page.map(\.id))
                let document = try FactsDocument(bytes: Array(facts.utf8))
                var batch = EvaluationBatch()
                for part in EvalCommand.inParallel(count: document.groupCount, { range in
                    evaluator.evaluate(document: document, groups: range, asOf: date, keepEvaluations: false)
                }) { batch.append(part) }
                let sealed = chain.seal(batch)
                var entries: [(entry: String, inputs: String, outputs: String)] = []
                entries.reserveCapacity(sealed.count)
                for row in sealed.rows {
                    let text = String(decoding: row, as: UTF8.self)
                    let value = try JSONParser.parse(text)
                    entries.append((text, value["inputs_json"]?.canonicalText ?? "null", value["outputs_json"]?.canonicalText ?? "null"))
                }
                counts.add(batch, providers: page.count)
                try connection.writeNightlyBatch(runID: runID, NightlyBatchRows(
                    providerIDs: page.map(\.id), windows: batch.windowLines.rows.map { String(decoding: $0, as: UTF8.self) },
                    gaps: batch.gapLines.rows.map { String(decoding: $0, as: UTF8.self) }, logEntries: entries,
                    countsJSON: counts.json.canonicalText, lastEntrySHA256: chain.head, lastProviderID: last.id),
                    ruleVersionMap: ruleVersionMap)
                after = last.id
                batches += 1
                if let stopAfter, batches >= stopAfter { Foundation.exit(3) }
            }
            try connection.finishRun(id: runID, status: "completed")
        } catch {
            try? connection.finishRun(id: runID, status: "failed", error: String(describing: error))
            throw error
        }
        let final = try connection.latestRun(key: key)
        let statuses = counts.statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let text = """
            run \(runID) completed: \(date), shard \(shard), \(usedIDs.count) rule versions
            \(final?.providersDone ?? counts.providers) providers; \(statuses.isEmpty ? "no windows" : statuses); \(counts.rejected) rows rejected
            written: \(final?.windowsWritten ?? 0) windows, \(final?.gapsWritten ?? 0) gaps, \(final?.logEntries ?? 0) log entries (last entry \(final?.lastEntrySHA256 ?? chain.head))
            """
        return Summary(text: text, metadata: [
            ("evaluation_run_id", .string(runID)), ("as_of", .string(date.description)), ("shard", .string(shard.description)),
            ("counts", counts.json), ("log_entries", .number(String(final?.logEntries ?? 0))),
            ("last_entry_sha256", .string(final?.lastEntrySHA256 ?? chain.head)),
        ])
    }

    /// The published rule versions, proven against their hashes; of several rows with the same
    /// engine id (`pack@version`), the highest version_number. Returns them and their row ids by engine id.
    /// With `latestOnly` false, every stored version (replay needs the ones older runs used).
    static func publishedVersions(_ connection: Connection, latestOnly: Bool = true) throws -> ([LoadedRuleVersion], [String: String]) {
        if !latestOnly {
            var all: [LoadedRuleVersion] = []
            for row in try connection.publishedRuleVersions() {
                do {
                    all.append(try LoadedRuleVersion(try StoredRuleVersion(bytes: row.canonicalBytes, recordedHash: row.sha256).ruleVersion))
                } catch {
                    throw DatabaseFailure(message: "rule_versions \(row.ruleType) version \(row.versionNumber) (\(row.id)): \(error)")
                }
            }
            return (all, [:])
        }
        var chosen: [String: (PublishedRuleVersion, RuleVersion)] = [:]
        for row in try connection.publishedRuleVersions() {
            let stored: StoredRuleVersion
            do {
                stored = try StoredRuleVersion(bytes: row.canonicalBytes, recordedHash: row.sha256)
            } catch {
                throw DatabaseFailure(message: "rule_versions \(row.ruleType) version \(row.versionNumber) (\(row.id)): \(error)")
            }
            let id = stored.ruleVersion.id
            if let current = chosen[id], current.0.versionNumber > row.versionNumber { continue }
            chosen[id] = (row, stored.ruleVersion)
        }
        guard !chosen.isEmpty else { throw DatabaseFailure(message: "no published rule versions: run `credrules publish` first") }
        let ordered = chosen.sorted { $0.key < $1.key }
        let loaded = try ordered.map { try LoadedRuleVersion($0.value.1) }
        return (loaded, Dictionary(uniqueKeysWithValues: ordered.map { ($0.key, $0.value.0.id) }))
    }
}

/// A run's running totals, kept in `evaluation_runs.counts_json` so a resumed run continues them.
private struct RunCounts {
    var providers = 0
    var rejected = 0
    var statuses: [String: Int] = [:]
    var gapTypes: [String: Int] = [:]

    init() {}

    init(json text: String) {
        guard let value = try? JSONParser.parse(text) else { return }
        if case .number(let n)? = value["providers"] { providers = Int(n) ?? 0 }
        if case .number(let n)? = value["rejected_rows"] { rejected = Int(n) ?? 0 }
        for (key, count) in value["statuses"]?.objectMembers ?? [] { if case .number(let n) = count { statuses[key] = Int(n) ?? 0 } }
        for (key, count) in value["gap_types"]?.objectMembers ?? [] { if case .number(let n) = count { gapTypes[key] = Int(n) ?? 0 } }
    }

    mutating func add(_ batch: EvaluationBatch, providers count: Int) {
        providers += count
        rejected += batch.errors.count
        statuses.merge(batch.statusCounts, uniquingKeysWith: +)
        for gap in batch.gaps { if let type = gap["gap_type"]?.stringValue { gapTypes[type, default: 0] += 1 } }
    }

    var json: JSONValue {
        func object(_ counts: [String: Int]) -> JSONValue {
            .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .number(String($0.value))) })
        }
        return .object([("gap_types", object(gapTypes)), ("providers", .number(String(providers))),
                        ("rejected_rows", .number(String(rejected))), ("statuses", object(statuses))])
    }
}
