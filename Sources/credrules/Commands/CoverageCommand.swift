import ArgumentParser
import RuleBase
import RuleEngine

/// `credrules coverage`: which jurisdiction × credential type the packs cover, and the gaps.
struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Show which jurisdictions and credential types the rule packs cover, and the gaps.",
        discussion: """
            Rows: US (federal) and the 50 states and DC; columns: license MD, license DO, DEA registration, \
            CSR, board certification. Each cell names its packs and versions; each version is listed with its \
            effective dates, its requirements and how many rest on V, V2, P, R or C sources (unmarked: the cited \
            citation has no confidence mark). With --facts (and --as-of) it also counts the population's \
            credentials that no version in effect applies to. Exit status: 0, or 1 when fact rows were rejected \
            or a pack has errors; 2 for a usage error.
            """)

    @Argument(help: "Pack files or folders (YAML), or compiled rule versions (JSON).")
    var paths: [String]

    @Option(help: "A facts file (.json, or .jsonl / .ndjson), read as `eval` reads facts.")
    var facts: String?

    @Option(help: "The date versions in effect are judged on, YYYY-MM-DD (required with --facts).")
    var asOf: String?

    @Option(help: "table or json (one document on stdout).")
    var format: Format = .table

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    func validate() throws {
        if facts != nil, asOf == nil { throw ValidationError("--facts needs --as-of: coverage depends on the versions in effect") }
        if let asOf, CalendarDate(iso: asOf) == nil { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(asOf)`") }
    }

    func run() throws {
        let versions = try RuleVersionLoading.load(paths).map(\.version)
        let date = asOf.flatMap(CalendarDate.init(iso:))
        let report = CoverageReport(ruleVersions: versions, asOf: date)
        var population: PopulationCoverage?
        if let facts, let date {
            var counter = PopulationCoverage(ruleVersions: versions, asOf: date)
            try FactsOptions.parse(["--facts", facts, "--as-of", date.description]).forEachDocument { document, line in
                switch document {
                case .success(let value): counter.add(document: value, line: line)
                case .failure(let error): counter.reject(line: line, message: "invalid JSON at column \(error.location.column): \(error.message)")
                }
            }
            population = counter
        }
        switch format {
        case .json: print(report.json(population: population).prettyText)
        case .table: print(report.text(population: population), terminator: "")
        }
        if let population, !population.errors.isEmpty {
            if format == .table { FileIO.printError(population.errors.map(\.summary).joined(separator: "\n")) }
            throw ExitCodes.failure
        }
    }
}
