import ArgumentParser
import Foundation
import RuleBase
import RuleEngine
import RuleIR
import RuleStore

/// `credrules impact`: who changes status when one version of a pack replaces another, over a
/// facts file or over the population stored in the database.
struct ImpactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact", abstract: "Evaluate two versions of a pack over a population and report status changes.",
        discussion: """
            Over a facts file: --facts and --as-of. Over the stored population (--database URL or \
            $CREDRULES_DATABASE_URL, without --facts): --from and --to are each a pack file (compiled here), a \
            rule_versions.id (uuid), an engine id pack@version (the latest row published under it) or pack#N (the \
            pack's N-th published version, as `credrules publish` reports it). Providers are read in batches by id \
            (--batch-size), never the whole population at once, as credrules_engine in one read-only snapshot: the \
            command writes nothing but its audit_logs row. Without --as-of, the date of the latest completed run. \
            The report is the file report's, text or JSON; its examples are the first five \
            provider/credential ids of each change in id order, whatever order the providers are read in. A rule \
            version the database does not have exits 2.
            """)

    @Option(help: "The old version: a pack (YAML) or rule version (JSON) file; with the database also a rule_versions.id, pack@version or pack#N.")
    var from: String

    @Option(help: "The new version, as --from.")
    var to: String

    @Option(help: "The facts file (.json, or .jsonl / .ndjson for JSON Lines); without it, the database.")
    var facts: String?

    @Option(help: "The evaluation date, YYYY-MM-DD (required with --facts).")
    var asOf: String?

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "Providers read per batch from the database.")
    var batchSize: Int = 500

    @Option(help: "human or json.")
    var format: TestCommand.ReportFormat = .human

    func run() throws {
        guard let facts else {
            guard databaseOptions.database != nil || ProcessInfo.processInfo.environment["CREDRULES_DATABASE_URL"]?.isEmpty == false else {
                throw ValidationError("give --facts (a facts file), or --database URL (the stored population)")
            }
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
            return try runOnDatabase()
        }
        guard databaseOptions.database == nil else { throw ValidationError("--facts and --database exclude each other: give one population") }
        guard let asOf else { throw ValidationError("--facts needs --as-of (the evaluation date)") }
        try runOnFiles(try FactsOptions.parse(["--facts", facts, "--as-of", asOf]))
    }

    private func runOnFiles(_ factsOptions: FactsOptions) throws {
        let date = try factsOptions.date()
        let oldVersion = try Self.loadFile(from, option: "--from")
        let newVersion = try Self.loadFile(to, option: "--to")
        var report = ImpactReport()
        var rejected = 0
        try factsOptions.forEachDocument { parsed, line in
            guard case .success(let document) = parsed else { rejected += 1; return }
            let (providers, errors) = FactLoader.load(document, line: line, attributes: .including([oldVersion.version, newVersion.version]))
            rejected += errors.count
            Self.add(providers, old: oldVersion, new: newVersion, asOf: date, to: &report)
        }
        print(Self.render(report, old: oldVersion, new: newVersion, date: date, format: format), terminator: "")
        if rejected > 0 { FileIO.printError("\(rejected) rows or lines rejected") }
    }

    private func runOnDatabase() throws {
        let requestedDate = try asOf.map { text in
            guard let date = CalendarDate(iso: text) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(text)`") }
            return date
        }
        let connection = try databaseOptions.connect()
        let engine = DatabaseRole.engine.rawValue
        let (output, rejected) = try databaseOptions.audited(connection, role: engine, action: "impact", resource: "rule_versions") {
            // The engine's grants read every fact; the read-only transaction makes "writes nothing"
            // the server's guarantee, and its one snapshot gives every page the same population.
            try connection.assumeRole(.engine)
            return try connection.readOnlySnapshot { () throws -> ((String, Int), [(String, JSONValue)]) in
                let old = try Self.resolve(from, option: "--from", connection)
                let new = try Self.resolve(to, option: "--to", connection)
                let date: CalendarDate
                if let requestedDate {
                    date = requestedDate
                } else if let latest = try connection.latestCompletedRunDate() {
                    date = latest
                    FileIO.printError("as of \(latest): the latest completed run (--as-of to choose another date)")
                } else {
                    throw ValidationError("--as-of is needed: no completed run is on record to take the date from")
                }
                var report = ImpactReport()
                var rejected = 0
                var providers = 0
                var after: String?
                while true {
                    let page = try connection.providerKeys(after: after, limit: batchSize)
                    guard let last = page.last else { break }
                    let (batch, errors) = FactLoader.load(try JSONParser.parse(try connection.factsDocument(providerIDs: page.map(\.id))),
                                                          attributes: .including([old.loaded.version, new.loaded.version]))
                    rejected += errors.count
                    Self.add(batch, old: old.loaded, new: new.loaded, asOf: date, to: &report)
                    providers += page.count
                    after = last.id
                }
                let text = Self.render(report, old: old.loaded, new: new.loaded, date: date, format: format)
                return ((text, rejected), [
                    ("from", .string(old.source)), ("to", .string(new.source)), ("as_of", .string(date.description)),
                    ("providers", .int(providers)), ("evaluated", .int(report.evaluated)), ("changed", .int(report.changed)),
                    ("rejected_rows", .int(rejected)),
                ])
            }
        }
        print(output, terminator: "")
        if rejected > 0 { FileIO.printError("\(rejected) stored rows rejected") }
    }

    /// Evaluates each provider under both versions into `report`.
    private static func add(_ providers: [ProviderFacts], old: LoadedRuleVersion, new: LoadedRuleVersion, asOf date: CalendarDate,
                            to report: inout ImpactReport) {
        for provider in providers {
            report.add(old: Evaluator.evaluate(old, provider: provider, asOf: date, recordingLog: false),
                       new: Evaluator.evaluate(new, provider: provider, asOf: date, recordingLog: false))
        }
    }

    /// What impact prints: the report for people, or one JSON document (nothing else on standard output).
    private static func render(_ report: ImpactReport, old: LoadedRuleVersion, new: LoadedRuleVersion, date: CalendarDate,
                               format: TestCommand.ReportFormat) -> String {
        switch format {
        case .human:
            return "\(old.version.id) → \(new.version.id) as of \(date)\n\(report.text)\n"
        case .json:
            var members = report.json.objectMembers ?? []
            members += [("as_of", .string(date.description)), ("from_rule_version", .string(old.version.id)),
                        ("to_rule_version", .string(new.version.id))]
            return JSONValue.object(members).canonicalText + "\n"
        }
    }

    /// One pack or rule-version file, compiled.
    private static func loadFile(_ path: String, option: String) throws -> LoadedRuleVersion {
        let loaded = try RuleVersionLoading.load([path])
        guard loaded.count == 1, let version = loaded.first else { throw ValidationError("\(option) must name one pack, got \(loaded.count) in `\(path)`") }
        return version
    }

    /// `--from`/`--to` with the database: a file when one is there, else a stored rule version
    /// (proven against its hash), and how it was named (for the audit row).
    private static func resolve(_ text: String, option: String, _ connection: Connection) throws -> (loaded: LoadedRuleVersion, source: String) {
        if FileManager.default.fileExists(atPath: text) {
            let loaded = try loadFile(text, option: option)
            return (loaded, "file \(text) (\(loaded.version.id), sha256 \(loaded.hash))")
        }
        guard let reference = RuleVersionReference(text) else {
            throw UsageFailure(description: "\(option) `\(text)` is neither a pack file nor a stored rule version "
                + "(a rule_versions.id uuid, pack@version or pack#N)")
        }
        guard let row = try connection.ruleVersion(reference) else {
            throw UsageFailure(description: "\(option): no rule version `\(reference)` in the database (credrules publish stores them)")
        }
        let version: RuleVersion
        do {
            version = try StoredRuleVersion(bytes: row.canonicalBytes, recordedHash: row.sha256).ruleVersion
        } catch {
            throw DatabaseFailure(message: "rule_versions \(row.ruleType) version \(row.versionNumber) (\(row.id)): \(error)")
        }
        return (try LoadedRuleVersion(version), "rule_versions \(row.id) (\(version.id), \(row.ruleType)#\(row.versionNumber))")
    }
}
