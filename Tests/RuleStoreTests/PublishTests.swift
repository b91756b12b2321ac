import RuleStore
import Testing

@Suite struct PublishTests {
    static func version(_ type: String, _ body: String, cme: [CMERequirement] = []) -> PublishableRuleVersion {
        let json = #"{"pack":"\#(type)","body":"\#(body)"}"#
        return PublishableRuleVersion(ruleType: type, canonicalJSON: json, sha256: String(repeating: "0", count: 48) + String(format: "%016x", UInt64(truncatingIfNeeded: json.hashValueStable)), cmeRequirements: cme)
    }

    @Test func numbersVersionsPerRuleTypeAndSkipsPublishedContent() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let ethics = CMERequirement(requirementID: "cme-ethics", state: "TX", cycleLengthMonths: 24, category: "ethics", creditsRequired: "2")
        let total = CMERequirement(requirementID: "cme-total", state: "TX", cycleLengthMonths: 24, category: nil, creditsRequired: "48")
        let first = try connection.publish([Self.version("US-TX/a", "one", cme: [ethics, total]), Self.version("US-CA/b", "one")])
        #expect(first.map { "\($0.ruleType)#\($0.versionNumber):\($0.published)" } == ["US-TX/a#1:true", "US-CA/b#1:true"])
        let again = try connection.publish([Self.version("US-TX/a", "one"), Self.version("US-TX/a", "two"), Self.version("US-CA/b", "one")])
        #expect(again.map { "\($0.ruleType)#\($0.versionNumber):\($0.published)" } == ["US-TX/a#1:false", "US-TX/a#2:true", "US-CA/b#1:false"])
        #expect(again[0].id == first[0].id)
        #expect(try connection.column("SELECT rule_type || '#' || version_number FROM rule_versions ORDER BY 1") == ["US-CA/b#1", "US-TX/a#1", "US-TX/a#2"])
        let rows = try connection.column("""
            SELECT state || ':' || cycle_length_months || ':' || coalesce(category, '*') || ':' || credits_required
            FROM cme_categories_required WHERE rule_version_id = $1 ORDER BY 1
            """, [.text(first[0].id)])
        #expect(rows == ["TX:24:*:48", "TX:24:ethics:2"])
        // The stored bytes are exactly the canonical JSON.
        #expect(try connection.value("SELECT rule_canonical FROM rule_versions WHERE id = $1", [.text(first[0].id)]) == Self.version("US-TX/a", "one").canonicalJSON)
    }

    @Test func aFailingVersionPublishesNothing() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let bad = CMERequirement(requirementID: "x", state: "Texas", cycleLengthMonths: 24, category: nil, creditsRequired: "1")
        let error = #expect(throws: StoreError.self) {
            try connection.publish([Self.version("US-TX/a", "one"), Self.version("US-TX/b", "one", cme: [bad])])
        }
        #expect(error?.sqlState == "23514")
        #expect(try connection.value("SELECT count(*) FROM rule_versions") == "0")
    }

    @Test func hostilePackTextAndNamesAreData() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let type = "US-TX/x'); DELETE FROM rule_versions; --"
        let outcome = try connection.publish([Self.version(type, #"\u0027); DROP TABLE rule_versions; --"#)])
        #expect(outcome.first?.published == true)
        #expect(try connection.value("SELECT rule_type FROM rule_versions") == type)
        #expect(try connection.value("SELECT rule_json ->> 'body' FROM rule_versions") == "'); DROP TABLE rule_versions; --")
    }
}

extension String {
    /// A hash that is the same in every process (String.hashValue is seeded per run).
    var hashValueStable: Int {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return Int(truncatingIfNeeded: hash)
    }
}
