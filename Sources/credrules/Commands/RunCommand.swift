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
            compliance_windows and compliance_gap_analysis brought up to date (in place: a row that did not change is not written), rules_execution_log appended with its hash chain. \
            The run is recorded in evaluation_runs: a run killed mid-way or stopped by an error is resumed from its last committed batch by \
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
        // Facts are read on a second connection while this one writes the batch before; it holds the
        // shard's reading lock before anything is written.
        let reader = try options.connect()
        try reader.assumeRole(.engine)
        guard try reader.tryLockShard(shard, session: .reading) else {
            throw DatabaseFailure(message: "another credrules run holds shard \(shard) (the advisory lock of its reading session); "
                + "wait for it to finish or stop it, then run again")
        }
        let (loaded, databaseIDs) = try Self.publishedVersions(connection)
        let usedIDs = databaseIDs.values.sorted()
        let key = sha256Hex("\(date)|\(shard)|\(usedIDs.joined(separator: ","))")

        let runID: String
        var chain = LogChain()
        var after: String?
        var counts = NightlyCounts()
        let previous = try connection.latestRun(key: key)
        if let previous, previous.status == "completed", !force {
            return Summary(text: "run \(previous.id) already completed for \(date), shard \(shard) and these rule versions: "
                + "nothing to do (--force runs again)",
                metadata: [("evaluation_run_id", .string(previous.id)), ("skipped", .bool(true))])
        }
        if let previous, previous.status == "running" || previous.status == "failed", !force {
            // We hold the shard's lock, so the process that started it is gone (killed, or stopped
            // by an error such as a dropped connection): continue it from its last committed batch.
            runID = previous.id
            if previous.status == "failed" { try connection.reopenRun(id: runID) }
            chain = LogChain(continuingAfter: previous.logEntries, head: previous.lastEntrySHA256)
            after = previous.resumeAfterProviderID
            counts = NightlyCounts(json: previous.countsJSON, windows: previous.windowsWritten, gaps: previous.gapsWritten,
                                   logEntries: previous.logEntries)
            FileIO.printError("resuming run \(runID) after \(previous.providersDone) providers (\(previous.batchesDone) batches)")
        } else {
            runID = try connection.startRun(key: key, asOf: date, ruleVersionIDs: usedIDs, shard: shard, forced: force)
        }
        let stopAfter = ProcessInfo.processInfo.environment[Self.stopAfterBatchesVariable].flatMap { Int($0) }
        let sink = NightlyResultsSink(connection: connection, runID: runID, ruleVersionIDs: databaseIDs, counts: counts)
        let progress = RunProgress(total: try reader.providerCount(after: after, shard: shard), label: "credrules.run",
                                   metadata: ["evaluation_run_id": "\(runID)", "as_of": "\(date)", "shard": "\(shard)"])
        progress.note("run started", ["rule_versions": "\(usedIDs.count)", "providers_done_before": "\(counts.providers)"])
        var batches = 0
        sink.batchWritten = { providers in
            batches += 1
            progress.advance(by: providers)
            if let stopAfter, batches >= stopAfter { Foundation.exit(3) }
        }
        var source = DatabaseFactsSource(connection: reader, shard: shard, after: after, pageSize: batchSize)
        do {
            chain = try PopulationRunner(evaluator: Evaluator(ruleVersions: loaded), asOf: date).run(from: &source, into: sink, continuing: chain)
            try connection.finishRun(id: runID, status: "completed")
        } catch {
            progress.finish()
            try? connection.finishRun(id: runID, status: "failed", error: String(describing: error))
            progress.note("run failed", ["error": "\(error)"])
            throw error
        }
        progress.finish()
        counts = sink.counts
        func list(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        let statuses = list(counts.statuses)
        let versions = loaded.map(\.version.id).joined(separator: ", ")
        let text = """
            run \(runID) completed: \(date), shard \(shard), \(usedIDs.count) rule versions
            \(counts.providers) providers; \(statuses.isEmpty ? "no windows" : statuses); \(counts.rejected) rows rejected
            gaps by type: \(counts.gapTypes.isEmpty ? "none" : list(counts.gapTypes))
            written: \(counts.windows) windows, \(counts.gaps) gaps, \(counts.logEntries) log entries (last entry \(chain.head))
            rule versions: \(versions)
            time: \(RunProgress.format(progress.elapsed)) s for this process (\(RunProgress.format(progress.rate)) providers/s)
            """
        progress.note("run completed", ["providers": "\(counts.providers)", "windows": "\(counts.windows)", "gaps": "\(counts.gaps)",
                                        "log_entries": "\(counts.logEntries)", "seconds": "\(RunProgress.format(progress.elapsed))"])
        return Summary(text: text, metadata: [
            ("evaluation_run_id", .string(runID)), ("as_of", .string(date.description)), ("shard", .string(shard.description)),
            ("counts", counts.json), ("log_entries", .number(String(counts.logEntries))),
            ("last_entry_sha256", .string(chain.head)),
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

/// `eval --database --provider`: one stored provider re-evaluated with the published rule versions
/// and written as `run` writes a batch, all in one transaction with its own `evaluation_runs`
/// row (no shard; its log's hash chain starts at the genesis hash in that run, so every run's
/// chain stays whole and `replay --run` checks it like any other).
enum StoredProviderEvaluation {
    static func run(_ connection: Connection, provider id: String, asOf date: CalendarDate) throws -> (text: String, metadata: [(String, JSONValue)]) {
        let (loaded, databaseIDs) = try RunCommand.publishedVersions(connection)
        guard let provider = try connection.provider(matching: id) else {
            throw DatabaseFailure(message: "no provider `\(id)` in the database (give its file id, as imported, or its uuid); nothing written")
        }
        let usedIDs = databaseIDs.values.sorted()
        let key = sha256Hex("\(date)|provider:\(provider.id)|\(usedIDs.joined(separator: ","))")
        return try connection.transaction {
            let runID = try connection.startRun(key: key, asOf: date, ruleVersionIDs: usedIDs, shard: nil, forced: false)
            let sink = NightlyResultsSink(connection: connection, runID: runID, ruleVersionIDs: databaseIDs, ownsTransaction: false)
            // The source reads the provider's facts in its first call, before any write; the
            // writer then has the connection to itself.
            var source = SingleProviderFactsSource(connection: connection, provider: provider)
            let chain = try PopulationRunner(evaluator: Evaluator(ruleVersions: loaded), asOf: date).run(from: &source, into: sink)
            try connection.finishRun(id: runID, status: "completed")
            let counts = sink.counts
            let statuses = counts.statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let text = """
                provider \(provider.externalID) re-evaluated as of \(date) in run \(runID): \(statuses.isEmpty ? "no windows" : statuses); \
                \(counts.rejected) rows rejected
                written: \(counts.windows) windows, \(counts.gaps) gaps, \(counts.logEntries) log entries (last entry \(chain.head))
                """
            return (text, [
                ("evaluation_run_id", .string(runID)), ("provider_id", .string(provider.id)), ("as_of", .string(date.description)),
                ("counts", counts.json), ("log_entries", .number(String(counts.logEntries))), ("last_entry_sha256", .string(chain.head)),
            ])
        }
    }
}
