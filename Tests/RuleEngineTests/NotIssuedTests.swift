import RuleBase
import RuleEngine
import RuleIR
import Testing

/// A state that issues no controlled-substance registration, said by its license pack
/// (`not_issued`, Grammar/pack-language.md §2.1): coverage reports it with its citation instead of
/// a gap, and a stored CSR row for that state is reported with the law that says it cannot exist.
@Suite struct NotIssuedTests {
    static func texas(_ number: Int = 1, from: String = "2020-01-01", to: String? = nil, declares: Bool = true) -> RuleVersion {
        var version = CoverageFixtures.version("US-TX/physician-license", number, state: "TX", from: from, to: to)
        version.citations.append(Citation(id: "no-state-csr", text: "Tex. S.B. 195 (84th Leg.), the DPS CSR eliminated 2016-09-01", confidence: "V"))
        version.notIssued = declares ? [NotIssued(credential: .csrCertificate, cite: "no-state-csr")] : []
        return version
    }
    static let florida = CoverageFixtures.version("US-FL/csr-registration", credential: .csrCertificate, state: "FL")

    @Test func coverageShowsTheStateIssuesNoneWithItsCitationNotAGap() throws {
        let report = CoverageReport(ruleVersions: [Self.texas(), Self.florida], asOf: Fixtures.date("2026-11-26"))
        let cell = try #require(report.cell("US-TX", .csrCertificate))
        #expect(cell.status == .notIssued)
        #expect(cell.notIssued?.version == "US-TX/physician-license@1")
        #expect(cell.notIssued?.citation.confidence == "V")
        #expect(report.cell("US-FL", .csrCertificate)?.status == .covered)
        #expect(report.cell("US-GA", .csrCertificate)?.status == .gap)
        #expect(!report.gaps.contains { $0.jurisdiction == "US-TX" && $0.credential == .csrCertificate })

        let text = report.text()
        #expect(text.contains(", 1 not issued by the state, "), "\(text)")
        #expect(text.split(separator: "\n").contains { $0.hasPrefix("US-TX ") && $0.contains("  none (V)  ") })
        #expect(text.contains("US-TX         CSR        US-TX/physician-license@1  Tex. S.B. 195 (84th Leg.), the DPS CSR eliminated 2016-09-01 (V)"), "\(text)")

        let json = report.json().compactText
        #expect(json.contains(#""credential":"csr_certificate","status":"not_issued","packs":[],"nationwide":[],"not_issued":{"declared_by":"US-TX/physician-license@1","citation":"Tex. S.B. 195 (84th Leg.), the DPS CSR eliminated 2016-09-01","confidence":"V"}"#), "\(json)")
        #expect(json.contains(#""not_issued":1"#))
    }

    @Test func onlyTheVersionInForceSpeaksForItsPack() throws {
        // Version 2 drops the declaration (the state began issuing one): from its start, a gap again.
        let versions = [Self.texas(1, to: "2025-12-31"), Self.texas(2, from: "2026-01-01", declares: false), Self.florida]
        #expect(CoverageReport(ruleVersions: versions, asOf: Fixtures.date("2025-06-01")).cell("US-TX", .csrCertificate)?.status == .notIssued)
        #expect(CoverageReport(ruleVersions: versions, asOf: Fixtures.date("2026-06-01")).cell("US-TX", .csrCertificate)?.status == .gap)
        // Without a date the latest version of each pack speaks.
        #expect(CoverageReport(ruleVersions: versions).cell("US-TX", .csrCertificate)?.status == .gap)
    }

    @Test func aStoredCSRForAStateThatIssuesNoneIsReportedWithTheLaw() throws {
        let evaluator = Evaluator(ruleVersions: try [Self.texas(), Self.florida].map(LoadedRuleVersion.init))
        let document = try JSONParser.parse(#"""
            {"csr_certificates": [{"id": "C1", "provider_id": "p1", "state": "TX", "expiration_date": "2027-03-31"},
                                  {"id": "C2", "provider_id": "p1", "state": "GA", "expiration_date": "2027-03-31"}]}
            """#)
        let batch = evaluator.evaluate(document: document, asOf: Fixtures.date("2026-06-01"))
        #expect(batch.windows.map { $0["compliance_status"]?.stringValue } == ["unknown", "unknown"])
        #expect(batch.gaps.map { $0["gap_type"]?.stringValue } == ["no_rule_pack", "no_rule_pack"])
        let texas = try #require(batch.gaps.first { $0["credential_id"]?.stringValue == "C1" })
        #expect(texas["description"]?.stringValue == "No rule pack in effect on 2026-06-01 covers controlled-substance registration C1 (TX): its compliance cannot be decided; "
            + "US-TX/physician-license@1 cites that US-TX issues none (Tex. S.B. 195 (84th Leg.), the DPS CSR eliminated 2016-09-01, confidence V): check where this row came from")
        #expect(texas["citation"]?.stringValue == "Tex. S.B. 195 (84th Leg.), the DPS CSR eliminated 2016-09-01")
        let georgia = try #require(batch.gaps.first { $0["credential_id"]?.stringValue == "C2" })
        #expect(georgia["description"]?.stringValue?.hasSuffix("its compliance cannot be decided") == true)
        #expect(georgia["citation"]?.isNull != false)
        // A declaration out of force says nothing.
        let ended = Evaluator(ruleVersions: try [Self.texas(to: "2025-12-31"), Self.florida].map(LoadedRuleVersion.init))
        let later = ended.evaluate(document: document, asOf: Fixtures.date("2026-06-01"))
        #expect(later.gaps.allSatisfy { $0["description"]?.stringValue?.hasSuffix("its compliance cannot be decided") == true })
    }

    @Test func coverageAndTheEvaluatorHearTheSameVersionWhenTwoAreInForce() throws {
        // Both versions in force from 2026; version 2 (the higher number, the one evaluated) no longer declares.
        let versions = [Self.texas(1), Self.texas(2, from: "2026-01-01", declares: false), Self.florida]
        let asOf = Fixtures.date("2026-06-01")
        #expect(CoverageReport(ruleVersions: versions, asOf: asOf).cell("US-TX", .csrCertificate)?.status == .gap)
        let evaluator = Evaluator(ruleVersions: try versions.map(LoadedRuleVersion.init))
        let document = try JSONParser.parse(#"{"csr_certificates": [{"id": "C1", "provider_id": "p1", "state": "TX", "expiration_date": "2027-03-31"}]}"#)
        let gap = try #require(evaluator.evaluate(document: document, asOf: asOf).gaps.first)
        #expect(gap["description"]?.stringValue == "No rule pack in effect on 2026-06-01 covers controlled-substance registration C1 (TX): its compliance cannot be decided")
        #expect(gap["citation"]?.isNull != false)
        // Before version 2, version 1 speaks in both.
        let before = Fixtures.date("2025-06-01")
        #expect(CoverageReport(ruleVersions: versions, asOf: before).cell("US-TX", .csrCertificate)?.status == .notIssued)
        #expect(evaluator.evaluate(document: document, asOf: before).gaps.first?["description"]?.stringValue?.contains("US-TX/physician-license@1 cites that US-TX issues none") == true)
    }
}
