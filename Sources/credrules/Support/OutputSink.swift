import ArgumentParser
import Foundation
import RuleBase
import RuleEngine

/// Where `eval` results go: JSON Lines files in a folder, one JSON object, JSON Lines on
/// standard output, or a table for people.
final class OutputSink {
    private let format: EvalCommand.OutputFormat
    private var files: [String: LineWriter] = [:]
    private var stdout: LineWriter?
    private var all = EvaluationBatch()
    private var rejected = 0
    private var providers = 0
    private var statusCounts: [String: Int] = [:]
    private var noRulePack = 0
    private let evaluator: Evaluator
    private let toFolder: Bool

    static let tables = ["compliance_windows", "compliance_gap_analysis", "rules_execution_log", "errors"]

    init(format: EvalCommand.OutputFormat, out: String?, evaluator: Evaluator) throws {
        self.format = format
        self.evaluator = evaluator
        self.toFolder = out != nil
        if let out {
            try FileIO.makeDirectory(out)
            for table in Self.tables {
                files[table] = try LineWriter(path: (out as NSString).appendingPathComponent("\(table).jsonl"))
            }
        } else if format == .jsonl {
            stdout = LineWriter(handle: .standardOutput)
        }
    }

    /// Whether whole evaluations must be kept (the table and JSON formats print at the end).
    var keepsEvaluations: Bool { !toFolder && format == .table }

    func consume(_ batch: EvaluationBatch) {
        providers += batch.providerCount
        rejected += batch.errors.count
        statusCounts.merge(batch.statusCounts, uniquingKeysWith: +)
        noRulePack += batch.noRulePackCount
        var errorLines = JSONLines()
        for error in batch.errors { errorLines.append(error.json.canonicalBytes) }
        if toFolder {
            for (table, lines) in [("compliance_windows", batch.windowLines), ("compliance_gap_analysis", batch.gapLines),
                                   ("rules_execution_log", batch.logLines), ("errors", errorLines)] {
                files[table]?.write(lines: lines.bytes)
            }
        } else if let stdout {
            for (table, lines) in [("compliance_windows", batch.windowLines), ("compliance_gap_analysis", batch.gapLines),
                                   ("errors", errorLines), ("rules_execution_log", batch.logLines)] {
                let suffix = Array(#","table":"\#(table)"}"#.utf8)
                for row in lines.rows { stdout.write(bytes: Array(#"{"row":"#.utf8) + row + suffix) }
            }
        } else {
            all.append(batch)
        }
    }

    /// Flushes everything and prints the summary; returns how many rows were rejected.
    func finish() throws -> Int {
        for table in Self.tables { try files[table]?.close() }
        try stdout?.close()
        if !toFolder {
            switch format {
            case .json: printJSON()
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

    private func printJSON() {
        let versions = evaluator.ruleVersions.map { loaded in
            JSONValue.object([
                ("id", .string(loaded.version.id)), ("rule_type", .string(loaded.version.pack)), ("hash", .string(loaded.hash)),
                ("version_number", .int(loaded.version.version)),
            ])
        }
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
        JSONValue.array(versions).writeCompact(to: &out, canonical: true)
        out += Array(#","rules_execution_log":"#.utf8)
        append(all.logLines)
        out += Array("}".utf8)
        print(String(decoding: out, as: UTF8.self))
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
