import Foundation
import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// The stored-version loader refuses anything that is not exactly what was published.
@Suite struct StoredRuleVersionTests {
    static func published() throws -> (bytes: [UInt8], hash: String) {
        let name = try #require(ReferenceTests.bundledPacks().first)
        let text = try String(contentsOf: ReferenceTests.packsRoot.appendingPathComponent(name + ".yaml"), encoding: .utf8)
        var sink = DiagnosticSink()
        let version = try #require(PackCompiler.compile(path: name, text: text, into: &sink))
        return (Array(version.canonicalJSON.utf8), version.hash)
    }

    static func kind(_ bytes: [UInt8], _ hash: String? = nil) -> StoredRuleVersionError.Kind? {
        do {
            _ = try StoredRuleVersion(bytes: bytes, recordedHash: hash ?? sha256Hex(bytes: bytes))
            return nil
        } catch {
            return error.kind
        }
    }

    static func replacing(_ old: String, _ new: String, in bytes: [UInt8]) throws -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let range = try #require(text.range(of: old), "no `\(old)`")
        return Array(text.replacingCharacters(in: range, with: new).utf8)
    }

    @Test func acceptsThePublishedBytes() throws {
        let (bytes, hash) = try Self.published()
        let stored = try StoredRuleVersion(bytes: bytes, recordedHash: hash)
        #expect(stored.ruleVersion.hash == hash)
        #expect(try StoredRuleVersion(fileBytes: bytes + [0x0A], recordedHash: hash).hash == hash)
    }

    @Test func refusesBytesChangedAfterPublication() throws {
        let (bytes, hash) = try Self.published()
        let edited = try Self.replacing("\"version\":1", "\"version\":7", in: bytes)
        #expect(Self.kind(edited, hash) == .hashMismatch)
        do {
            _ = try StoredRuleVersion(bytes: edited, recordedHash: hash)
        } catch {
            #expect(error.description.contains("changed after publication"))
        }
    }

    @Test func refusesAnUnknownKeyEvenUnderItsOwnHash() throws {
        let (bytes, _) = try Self.published()
        let extra = try Self.replacing("\"format\":", "\"formta\":\"x\",\"format\":", in: bytes)
        #expect(Self.kind(extra) == .unknownKey)
        do {
            _ = try StoredRuleVersion(bytes: extra, recordedHash: sha256Hex(bytes: extra))
        } catch {
            #expect(error.path == "formta")
            #expect(error.message.contains("unknown key `formta`"))
        }
        let nested = try Self.replacing("\"kind\":", "\"waiver\":true,\"kind\":", in: bytes)
        do {
            _ = try StoredRuleVersion(bytes: nested, recordedHash: sha256Hex(bytes: nested))
            Issue.record("accepted an unknown nested key")
        } catch {
            #expect(error.kind == .unknownKey)
            #expect(error.path?.hasPrefix("requirements[") == true && error.path?.hasSuffix(".waiver") == true, "\(error)")
        }
    }

    @Test func refusesBytesThatDoNotRoundTrip() throws {
        let (bytes, _) = try Self.published()
        // Same value, other bytes: spacing and key order are not canonical.
        let spaced = try Self.replacing("\"version\":1", "\"version\": 1", in: bytes)
        #expect(Self.kind(spaced) == .doesNotRoundTrip)
        let number = try Self.replacing("\"version\":1", "\"version\":1.0", in: bytes)
        #expect(Self.kind(number) == .doesNotRoundTrip || Self.kind(number) == .notARuleVersion)
    }

    @Test func refusesWhatIsNotARuleVersion() throws {
        #expect(Self.kind(Array("not json".utf8)) == .notJSON)
        #expect(Self.kind([0xFF, 0xFE]) == .notJSON)
        #expect(Self.kind(Array("{\"format\":\"credrules.rule-version/0\"}".utf8)) == .notARuleVersion)
        let (bytes, _) = try Self.published()
        let missing = try Self.replacing("\"authority\":", "\"authorit\":", in: bytes)
        #expect(Self.kind(missing) == .notARuleVersion)
    }
}
