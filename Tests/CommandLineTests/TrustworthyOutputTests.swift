import Foundation
import Testing

/// Outputs that never half-exist, facts limits, and the execution log's hash chain (issue 10).
@Suite(.serialized) struct TrustworthyOutputTests {
    let sample = "Examples/sample-facts.json"

    /// Every file in a folder with its contents.
    static func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// A folder holding a good run's outputs.
    static func goodRun(_ folder: URL) throws {
        let good = try CLI.run(["eval", "--packs", "RulePacks", "--facts", "Examples/sample-facts.json", "--as-of", "2026-11-26",
                                "--out", folder.path])
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test func aFailedRunLeavesThePreviousOutputsUntouched() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try Self.goodRun(out)
        let before = try Self.snapshot(out)
        #expect(Set(before.keys) == ["compliance_windows.jsonl", "compliance_gap_analysis.jsonl", "rules_execution_log.jsonl",
                                     "errors.jsonl", "run_manifest.json"])
        #expect(before.values.contains { $0.count > 1000 })

        let malformed = dir.appendingPathComponent("malformed.json")
        try #"{"providers": [{"id": "p1"},"#.write(to: malformed, atomically: true, encoding: .utf8)
        let empty = dir.appendingPathComponent("empty.json")
        try "".write(to: empty, atomically: true, encoding: .utf8)
        let blankLines = dir.appendingPathComponent("blank.jsonl")
        try "\n  \n".write(to: blankLines, atomically: true, encoding: .utf8)
        let garbage = dir.appendingPathComponent("garbage.jsonl")
        try "this is not json\n[1, 2]\n".write(to: garbage, atomically: true, encoding: .utf8)
        let cases: [(facts: String, status: Int32, message: String)] = [
            (garbage.path, 1, "no provider could be read from the facts: 2 rejected"),
            (malformed.path, 1, "malformed.json:1:29: invalid JSON"),
            (empty.path, 1, "holds no facts"),
            (blankLines.path, 1, "holds no facts"),
            (dir.path, 2, "is a directory, not a file"),
            (dir.appendingPathComponent("missing.jsonl").path, 2, "no such file"),
        ]
        for (facts, status, message) in cases {
            let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", facts, "--as-of", "2026-11-26", "--out", out.path])
            #expect(result.status == status, "\(facts): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(facts): \(result.stderr)")
            #expect(!result.stderr.contains("Usage:"), "\(facts): \(result.stderr)")
            #expect(try Self.snapshot(out) == before, "\(facts) changed the previous outputs (or left a temporary)")
        }
    }

    @Test func aFailedRunOnStandardOutputCarriesItsErrorAsAnErrorsRow() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let malformed = dir.appendingPathComponent("malformed.json")
        try "{\n  \"providers\": [}\n".write(to: malformed, atomically: true, encoding: .utf8)
        let json = try CLI.run(["eval", "--packs", "RulePacks", "--facts", malformed.path, "--as-of", "2026-11-26", "--format", "json"])
        #expect(json.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let errors = try #require(document["errors"] as? [[String: Any]])
        #expect((errors.first?["message"] as? String)?.contains("malformed.json:2:17: invalid JSON") == true, "\(errors)")
        #expect(document["run_manifest"] is NSNull)
    }

    @Test func aFactsLineOverTheLimitIsARejectedLineAndTheRestIsEvaluated() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = dir.appendingPathComponent("facts.jsonl")
        let good = #"{"providers":[{"id":"p2"}],"licenses":[{"id":"L2","provider_id":"p2","state":"TX","license_type":"MD","status":"active","issue_date":"2015-01-01","expiration_date":"2027-01-31"}]}"#
        var text = #"{"providers":[{"id":"p1","note":""#
        text += String(repeating: "x", count: 17 << 20) + "\"}]}\n" + good + "\n"
        try text.write(to: facts, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", facts.path, "--as-of", "2026-11-26", "--out", out.path])
        #expect(result.status == 1, "\(result.stderr)")
        let errors = try String(contentsOf: out.appendingPathComponent("errors.jsonl"), encoding: .utf8)
        #expect(errors.contains(#""line":1"#))
        #expect(errors.contains("at most 16.0 MiB"), "\(errors)")
        let windows = try String(contentsOf: out.appendingPathComponent("compliance_windows.jsonl"), encoding: .utf8)
        #expect(windows.contains(#""credential_id":"L2""#))
    }

    @Test func aFactsDocumentOverTheLimitIsRefusedAndPointsToJSONLines() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let facts = dir.appendingPathComponent("big.json")
        #expect(FileManager.default.createFile(atPath: facts.path, contents: Data("{".utf8)))
        let handle = try FileHandle(forWritingTo: facts)
        try handle.truncate(atOffset: UInt64((1 << 30) + 1))  // sparse: the size is checked before reading
        try handle.close()
        let result = try CLI.run(["eval", "--packs", "RulePacks", "--facts", facts.path, "--as-of", "2026-11-26"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("at most 1024.0 MiB"), "\(result.stderr)")
        #expect(result.stderr.contains("JSON Lines"))
        // explain parses a document whole: its limit is lower.
        let handle64 = try FileHandle(forWritingTo: facts)
        try handle64.truncate(atOffset: UInt64(65 << 20))
        try handle64.close()
        let explain = try CLI.run(["explain", "--provider", "p1", "--packs", "RulePacks", "--facts", facts.path, "--as-of", "2026-11-26"])
        #expect(explain.status == 1)
        #expect(explain.stderr.contains("at most 64.0 MiB"), "\(explain.stderr)")
    }

    @Test func runsIntoOneFolderAtOnceDoNotCollide() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Four compiles at once into one folder: each writes through its own temporary, so
        // every run succeeds and the folder ends with whole files and no temporaries.
        let group = DispatchGroup()
        let statuses = StatusBox()
        for _ in 0..<4 {
            group.enter()
            DispatchQueue.global().async {
                let result = try? CLI.run(["compile", "RulePacks", "--out", dir.path])
                statuses.append(result?.status ?? -1)
                group.leave()
            }
        }
        group.wait()
        #expect(statuses.values == [0, 0, 0, 0])
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.hasPrefix(".") }, "\(names)")
        let manifest = try Data(contentsOf: dir.appendingPathComponent("manifest.json"))
        #expect(try JSONSerialization.jsonObject(with: manifest) is [Any])
    }

    final class StatusBox: @unchecked Sendable {
        private let lock = NSLock()
        private var statuses: [Int32] = []
        func append(_ status: Int32) { lock.lock(); statuses.append(status); lock.unlock() }
        var values: [Int32] { lock.lock(); defer { lock.unlock() }; return statuses }
    }

    @Test func compileManifestHashesTheBytesWrittenAndNamesSourcesFromTheRoot() throws {
        for root in ["RulePacks", "./RulePacks/", CLI.repositoryRoot.appendingPathComponent("RulePacks").path] {
            let dir = try CLI.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let result = try CLI.run(["compile", root, "--out", dir.path])
            #expect(result.status == 0, "\(result.stderr)")
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
                as? [[String: Any]])
            let texas = try #require(manifest.first { $0["pack"] as? String == "US-TX/physician-license" })
            #expect(texas["source"] as? String == "US-TX/physician-license.yaml", "\(root): \(texas)")
            let file = try Data(contentsOf: dir.appendingPathComponent(try #require(texas["file"] as? String)))
            #expect(Self.sha256sum(file) == texas["hash"] as? String)
        }
    }

    /// `sha256sum` of bytes, as a user would check them.
    static func sha256sum(_ data: Data) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(data)
        try? input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix { $0 != " " })
    }
}

/// The execution log's hash chain, checked by `replay`.
@Suite(.serialized) struct LogChainTests {
    /// A run's log lines and the folder they are in (the caller removes it).
    static func run() throws -> (folder: URL, lines: [String]) {
        let out = try CLI.temporaryDirectory()
        try TrustworthyOutputTests.goodRun(out)
        let log = try String(contentsOf: out.appendingPathComponent("rules_execution_log.jsonl"), encoding: .utf8)
        return (out, log.split(separator: "\n").map(String.init))
    }

    static func replay(_ lines: [String], in folder: URL, packs: String = "RulePacks") throws -> CLI.Result {
        let log = folder.appendingPathComponent("rules_execution_log.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        return try CLI.run(["replay", log.path, "--packs", packs])
    }

    /// The line with `key` replaced by `value` (the outer field: the last occurrence, after the documents).
    static func replacing(_ key: String, with value: String, in line: String) throws -> String {
        let marker = #","\#(key)":"#
        let range = try #require(line.range(of: marker, options: .backwards))
        let valueStart = range.upperBound
        let valueEnd = try #require(line[valueStart...].dropFirst().firstIndex(of: "\""))
        return line.replacingCharacters(in: valueStart...valueEnd, with: value)
    }

    @Test func anIntactLogReplaysIdentical() throws {
        let (folder, lines) = try Self.run()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(lines.first?.hasPrefix(#"{"entry_previous_sha256":"0000"#) == true)
        #expect(lines.first?.contains(#""entry_sequence":1,"entry_sha256":""#) == true)
        let result = try Self.replay(lines, in: folder)
        #expect(result.status == 0, "\(result.stdout.suffix(500))")
        #expect(result.stdout.hasSuffix("\(lines.count) entries: all identical\n"))
    }

    @Test func everyOuterFieldIsCoveredAndNamed() throws {
        let (folder, lines) = try Self.run()
        defer { try? FileManager.default.removeItem(at: folder) }
        let edits: [(key: String, value: String)] = [
            ("provider_id", #""prov-999999""#), ("rule_version_id", #""US-TX/physician-license@9""#),
            ("rule_type", #""US-TX/other""#), ("executed_at", #""2026-11-27""#),
        ]
        for (key, value) in edits {
            var tampered = lines
            tampered[2] = key == "executed_at"
                ? lines[2].replacingOccurrences(of: #""executed_at":"2026-11-26""#, with: #""executed_at":"2026-11-27""#)
                : try Self.replacing(key, with: value, in: lines[2])
            #expect(tampered[2] != lines[2])
            let result = try Self.replay(tampered, in: folder)
            #expect(result.status == 1, "\(key)")
            #expect(result.stdout.contains("entry 3 ("), "\(key): \(result.stdout)")
            #expect(result.stdout.contains("ALTERED"), "\(key)")
            #expect(result.stdout.contains("  \(key) "), "\(key): \(result.stdout.split(separator: "\n").filter { !$0.contains("identical") })")
        }
        // The chain fields themselves.
        var resequenced = lines
        resequenced[1] = try Self.replacing("entry_sha256", with: "\"" + String(repeating: "a", count: 64) + "\"", in: resequenced[1])
        let chain = try Self.replay(resequenced, in: folder)
        #expect(chain.status == 1)
        #expect(chain.stdout.contains("entry_sha256 does not match the entry's fields"), "\(chain.stdout)")
    }

    @Test func missingReorderedRepeatedAndTruncatedEntriesAreNamed() throws {
        let (folder, lines) = try Self.run()
        defer { try? FileManager.default.removeItem(at: folder) }
        var deleted = lines
        deleted.remove(at: 4)
        let missing = try Self.replay(deleted, in: folder)
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("missing: entry 5"), "\(missing.stdout)")

        var swapped = lines
        swapped.swapAt(5, 6)
        let reordered = try Self.replay(swapped, in: folder)
        #expect(reordered.status == 1)
        #expect(reordered.stdout.contains("entry 6 is out of order: it is at line 7"), "\(reordered.stdout)")

        var repeated = lines
        repeated.insert(lines[2], at: 3)
        let inserted = try Self.replay(repeated, in: folder)
        #expect(inserted.status == 1)
        #expect(inserted.stdout.contains("entry 3 appears again at line 4"), "\(inserted.stdout)")

        let truncated = try Self.replay(Array(lines.dropLast()), in: folder)
        #expect(truncated.status == 1)
        #expect(truncated.stdout.contains("the run manifest records \(lines.count) entries"), "\(truncated.stdout)")

        let beheaded = try Self.replay(Array(lines.dropFirst()), in: folder)
        #expect(beheaded.status == 1)
        #expect(beheaded.stdout.contains("missing: entry 1"), "\(beheaded.stdout)")
    }

    @Test func aMissingRuleVersionIsReportedAsSuch() throws {
        let (folder, lines) = try Self.run()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try Self.replay(lines, in: folder, packs: "RulePacks/US-TX")
        #expect(result.status == 1)
        #expect(result.stdout.contains("RULE VERSION MISSING"))
        #expect(!result.stdout.contains("DIFFERS"))
        #expect(result.stdout.contains("is not among the loaded packs"))
    }
}
