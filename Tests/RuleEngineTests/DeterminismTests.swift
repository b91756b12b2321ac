import RuleBase
import RuleEngine
import RuleIR
import RuleTestSupport
import Testing

/// Same facts in any row order give byte-identical outputs (property-based, seeded).
@Suite struct DeterminismTests {
    static func shuffled(_ document: JSONValue, _ rng: inout SplitMix64) -> JSONValue {
        guard let tables = document.objectMembers else { return document }
        return .object(tables.shuffled(using: &rng).map { name, rows in
            (name, .array((rows.arrayValue ?? []).shuffled(using: &rng).map { row in
                .object((row.objectMembers ?? []).shuffled(using: &rng))
            }))
        })
    }

    static func population(_ rng: inout SplitMix64) -> JSONValue {
        var providers: [JSONValue] = []
        var licenses: [JSONValue] = []
        var events: [JSONValue] = []
        var attributes: [JSONValue] = []
        let categories = ["general", "ethics", "pain_management", "opioid_prescribing"]
        for p in 0..<12 {
            let id = "p\(p)"
            providers.append(.object([("id", .string(id))]))
            let issueYear = 2000 + Int(rng.next() % 25)
            licenses.append(.object([
                ("id", .string("L\(p)")), ("provider_id", .string(id)), ("state", .string("TX")), ("license_type", .string("MD")),
                ("status", .string("active")), ("issue_date", .string("\(issueYear)-0\(1 + rng.next() % 9)-15")),
                ("expiration_date", .string("\(2026 + Int(rng.next() % 2))-0\(1 + rng.next() % 9)-28")),
            ]))
            for e in 0..<Int(rng.next() % 10) {
                events.append(.object([
                    ("id", .string("E\(p)-\(e)")), ("provider_id", .string(id)),
                    ("category", .string(categories[Int(rng.next() % 4)])),
                    ("credits_earned", .number("\(rng.next() % 20).\(rng.next() % 4 * 25)")),
                    ("completion_date", .string("202\(4 + rng.next() % 3)-0\(1 + rng.next() % 9)-1\(rng.next() % 9)")),
                ]))
            }
            if rng.next() % 3 != 0 {
                attributes.append(.object([("provider_id", .string(id)), ("key", .string("direct_patient_care")), ("value", .bool(rng.next() % 2 == 0))]))
            }
        }
        return .object([("providers", .array(providers)), ("licenses", .array(licenses)), ("cme_events", .array(events)),
                        ("provider_attributes", .array(attributes))])
    }

    @Test func shuffledRowsGiveByteIdenticalOutputs() throws {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded()])
        var rng = SplitMix64(seed: 20261126)
        for _ in 0..<25 {
            let document = Self.population(&rng)
            let reference = evaluator.evaluate(document: document, asOf: Fixtures.date("2026-06-01"))
            let expected = (reference.windows + reference.gaps + reference.logs).map(\.canonicalText)
            #expect(!reference.logs.isEmpty)
            for _ in 0..<4 {
                let batch = evaluator.evaluate(document: Self.shuffled(document, &rng), asOf: Fixtures.date("2026-06-01"))
                #expect((batch.windows + batch.gaps + batch.logs).map(\.canonicalText) == expected)
            }
        }
    }

    @Test func replayReproducesEveryLogEntryAndCatchesTampering() throws {
        let loaded = try Fixtures.loaded()
        let evaluator = Evaluator(ruleVersions: [loaded])
        var rng = SplitMix64(seed: 7)
        let batch = evaluator.evaluate(document: Self.population(&rng), asOf: Fixtures.date("2026-06-01"))
        let byHash = [loaded.hash: loaded]
        for row in batch.logs {
            // Through text, as an auditor would read the log file.
            let reread = try JSONParser.parse(row.canonicalText)
            let result = Replay.replay(reread, ruleVersions: byHash)
            #expect(result.identical, "\(result.differences)")
        }
        // Altering an output without fixing its hash is caught.
        guard case .object(var members) = batch.logs[0], let index = members.firstIndex(where: { $0.0 == "outputs_json" }),
              case .object(var outputs) = members[index].1, let s = outputs.firstIndex(where: { $0.0 == "compliance_status" })
        else { Issue.record("unexpected log shape"); return }
        outputs[s].1 = .string("compliant-ish")
        members[index].1 = .object(outputs)
        let tampered = Replay.replay(.object(members), ruleVersions: byHash)
        #expect(!tampered.identical)
        #expect(tampered.verdict == .altered)
        #expect(tampered.differences.first == "outputs_json does not match outputs_sha256")
    }

    @Test func ruleVersionJSONRoundTripsToTheSameHash() throws {
        let version = Fixtures.texas
        let reread = try RuleVersion(jsonText: version.canonicalJSON)
        #expect(reread.canonicalJSON == version.canonicalJSON)
        #expect(reread.hash == version.hash)
        #expect(version.hash.count == 64)
    }
}
