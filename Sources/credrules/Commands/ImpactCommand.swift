import ArgumentParser
import RuleBase
import RuleEngine
import RuleIR

/// `credrules impact`: who changes status when one version of a pack replaces another.
struct ImpactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact", abstract: "Evaluate two versions of a pack over a population and report status changes.")

    @Option(help: "The old pack (YAML) or rule version (JSON).")
    var from: String

    @Option(help: "The new pack (YAML) or rule version (JSON).")
    var to: String

    @OptionGroup var factsOptions: FactsOptions

    @Option(help: "human or json.")
    var format: TestCommand.ReportFormat = .human

    func run() throws {
        let date = try factsOptions.date()
        let old = try RuleVersionLoading.load([from])
        let new = try RuleVersionLoading.load([to])
        guard old.count == 1, new.count == 1, let oldVersion = old.first, let newVersion = new.first else {
            throw ValidationError("--from and --to must each name one pack")
        }
        var report = ImpactReport()
        var rejected = 0
        try factsOptions.forEachDocument { parsed, line in
            guard case .success(let document) = parsed else { rejected += 1; return }
            let (providers, errors) = FactLoader.load(document, line: line, attributes: .including([oldVersion.version, newVersion.version]))
            rejected += errors.count
            for provider in providers {
                report.add(old: Evaluator.evaluate(oldVersion, provider: provider, asOf: date, recordingLog: false),
                           new: Evaluator.evaluate(newVersion, provider: provider, asOf: date, recordingLog: false))
            }
        }
        switch format {
        case .human:
            print("\(oldVersion.version.id) → \(newVersion.version.id) as of \(date)")
            print(report.text)
        case .json:
            // Nothing but the document on standard output; the versions and date are in it.
            var members = report.json.objectMembers ?? []
            members += [("as_of", .string(date.description)), ("from_rule_version", .string(oldVersion.version.id)), ("to_rule_version", .string(newVersion.version.id))]
            print(JSONValue.object(members).canonicalText)
        }
        if rejected > 0 { FileIO.printError("\(rejected) rows or lines rejected") }
    }
}
