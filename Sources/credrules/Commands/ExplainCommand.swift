import ArgumentParser
import RuleBase
import RuleEngine

/// `credrules explain`: the decision tree of one provider's evaluation.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Show how a provider's verdicts were decided, requirement by requirement.")

    @Option(help: "The provider id.")
    var provider: String

    @Option(help: "Rule packs (YAML) or compiled rule versions (JSON): files or folders.")
    var packs: [String]

    @Option(help: "The facts file (.json or .jsonl).")
    var facts: String

    @Option(help: "The evaluation date, YYYY-MM-DD.")
    var asOf: String

    func run() throws {
        guard let date = CalendarDate(iso: asOf) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(asOf)`") }
        let evaluator = Evaluator(ruleVersions: try RuleVersionLoading.load(packs), tracing: true)
        guard let document = try FactsFile.document(for: provider, in: facts) else {
            throw ValidationError("provider `\(provider)` has no rows in \(facts)")
        }
        let (providers, errors) = FactLoader.load(document)
        for error in errors where error.providerID == provider || error.providerID == nil { FileIO.printError("rejected: \(error.summary)") }
        guard let facts = providers.first(where: { $0.providerID == provider }) else {
            throw ValidationError("provider `\(provider)` has no valid rows in \(self.facts)")
        }
        let evaluations = evaluator.evaluate(facts, asOf: date)
        if evaluations.isEmpty { print("\(provider): no rule pack in effect on \(date) applies to this provider's credentials") }
        for e in evaluations {
            guard let version = evaluator.ruleVersions.first(where: { $0.version.id == e.ruleVersionID })?.version else { continue }
            print(Explain.render(e, version: version))
            print("")
        }
    }
}

/// Finds one provider's facts in a facts file.
enum FactsFile {
    /// The facts document holding `provider`: the whole file for JSON, the provider's line for JSON Lines.
    static func document(for provider: String, in path: String) throws -> JSONValue? {
        if path.lowercased().hasSuffix(".jsonl") || path.lowercased().hasSuffix(".ndjson") {
            var reader = try LineReader(path: path)
            while true {
                let lines = reader.nextLines(1000)
                if lines.isEmpty { return nil }
                for line in lines where line.contains("\"\(provider)\"") {
                    if let document = try? JSONParser.parse(String(line)),
                       document["providers"]?.arrayValue?.contains(where: { $0["id"]?.stringValue == provider }) == true {
                        return document
                    }
                }
            }
        }
        do {
            return try JSONParser.parse(try FileIO.readText(path))
        } catch let error as JSONSyntaxError {
            throw ValidationError("\(path):\(error.location.line):\(error.location.column): invalid JSON: \(error.message)")
        }
    }
}
