import ArgumentParser
import RuleBase
import RuleEngine

/// `credrules explain`: the decision tree of one provider's evaluation.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Show how a provider's verdicts were decided, requirement by requirement.")

    @Option(help: "The provider id.")
    var provider: String

    @OptionGroup var packOptions: PacksOption
    @OptionGroup var factsOptions: FactsOptions

    @Option(help: "human, or json (the same content: one object with the provider's evaluations).")
    var format: TestCommand.ReportFormat = .human

    func run() throws {
        let date = try factsOptions.date()
        let evaluator = Evaluator(ruleVersions: try RuleVersionLoading.load(packOptions.packs), tracing: true)
        guard let document = try Self.document(for: provider, in: factsOptions) else {
            throw ValidationError("provider `\(provider)` has no rows in \(factsOptions.facts)")
        }
        let (providers, errors) = FactLoader.load(document, attributes: evaluator.attributes)
        for error in errors where error.providerID == provider || error.providerID == nil { FileIO.printError("rejected: \(error.summary)") }
        guard let facts = providers.first(where: { $0.providerID == provider }) else {
            throw ValidationError("provider `\(provider)` has no valid rows in \(factsOptions.facts)")
        }
        let evaluations = evaluator.evaluate(facts, asOf: date)
        if format == .json {
            print(JSONValue.object([
                ("provider_id", .string(provider)), ("as_of", .string(date.description)),
                ("evaluations", .array(evaluations.map { e in
                    guard e.wasEvaluated, let version = evaluator.ruleVersions.first(where: { $0.version.id == e.ruleVersionID })?.version else {
                        return Explain.json(unevaluated: e)
                    }
                    return Explain.json(e, version: version)
                })),
            ]).prettyText)
            return
        }
        if evaluations.isEmpty { print("\(provider): no rule pack in effect on \(date) applies to this provider's credentials") }
        for e in evaluations {
            guard e.wasEvaluated, let version = evaluator.ruleVersions.first(where: { $0.version.id == e.ruleVersionID })?.version else {
                print(Explain.render(unevaluated: e))
                print("")
                continue
            }
            print(Explain.render(e, version: version))
            print("")
        }
    }
}

extension ExplainCommand {
    /// The facts document holding `provider`: the whole file for JSON, the provider's line for
    /// JSON Lines (found without parsing the lines that cannot hold it).
    static func document(for provider: String, in options: FactsOptions) throws -> JSONValue? {
        guard options.isJSONLines else { return try options.wholeDocument().document }
        var found: JSONValue?
        try LineReader.forEachLine(path: options.facts, role: "the facts file", maximumLineBytes: FactsLimits.maximumLineBytes) { line, _ in
            let text = line.bytes.text
            guard text.contains("\"\(provider)\""), let document = try? JSONParser.parse(text),
                  document["providers"]?.arrayValue?.contains(where: { $0["id"]?.stringValue == provider }) == true
            else { return true }
            found = document
            return false
        }
        return found
    }
}
