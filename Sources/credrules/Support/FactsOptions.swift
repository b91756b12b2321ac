import ArgumentParser
import Foundation
import RuleBase
import RuleEngine

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

    /// The whole file as a compact facts document (rows parsed per provider when evaluated),
    /// refused unread past ``FactsDocument/maximumBytes``.
    func factsDocument() throws -> FactsDocument {
        let size = (try? FileManager.default.attributesOfItem(atPath: facts)[.size] as? Int) ?? 0
        guard size <= FactsDocument.maximumBytes else {
            throw ValidationError("\(facts): the facts document is \(size) bytes, more than the \(FactsDocument.maximumBytes) bytes (1 GiB) the JSON document form accepts; write the population as JSON Lines (.jsonl, one provider's object per line), which is read a batch at a time")
        }
        do {
            return try FactsDocument(bytes: try FileIO.read(facts))
        } catch let error as FactsDocument.ReadError {
            throw ValidationError("\(facts):\(error.description)")
        }
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
