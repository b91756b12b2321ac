import ArgumentParser
import Foundation
import RuleBase
import RuleEngine

/// Where `eval` results go: JSON Lines files in a folder, one JSON object, JSON Lines on
/// standard output, or a table for people.
///
/// A folder gets all of a run or none of it: every table is written to a temporary file in the
/// folder and renamed over its final name only when the run has completed, the run manifest
/// last; a run that fails removes its temporaries and leaves the previous run's files as they were.
final class OutputSink: ResultsSink {
    private let format: EvalCommand.OutputFormat
    private let folder: String?
    private var files: [String: (file: AtomicFile, writer: LineWriter)] = [:]
    private var stdout: LineWriter?
    private var all = EvaluationBatch()
    private var sealedLog = JSONLines()
    private var chain = LogChain()
    private var rowCounts: [String: Int] = [:]
    private(set) var rejected = 0
    private(set) var providers = 0
    /// The first rejections, for the message of a run in which nothing could be read.
    private(set) var firstErrors: [FactError] = []
    private var statusCounts: [String: Int] = [:]
    private var noRulePack = 0
    private let evaluator: Evaluator
    private let asOf: CalendarDate

    static let tables = ["compliance_windows", "compliance_gap_analysis", "rules_execution_log", "errors"]
    /// The run manifest's file name, beside the tables.
    static let manifestName = "run_manifest.json"

    init(format: EvalCommand.OutputFormat, out: String?, evaluator: Evaluator, asOf: CalendarDate) throws {
        self.format = format
        self.evaluator = evaluator
        self.asOf = asOf
        self.folder = out
        if let out {
            try FileIO.makeDirectory(out)
            do {
                for table in Self.tables {
                    let file = try AtomicFile(path: (out as NSString).appendingPathComponent("\(table).jsonl"))
                    files[table] = (file, LineWriter(descriptor: file.descriptor, path: "`\(file.path)`"))
                }
            } catch {
                discard()
                throw error
            }
        } else if format == .jsonl {
            stdout = LineWriter.standardOutput()
        }
    }

    /// Whether whole evaluations must be kept (the table format prints them at the end).
    var keepsEvaluations: Bool { folder == nil && format == .table }

    /// Whether the log is written (and so sealed into its chain).
    var writesLog: Bool { folder != nil || format != .table }

    /// Writes one evaluated batch, part by part (the runner calls it on its writer thread).
    func write(_ batch: SealedBatch<Void>) {
        for part in batch.parts { consume(part.evaluated, log: part.log) }
        chain = batch.chain
    }

    private func consume(_ batch: EvaluationBatch, log: JSONLines) {
        providers += batch.providerCount
        rejected += batch.errors.count
        if firstErrors.count < 5 { firstErrors += batch.errors.prefix(5 - firstErrors.count) }
        statusCounts.merge(batch.statusCounts, uniquingKeysWith: +)
        noRulePack += batch.noRulePackCount
        var errorLines = JSONLines()
        for error in batch.errors { errorLines.append(error.json.canonicalBytes) }
        let tables = [("compliance_windows", batch.windowLines), ("compliance_gap_analysis", batch.gapLines),
                      ("errors", errorLines), ("rules_execution_log", log)]
        for (table, lines) in tables { rowCounts[table, default: 0] += lines.count }
        if folder != nil {
            for (table, lines) in tables { files[table]?.writer.write(raw: lines.bytes) }
        } else if let stdout {
            for (table, lines) in tables {
                let suffix = Array(#","table":"\#(table)"}"#.utf8)
                for row in lines.rows { stdout.write(bytes: Array(#"{"row":"#.utf8) + row + suffix) }
            }
        } else {
            var kept = batch
            kept.logLines = JSONLines()
            kept.logLayout = []
            all.append(kept)
            sealedLog.append(contentsOf: log)
        }
    }

    /// A run that could not complete: a folder keeps its previous files (the temporaries are
    /// removed); JSON and JSON Lines on standard output carry the error as an `errors` row, so
    /// a tool reading them sees why there is nothing else.
    func fail(_ message: String) {
        discard()
        let error = FactError(table: nil, rowID: nil, column: nil, providerID: nil, message: message)
        switch (folder, format) {
        case (nil, .json):
            var batch = EvaluationBatch()
            batch.errors = [error]
            all = batch
            sealedLog = JSONLines()
            printJSON(completed: false)
        case (nil, .jsonl):
            let stdout = self.stdout ?? LineWriter.standardOutput()
            stdout.write(bytes: Array(#"{"row":"#.utf8) + error.json.canonicalBytes + Array(#","table":"errors"}"#.utf8))
            try? stdout.close()
        default: break
        }
    }

    /// Removes the temporaries of a run that will not complete.
    private func discard() {
        for (_, entry) in files { entry.file.discard() }
        files = [:]
    }

    /// Flushes everything, puts a folder's files in place (the manifest last) and prints the
    /// summary; returns how many rows were rejected.
    func finish() throws -> Int {
        if let folder {
            do {
                for table in Self.tables { try files[table]?.writer.close() }
                for table in Self.tables { try files[table]?.file.commit() }
                files = [:]
                try FileIO.writeAtomically(manifest.prettyText + "\n", to: (folder as NSString).appendingPathComponent(Self.manifestName))
            } catch {
                discard()
                throw error
            }
        }
        try stdout?.close()
        if folder == nil {
            switch format {
            case .json: printJSON(completed: true)
            case .table: printTable()
            case .jsonl: break
            }
        }
        for error in all.errors where format == .table { FileIO.printError("rejected: \(error.summary)") }
        var summary = statusCounts.keys.sorted().map { "\($0) \(statusCounts[$0] ?? 0)" }.joined(separator: ", ")
        if noRulePack > 0 { summary += " (\(noRulePack) credential\(noRulePack == 1 ? "" : "s") no rule pack covers)" }
        FileIO.printError("\(providers) providers evaluated; \(summary.isEmpty ? "no applicable credentials" : summary); \(rejected) rows rejected")
        return rejected
    }

    /// The rule versions the run loaded.
    private var ruleVersions: JSONValue {
        .array(evaluator.ruleVersions.map { loaded in
            JSONValue.object([
                ("id", .string(loaded.version.id)), ("rule_type", .string(loaded.version.pack)), ("hash", .string(loaded.hash)),
                ("version_number", .int(loaded.version.version)),
            ])
        })
    }

    /// The run manifest (Grammar/execution-log.md): what was evaluated, each table's row count
    /// and the execution log's chain head, which covers every entry in order.
    var manifest: JSONValue {
        var tables: [(String, JSONValue)] = []
        for table in Self.tables.sorted() {
            tables.append((table, .object([("file", .string("\(table).jsonl")), ("rows", .int(rowCounts[table] ?? 0))])))
        }
        return .object([
            ("as_of", .string(asOf.description)),
            ("execution_log", .object([
                ("entries", .int(chain.count)),
                ("file", .string("rules_execution_log.jsonl")),
                ("first_previous_sha256", .string(LogChain.genesis)),
                ("last_entry_sha256", .string(chain.head)),
            ])),
            ("format", .string(LogChain.manifestFormat)),
            ("providers", .int(providers)),
            ("rejected_rows", .int(rejected)),
            ("rule_versions", ruleVersions),
            ("tables", .object(tables)),
            ("tool_version", .string(CredRules.toolVersion)),
        ])
    }

    /// Prints the JSON document; a run that did not complete has no manifest (`null`).
    private func printJSON(completed: Bool) {
        // Written by hand around the rows, which are already canonical bytes; keys in
        // canonical order.
        var out: [UInt8] = Array(#"{"compliance_gap_analysis":"#.utf8)
        func append(_ lines: JSONLines) {
            out.append(UInt8(ascii: "["))
            for (index, line) in lines.rows.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += line
            }
            out.append(UInt8(ascii: "]"))
        }
        append(all.gapLines)
        out += Array(#","compliance_windows":"#.utf8)
        append(all.windowLines)
        out += Array(#","errors":"#.utf8)
        JSONValue.array(all.errors.map(\.json)).writeCompact(to: &out, canonical: true)
        out += Array(#","rule_versions":"#.utf8)
        ruleVersions.writeCompact(to: &out, canonical: true)
        out += Array(#","rules_execution_log":"#.utf8)
        append(sealedLog)
        out += Array(#","run_manifest":"#.utf8)
        (completed ? manifest : .null).writeCompact(to: &out, canonical: true)
        out += Array("}".utf8)
        out.append(0x0A)
        let writer = LineWriter.standardOutput()
        writer.write(raw: out)
        try? writer.close()
    }

    private func printTable() {
        let color = FileIO.stdoutIsTerminal
        func paint(_ status: String) -> String {
            guard color else { return status }
            let code = switch status {
            case "compliant": "32"
            case "in_progress": "36"
            case "at_risk": "33"
            case "non_compliant": "31"
            default: "35"
            }
            return "\u{1B}[\(code)m\(status)\u{1B}[0m"
        }
        func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
        print(pad("PROVIDER", 14) + pad("CREDENTIAL", 16) + pad("RULE VERSION", 34) + pad("STATUS", 14) + pad("DUE", 12) + pad("DAYS", 7) + "GAPS")
        for e in all.evaluations {
            let gaps = e.gaps.filter { $0.type != .credentialExpiring }
            let first = gaps.first.map { "\($0.type.rawValue): \($0.description)" } ?? (e.gaps.first?.description ?? "")
            let more = gaps.count > 1 ? " (+\(gaps.count - 1) more)" : ""
            print(pad(e.providerID, 14) + pad(e.credentialID, 16) + pad(e.ruleVersionID.isEmpty ? (e.noRulePackCovers ? "(no rule pack)" : "-") : e.ruleVersionID, 34) + paint(pad(e.status.rawValue, 14))
                  + pad(e.nextRenewalDate?.description ?? "-", 12) + pad(e.daysUntilDue.map(String.init) ?? "-", 7) + first + more)
        }
    }
}
