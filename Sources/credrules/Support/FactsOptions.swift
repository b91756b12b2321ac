import ArgumentParser
import Foundation
import RuleBase
import RuleEngine

/// The documented limits on facts input (README, Facts). They keep memory bounded: a JSON Lines
/// run holds a batch of lines at a time; a document parsed whole is bounded by its size.
enum FactsLimits {
    /// The longest JSON Lines line (one provider's facts): 16 MiB. A longer line is rejected
    /// as an error row with its line number, skipped without being held, and the run goes on.
    static let maximumLineBytes = 16 << 20
    /// The largest facts file given as one JSON document to the commands that parse it whole
    /// (`explain`, `impact`): 64 MiB. A larger one is refused before it is read; `eval` indexes a
    /// document instead (up to ``FactsDocument/maximumBytes``), and JSON Lines has no size limit.
    static let maximumDocumentBytes = 64 << 20
    /// The most bytes of lines a JSON Lines batch holds at once.
    static let batchBytes = 64 << 20

    /// A byte count for messages: `107.4 MB`.
    static func describe(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes * 10 / (1 << 20) / 10).\(bytes * 10 / (1 << 20) % 10) MiB" : "\(bytes) bytes"
    }
}

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

    /// Opens the facts file as JSON Lines.
    func lineReader() throws -> LineReader {
        try LineReader(path: facts, role: "the facts file", maximumLineBytes: FactsLimits.maximumLineBytes)
    }

    /// The error row for a JSON Lines line over the limit.
    func tooLongError(line: Int, byteCount: Int) -> FactError {
        FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: line,
                  message: "the line is \(FactsLimits.describe(byteCount)) long; a facts line may be at most "
                      + "\(FactsLimits.describe(FactsLimits.maximumLineBytes)) (one provider's facts)")
    }

    /// Calls `body` with each facts document: the whole file, or each non-blank line of a JSON
    /// Lines file (with its line number). A line that is not JSON, or too long, is passed as a
    /// failure. An empty file is an input error.
    func forEachDocument(_ body: (Result<JSONValue, FactError>, Int?) throws -> Void) throws {
        guard isJSONLines else { return try body(.success(try wholeDocument().document), nil) }
        var any = false
        try LineReader.forEachLine(path: facts, role: "the facts file", maximumLineBytes: FactsLimits.maximumLineBytes) { line, number in
            any = true
            switch line {
            case .tooLong(let count): try body(.failure(tooLongError(line: number, byteCount: count)), number)
            case .text(let bytes):
                let parsed: Result<JSONValue, FactError>
                do {
                    parsed = .success(try JSONParser.parseCapturingCanonicalRows(bytes).value)
                } catch let error as JSONSyntaxError {
                    parsed = .failure(FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: number,
                                                message: "invalid JSON at column \(error.location.column): \(error.message)"))
                }
                try body(parsed, number)
            }
            return true
        }
        if !any { throw emptyFailure() }
    }

    /// The error for a facts file with nothing in it.
    func emptyFailure() -> InputFailure {
        InputFailure(description: "`\(facts)` holds no facts: the file is empty or blank")
    }

    /// The whole file as a compact facts document (rows parsed per provider when evaluated),
    /// refused unread past ``FactsDocument/maximumBytes`` (1 GiB). An empty file and one that
    /// is not JSON are input errors that say where.
    func factsDocument() throws -> FactsDocument {
        let handle = try FileIO.openForReading(facts, role: "the facts file")
        let size = FileIO.size(of: handle)
        guard size <= FactsDocument.maximumBytes else {
            throw InputFailure(description: "`\(facts)` is \(FactsLimits.describe(size)); a facts file given as one JSON document may be "
                + "at most \(FactsLimits.describe(FactsDocument.maximumBytes)). Give large populations as JSON Lines "
                + "(.jsonl, one provider's object per line), which is read a batch at a time")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try handle.readToEnd() ?? Data())
        } catch {
            throw InputFailure(description: "cannot read `\(facts)`: \(error.localizedDescription)")
        }
        if JSONParser.isBlank(bytes[...]) { throw emptyFailure() }
        do {
            return try FactsDocument(bytes: bytes)
        } catch {
            guard let location = error.location else { throw InputFailure(description: "\(facts): \(error.message)") }
            let message = error.message.hasPrefix("invalid JSON") ? error.message : "invalid JSON: \(error.message)"
            throw InputFailure(description: "\(facts):\(location.line):\(location.column): \(message)")
        }
    }

    /// The whole file as one JSON document, with each row's canonical bytes where it has them.
    /// A file over ``FactsLimits/maximumDocumentBytes``, an empty one and one that is not JSON
    /// are input errors that say where.
    func wholeDocument() throws -> (document: JSONValue, canonicalRows: [String: [[UInt8]?]]) {
        let handle = try FileIO.openForReading(facts, role: "the facts file")
        let size = FileIO.size(of: handle)
        if size > FactsLimits.maximumDocumentBytes {
            throw InputFailure(description: "`\(facts)` is \(FactsLimits.describe(size)); a facts file given as one JSON document may be "
                + "at most \(FactsLimits.describe(FactsLimits.maximumDocumentBytes)). Give large populations as JSON Lines "
                + "(.jsonl, one provider's object per line), which has no size limit")
        }
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try handle.read(upToCount: FactsLimits.maximumDocumentBytes + 1) ?? Data())
        } catch {
            throw InputFailure(description: "cannot read `\(facts)`: \(error.localizedDescription)")
        }
        if bytes.count > FactsLimits.maximumDocumentBytes {
            throw InputFailure(description: "`\(facts)` is over \(FactsLimits.describe(FactsLimits.maximumDocumentBytes)); "
                + "give large populations as JSON Lines (.jsonl)")
        }
        if JSONParser.isBlank(bytes[...]) { throw emptyFailure() }
        do {
            let parsed = try JSONParser.parseCapturingCanonicalRows(bytes[...])
            return (parsed.value, parsed.canonicalRows)
        } catch {
            throw InputFailure(description: "\(facts):\(error.location.line):\(error.location.column): invalid JSON: \(error.message)")
        }
    }
}

/// `--packs`, shared by the commands that load rule versions.
struct PacksOption: ParsableArguments {
    @Option(help: "Rule packs (YAML) or compiled rule versions (JSON): files or folders.")
    var packs: [String]
}
