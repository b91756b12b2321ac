import ArgumentParser
import Foundation
import RuleBase

/// `--facts` and `--as-of`, shared by the commands that evaluate facts.
struct FactsOptions: ParsableArguments {
    @Option(help: "The facts file (.json, or .jsonl / .ndjson for JSON Lines, one provider per line).")
    var facts: String

    @Option(help: "The evaluation date, YYYY-MM-DD.")
    var asOf: String

    /// The as-of date, or a usage error.
    func date() throws -> CalendarDate {
        guard let date = CalendarDate(iso: asOf) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(asOf)`") }
        return date
    }

    /// Whether the facts file is JSON Lines.
    var isJSONLines: Bool { facts.lowercased().hasSuffix(".jsonl") || facts.lowercased().hasSuffix(".ndjson") }

    /// Calls `body` with each facts document: the whole file, or each non-blank line of a JSON
    /// Lines file (with its line number). A line that is not JSON is passed as a failure.
    func forEachDocument(_ body: (Result<JSONValue, JSONSyntaxError>, Int?) throws -> Void) throws {
        if isJSONLines {
            return try LineReader.forEachLine(path: facts) { line, lineNumber in
                do {
                    try body(.success(try JSONParser.parse(line.text)), lineNumber)
                } catch let error as JSONSyntaxError {
                    try body(.failure(error), lineNumber)
                }
                return true
            }
        }
        try body(.success(try wholeDocument()), nil)
    }

    /// The whole file as one JSON document, or a usage error pointing at the syntax error.
    func wholeDocument() throws -> JSONValue {
        do {
            return try JSONParser.parse(try FileIO.readText(facts))
        } catch let error as JSONSyntaxError {
            throw ValidationError("\(facts):\(error.location.line):\(error.location.column): invalid JSON: \(error.message)")
        }
    }
}

/// `--packs`, shared by the commands that load rule versions.
struct PacksOption: ParsableArguments {
    @Option(help: "Rule packs (YAML) or compiled rule versions (JSON): files or folders.")
    var packs: [String]
}
