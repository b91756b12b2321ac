import Foundation
import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// The compiled bytes and hash of every bundled pack are pinned.
///
/// Published rule versions are stored and cited by hash for years, so a change to the IR or to
/// canonicalisation that re-hashes a pack must be deliberate. `Expected/<pack path>.rule.json`
/// holds a pack's canonical bytes exactly (no trailing newline) and `.rule.sha256` their SHA-256
/// in `sha256sum` format (`cd Tests/ReferenceTests/Expected/US-TX && sha256sum -c *.sha256`).
///
/// To re-record after an intended change (a new pack, an edited pack, a new IR field), run
///
///     RECORD_REFERENCES=1 swift test --filter ReferenceTests
///
/// which rewrites every reference and then fails, so a recording is never mistaken for a pass;
/// run it again without the variable, and review and commit the changed files: each changed
/// hash is a new rule version.
@Suite struct ReferenceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let packsRoot = repository.appendingPathComponent("RulePacks")
    static let expectedRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Expected")
    static let recording = ProcessInfo.processInfo.environment["RECORD_REFERENCES"] == "1"
    static let rerecord = "if the change is intended, re-record with `RECORD_REFERENCES=1 swift test --filter ReferenceTests`"

    /// Pack paths relative to `RulePacks/`, without `.yaml`, sorted.
    static func bundledPacks() -> [String] {
        let files = FileManager.default.enumerator(atPath: packsRoot.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Reference names relative to `Expected/`, without `.rule.json`, sorted.
    static func references() -> [String] {
        let files = FileManager.default.enumerator(atPath: expectedRoot.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".rule.json") }.map { String($0.dropLast(10)) }.sorted()
    }

    static func compiledPacks() throws -> [String: RuleVersion] {
        let inputs = try bundledPacks().map { name in
            PackInput(path: name, bytes: Array(try Data(contentsOf: packsRoot.appendingPathComponent(name + ".yaml"))))
        }
        let result = PackCompiler.compileSet(inputs)
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "bundled packs do not compile: \(errors.map { "\($0.span?.path ?? ""): \($0.message)" })")
        return Dictionary(result.packs.map { ($0.path, $0.ruleVersion) }, uniquingKeysWith: { a, _ in a })
    }

    static func hashFileText(_ hash: String, name: String) -> String {
        "\(hash)  \((name as NSString).lastPathComponent).rule.json\n"
    }

    @Test func everyBundledPackMatchesItsReference() throws {
        let compiled = try Self.compiledPacks()
        #expect(compiled.count == Self.bundledPacks().count)
        for name in Self.bundledPacks() {
            guard let version = compiled[name] else { continue }
            let bytes = Array(version.canonicalJSON.utf8)
            let jsonURL = Self.expectedRoot.appendingPathComponent(name + ".rule.json")
            let hashURL = Self.expectedRoot.appendingPathComponent(name + ".rule.sha256")
            if Self.recording {
                try FileManager.default.createDirectory(at: jsonURL.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: jsonURL)
                try Data(Self.hashFileText(version.hash, name: name).utf8).write(to: hashURL)
                Issue.record("recorded the reference of RulePacks/\(name).yaml (\(version.hash))")
                continue
            }
            if let problem = Self.problem(name: name, version: version) { Issue.record(Comment(rawValue: problem)) }
        }
    }

    /// What is wrong with `version` against the reference of `name`, or nil when it matches.
    static func problem(name: String, version: RuleVersion) -> String? {
        let bytes = Array(version.canonicalJSON.utf8)
        let jsonURL = expectedRoot.appendingPathComponent(name + ".rule.json")
        let hashURL = expectedRoot.appendingPathComponent(name + ".rule.sha256")
        guard let expected = try? Data(contentsOf: jsonURL), let expectedHash = try? String(contentsOf: hashURL, encoding: .utf8) else {
            return """
                RulePacks/\(name).yaml has no reference in Tests/ReferenceTests/Expected/\(name).rule.json (and .rule.sha256): \
                a new pack is a new published rule version; record it deliberately with \
                `RECORD_REFERENCES=1 swift test --filter ReferenceTests` and commit the files
                """
        }
        if Array(expected) != bytes {
            let old = String(decoding: expected, as: UTF8.self)
            let differences = (try? JSONParser.parse(old))?.differences(to: version.json, limit: 5) ?? ["the reference is not JSON"]
            return """
                the compiled bytes of RulePacks/\(name).yaml differ from its reference, hash \(expectedHash.prefix(64)) → \(version.hash) (\
                \(differences.isEmpty ? "same value, other bytes: canonicalisation changed" : differences.joined(separator: "; "))). \
                Every stored version of this pack would get a new hash; \(rerecord)
                """
        }
        if expectedHash != hashFileText(version.hash, name: name) {
            return "the recorded hash of RulePacks/\(name).yaml (\(expectedHash.prefix(64))) is not the hash of its reference bytes (\(version.hash)); \(rerecord)"
        }
        return nil
    }

    /// The comparison fails, and says so, when a pack's meaning or its canonical bytes change.
    @Test func aChangedPackIsCaught() throws {
        let compiled = try Self.compiledPacks()
        let name = try #require(Self.bundledPacks().first)
        var version = try #require(compiled[name])
        #expect(Self.problem(name: name, version: version) == nil || Self.recording)
        version.title += " (edited)"
        let problem = try #require(Self.problem(name: name, version: version))
        #expect(problem.contains("differ from its reference"))
        #expect(problem.contains("$.title"))
        #expect(problem.contains("RECORD_REFERENCES=1"))
        #expect(Self.problem(name: "US-XX/no-such-pack", version: version)?.contains("has no reference") == true)
    }

    @Test func everyReferenceHasABundledPack() {
        let packs = Set(Self.bundledPacks())
        for name in Self.references() where !packs.contains(name) {
            Issue.record("Tests/ReferenceTests/Expected/\(name).rule.json has no pack RulePacks/\(name).yaml: remove it, or re-record")
        }
    }

    /// Each reference loads as a stored version under its recorded hash: the loader accepts
    /// exactly the bytes the compiler publishes.
    @Test func everyReferenceLoadsAsAStoredVersion() throws {
        #expect(Self.recording || Self.references().count == Self.bundledPacks().count)
        for name in Self.references() {
            let bytes = Array(try Data(contentsOf: Self.expectedRoot.appendingPathComponent(name + ".rule.json")))
            let hashLine = try String(contentsOf: Self.expectedRoot.appendingPathComponent(name + ".rule.sha256"), encoding: .utf8)
            let hash = String(hashLine.prefix(64))
            do {
                let stored = try StoredRuleVersion(bytes: bytes, recordedHash: hash)
                #expect(stored.hash == hash)
            } catch {
                Issue.record("\(name): \(error)")
            }
        }
    }
}
