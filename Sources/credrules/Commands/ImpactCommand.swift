import ArgumentParser
import RuleBase
import RuleEngine

/// `credrules impact`: who changes status when one version of a pack replaces another.
struct ImpactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impact", abstract: "Evaluate two versions of a pack over a population and report status changes.")

    @Option(help: "The old pack (YAML) or rule version (JSON).")
    var from: String

    @Option(help: "The new pack (YAML) or rule version (JSON).")
    var to: String

    @Option(help: "The facts file (.json or .jsonl).")
    var facts: String

    @Option(help: "The evaluation date, YYYY-MM-DD.")
    var asOf: String

    @Option(help: "human or json.")
    var format: TestCommand.ReportFormat = .human

    func run() throws {
        guard let date = CalendarDate(iso: asOf) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(asOf)`") }
        let old = try RuleVersionLoading.load([from])
        let new = try RuleVersionLoading.load([to])
        guard old.count == 1, new.count == 1, let oldVersion = old.first, let newVersion = new.first else {
            throw ValidationError("--from and --to must each name one pack")
        }
        var report = ImpactReport()
        var rejected = 0
        func add(_ document: JSONValue, line: Int?) {
            let (providers, errors) = FactLoader.load(document, line: line)
            rejected += errors.count
            for provider in providers {
                report.add(old: Evaluator.evaluate(oldVersion, provider: provider, asOf: date, recordingLog: false),
                           new: Evaluator.evaluate(newVersion, provider: provider, asOf: date, recordingLog: false))
            }
        }
        if facts.lowercased().hasSuffix(".jsonl") || facts.lowercased().hasSuffix(".ndjson") {
            var reader = try LineReader(path: facts)
            var lineNumber = 0
            while true {
                let lines = reader.nextLines(1000)
                if lines.isEmpty { break }
                for line in lines {
                    lineNumber += 1
                    if line.allSatisfy(\.isWhitespace) { continue }
                    guard let document = try? JSONParser.parse(String(line)) else { rejected += 1; continue }
                    add(document, line: lineNumber)
                }
            }
        } else {
            do {
                add(try JSONParser.parse(try FileIO.readText(facts)), line: nil)
            } catch let error as JSONSyntaxError {
                throw ValidationError("\(facts):\(error.location.line):\(error.location.column): invalid JSON: \(error.message)")
            }
        }
        print("\(oldVersion.version.id) → \(newVersion.version.id) as of \(date)")
        print(format == .json ? report.json.canonicalText : report.text)
        if rejected > 0 { FileIO.printError("\(rejected) rows or lines rejected") }
    }
}
