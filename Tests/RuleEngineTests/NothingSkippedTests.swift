import RuleBase
import RuleEngine
import RuleIR
import Testing

/// No credential vanishes: one no rule version covers, or whose row was rejected, still gets a
/// window saying `unknown` and why; a provider with a rejected CME row gets no confident CME verdict.
@Suite struct NothingSkippedTests {
    static let evaluator = (try? Fixtures.loaded()).map { Evaluator(ruleVersions: [$0]) }

    static func run(_ json: String) throws -> EvaluationBatch {
        try #require(evaluator).evaluate(document: try JSONParser.parse(json), asOf: Fixtures.date("2026-06-01"))
    }

    @Test func aLicenseNoPackCoversGetsAnUnknownWindowWithANoRulePackGap() throws {
        let batch = try Self.run(#"{"licenses": [{"id": "NJ1", "provider_id": "p1", "state": "NJ", "license_type": "MD", "status": "active", "expiration_date": "2027-03-31"}]}"#)
        #expect(batch.windows.count == 1)
        let window = try #require(batch.windows.first)
        #expect(window["compliance_status"]?.stringValue == "unknown")
        #expect(window["rule_version_id"]?.isNull == true)
        #expect(window["credential_id"]?.stringValue == "NJ1")
        #expect(window["next_renewal_date"]?.stringValue == "2027-03-31")
        #expect(batch.gaps.map { $0["gap_type"]?.stringValue } == ["no_rule_pack"])
        #expect(batch.gaps.first?["description"]?.stringValue?.contains("NJ1 (NJ MD)") == true)
        #expect(batch.logs.isEmpty)
        #expect(batch.noRulePackCount == 1)
        #expect(batch.statusCounts == ["unknown": 1])
    }

    @Test func aLicenseTypeNoPackCoversIsReportedToo() throws {
        let batch = try Self.run(#"{"licenses": [{"id": "RN1", "provider_id": "p1", "state": "TX", "license_type": "RN", "status": "active", "expiration_date": "2027-03-31"}]}"#)
        #expect(batch.gaps.map { $0["gap_type"]?.stringValue } == ["no_rule_pack"])
    }

    @Test func aRejectedLicenseGetsAnUnknownWindowNamingTableRowAndColumn() throws {
        let batch = try Self.run(#"{"licenses": [{"id": "L1", "provider_id": "p1", "state": "TX", "license_type": "MD", "status": "active", "issue_date": "2015-01-01"}]}"#)
        #expect(batch.errors.count == 1)
        let window = try #require(batch.windows.first)
        #expect(window["compliance_status"]?.stringValue == "unknown")
        #expect(window["rule_version_id"]?.stringValue == "US-TX/test-license@1")
        let gap = try #require(batch.gaps.first)
        #expect(gap["gap_type"]?.stringValue == "missing_data")
        #expect(gap["description"]?.stringValue == "Cannot decide license L1: its row was rejected (licenses row L1 column expiration_date: missing required column `expiration_date`)")
        #expect(batch.logs.isEmpty)
    }

    @Test(arguments: [
        #""category": "General", "credits_earned": 40"#,
        #""category": "general", "credits_earned": -4"#,
        #""category": "general", "credits_earned": 40, "colour": "red""#,
    ])
    func aRejectedCMERowMakesCMEVerdictsUnknown(_ badEvent: String) throws {
        let batch = try Self.run(#"""
            {"licenses": [{"id": "L1", "provider_id": "p1", "state": "TX", "license_type": "MD", "status": "active", "issue_date": "2015-03-01", "expiration_date": "2027-01-31"}],
             "cme_events": [{"id": "E1", "provider_id": "p1", "category": "general", "credits_earned": 2, "completion_date": "2026-01-10"},
                            {"id": "E2", "provider_id": "p1", \#(badEvent), "completion_date": "2026-01-11"}],
             "provider_attributes": [{"provider_id": "p1", "key": "direct_patient_care", "value": false}]}
            """#)
        #expect(batch.errors.count == 1)
        let evaluation = try #require(batch.evaluations.first)
        #expect(evaluation.status == .unknown)
        let total = try #require(evaluation.requirements.first { $0.id == "cme-total" })
        #expect(total.outcome == .unknown)
        #expect(total.gaps.map(\.type) == [.missingData])
        #expect(total.gaps.first?.description.contains("cme_events row E2 column") == true)
        #expect(!evaluation.gaps.contains { $0.type == .cmeHoursShort || $0.type == .cmeCategoryShort })
        #expect(evaluation.requirements.first { $0.id == "license-current" }?.outcome == .met)
    }

    @Test func aRejectedAttributeIsMissingNotDefaulted() throws {
        var version = Fixtures.texas
        version.attributes = [AttributeDeclaration(key: "in_residency", type: .bool, defaultValue: .bool(false))]
        version.requirements[3].when = Fixtures.expr("!provider.in_residency", attributes: ["in_residency"])
        let evaluator = Evaluator(ruleVersions: [try LoadedRuleVersion(version)])
        let facts = Fixtures.facts(issue: "2024-03-01", attributes: [("in_residency", .string("true"))])
        let batch = evaluator.evaluate(document: facts, asOf: Fixtures.date("2026-06-01"))
        #expect(batch.errors.map(\.column) == ["value"])
        let opioid = try #require(batch.evaluations.first?.requirements.first { $0.id == "opioid" })
        #expect(opioid.outcome == .unknown)
    }

    @Test func kindsNoPackEvaluatesGetNoWindow() throws {
        // Board certifications are evidence for requirements here, not credentials with a cycle.
        let batch = try Self.run(#"{"board_certifications": [{"id": "B1", "provider_id": "p1", "specialty": "radiology"}]}"#)
        #expect(batch.windows.isEmpty)
    }
}
