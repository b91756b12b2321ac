import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Rule versions for coverage and lookup tests: a Texas MD-only license pack in two versions, a
/// Florida pack for both types, a nationwide DEA pack and a pack for a code outside the 51.
enum CoverageFixtures {
    static func version(
        _ pack: String, _ number: Int = 1, credential: CredentialKind = .license, state: String?, types: [String]? = nil,
        from: String = "2020-01-01", to: String? = nil, marks: [String?] = ["V"]
    ) -> RuleVersion {
        var version = Fixtures.texas
        version.pack = pack
        version.version = number
        version.credential = credential
        version.appliesTo = Applicability(state: state, licenseTypes: types)
        version.effective = EffectiveRange(from: Fixtures.date(from), to: to.map(Fixtures.date))
        version.citations = marks.enumerated().map { Citation(id: "c\($0.offset)", text: "Rule \($0.offset)", confidence: $0.element) }
        // One requirement per citation, plus one citing an id no citation has.
        version.requirements = marks.indices.map { index in
            Requirement(id: "r\(index)", title: "Credential is current", kind: .credentialCurrent, cite: "c\(index)",
                        severity: .critical, gapType: .credentialExpired)
        } + [Requirement(id: "dangling", title: "Credential is current", kind: .credentialCurrent, cite: "nowhere",
                         severity: .critical, gapType: .credentialExpired)]
        version.exemptions = []
        version.parameters = []
        version.attributes = []
        return version
    }

    static let versions: [RuleVersion] = [
        version("US-TX/md-license", 1, state: "TX", types: ["MD"], to: "2023-12-31", marks: ["V", "P"]),
        version("US-TX/md-license", 2, state: "TX", types: ["MD"], from: "2024-01-01", marks: ["V", "V2", "R", nil]),
        version("US-FL/physician-license", state: "FL", marks: ["C"]),
        version("US/dea-registration", credential: .deaRegistration, state: nil, marks: ["V2"]),
        version("US-PR/physician-license", state: "PR"),
    ]
}

@Suite struct CoverageTests {
    let report = CoverageReport(ruleVersions: CoverageFixtures.versions, asOf: Fixtures.date("2026-11-26"))

    @Test func everyStateAndDCIsARowWhetherOrNotItHasAPack() {
        #expect(CoverageReport.stateCodes.count == 51)
        #expect(Set(CoverageReport.stateCodes).count == 51)
        #expect(CoverageReport.stateCodes.contains("DC"))
        // US first, then the 51, then a code a pack names that is not among them.
        #expect(report.jurisdictions.first == "US")
        #expect(report.jurisdictions.count == 53)
        #expect(report.jurisdictions.last == "US-PR")
        #expect(report.cells.count == 53 * CoverageCredential.allCases.count)
        #expect(report.packCount == 4)
        #expect(report.ruleVersionCount == 5)
    }

    @Test func cellsNameTheirPacksAndMarkGapsAndWhatCannotExist() throws {
        let md = try #require(report.cell("US-TX", .licenseMD))
        #expect(md.status == .covered)
        #expect(md.packs.map(\.pack) == ["US-TX/md-license"])
        #expect(md.packs.first?.versions.map(\.version) == [1, 2])
        #expect(md.packs.first?.versions.map(\.inEffect) == [false, true])
        // An MD-only pack leaves Texas DO licenses uncovered.
        #expect(report.cell("US-TX", .licenseDO)?.status == .gap)
        // A pack with no license types covers both columns.
        #expect(report.cell("US-FL", .licenseMD)?.status == .covered)
        #expect(report.cell("US-FL", .licenseDO)?.status == .covered)
        #expect(report.cell("US-AK", .licenseMD)?.status == .gap)
        #expect(report.cell("US-TX", .csrCertificate)?.status == .gap)
        // The nationwide DEA pack covers every state's DEA registrations and the federal row.
        let texasDEA = try #require(report.cell("US-TX", .deaRegistration))
        #expect(texasDEA.status == .covered && texasDEA.packs.isEmpty && texasDEA.nationwide == ["US/dea-registration"])
        #expect(report.cell("US", .deaRegistration)?.packs.map(\.pack) == ["US/dea-registration"])
        // Licenses and CSRs always name a state; board certifications never do.
        #expect(report.cell("US", .licenseMD)?.status == .notApplicable)
        #expect(report.cell("US", .csrCertificate)?.status == .notApplicable)
        #expect(report.cell("US-TX", .boardCertification)?.status == .notApplicable)
        #expect(report.cell("US", .boardCertification)?.status == .gap)
    }

    @Test func requirementsAreCountedByTheirCitationsConfidence() throws {
        let versions = try #require(report.cell("US-TX", .licenseMD)?.packs.first?.versions)
        #expect(versions[0].requirements == 3)
        #expect(versions[0].confidence == ["V": 1, "V2": 0, "P": 1, "R": 0, "C": 0, "unmarked": 1])
        // A citation without a mark, and a requirement citing no citation, count as unmarked.
        #expect(versions[1].confidence == ["V": 1, "V2": 1, "P": 0, "R": 1, "C": 0, "unmarked": 2])
    }

    @Test func withoutAnAsOfDateNothingIsJudgedInEffect() {
        let undated = CoverageReport(ruleVersions: CoverageFixtures.versions)
        #expect(undated.cells.flatMap(\.packs).flatMap(\.versions).allSatisfy { $0.inEffect == nil })
        #expect(!undated.text().contains("in effect"))
        #expect(undated.json()["as_of"] == .null)
    }

    @Test func noPacksAtAllIsAGridOfGaps() {
        let empty = CoverageReport(ruleVersions: [])
        #expect(empty.jurisdictions.count == 52)
        #expect(empty.gaps.count == 51 * 4 + 2)
        #expect(empty.cells.allSatisfy { $0.status != .covered })
    }

    @Test func textShowsTheGridThenEveryVersion() {
        let text = report.text()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "5 rule versions in 4 packs; 53 jurisdictions × 5 credential types: 58 covered, 152 gaps, 55 not applicable")
        #expect(lines.contains { $0.hasPrefix("US-TX ") && $0.contains("md-license@1,2") && $0.contains("GAP") })
        #expect(lines.contains { $0.hasPrefix("US ") && $0.contains("dea-registration@1") })
        #expect(lines.contains { $0.hasPrefix("US-AK ") && !$0.contains("@") })
        #expect(lines.contains { $0.hasPrefix("US-TX/md-license") && $0.contains("2024-01-01 – open") && $0.contains("yes") })
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
    }

    @Test func jsonListsCellsGapsAndSummary() throws {
        let json = report.json()
        #expect(json["format"] == .string("credrules.coverage/1"))
        #expect(json["summary"]?["gaps"] == .int(report.gaps.count))
        let rows = try #require(json["jurisdictions"]?.arrayValue)
        #expect(rows.count == 53)
        let texas = try #require(rows.first { $0["jurisdiction"] == .string("US-TX") }?["cells"]?.arrayValue)
        #expect(texas.map { $0["credential"] } == CoverageCredential.allCases.map { .string($0.rawValue) })
        let version = try #require(texas[0]["packs"]?.arrayValue?.first?["versions"]?.arrayValue?.last)
        #expect(version["id"] == .string("US-TX/md-license@2"))
        #expect(version["effective"]?["to"] == .null)
        #expect(version["in_effect"] == .bool(true))
        #expect(version["confidence"]?["unmarked"] == .int(2))
        let gaps = try #require(json["gaps"]?.arrayValue)
        #expect(gaps.contains(.object([("jurisdiction", .string("US-TX")), ("credential", .string("license_do"))])))
        #expect(json["population"] == nil)
    }

    // MARK: Population

    static func population(asOf: String) throws -> PopulationCoverage {
        let document = try JSONParser.parse("""
            {"providers": [{"id": "p1"}, {"id": "p2"}],
             "licenses": [
               {"id": "L1", "provider_id": "p1", "state": "TX", "license_type": "MD", "status": "active", "expiration_date": "2027-01-31"},
               {"id": "L2", "provider_id": "p1", "state": "TX", "license_type": "DO", "status": "active", "expiration_date": "2027-01-31"},
               {"id": "L3", "provider_id": "p2", "state": "AZ", "license_type": "MD", "status": "active", "expiration_date": "2027-01-31"},
               {"id": "L4", "provider_id": "p2", "state": "AZ", "status": "active", "expiration_date": "2027-01-31"},
               {"id": "L5", "provider_id": "p2", "state": "FL", "license_type": "DO", "status": "active", "expiration_date": "2027-01-31"},
               {"id": "L6", "provider_id": "p2", "state": "FL", "status": "active", "expiration_date": "2027-13-31"}
             ],
             "dea_registrations": [
               {"id": "D1", "provider_id": "p1", "state": "TX", "expiration_date": "2027-01-31"},
               {"id": "D2", "provider_id": "p2", "expiration_date": "2027-01-31"}
             ],
             "csr_certificates": [{"id": "C1", "provider_id": "p2", "state": "AZ", "expiration_date": "2027-01-31"}],
             "board_certifications": [{"id": "B1", "provider_id": "p1", "specialty": "psychiatry"}]}
            """)
        var counter = PopulationCoverage(ruleVersions: CoverageFixtures.versions, asOf: Fixtures.date(asOf))
        counter.add(document: document)
        counter.reject(line: 7, message: "invalid JSON at column 2: expected a value")
        return counter
    }

    @Test func populationCountsTheCredentialsNoVersionInEffectCovers() throws {
        let counter = try Self.population(asOf: "2026-11-26")
        #expect(counter.providers == 2)
        #expect(counter.credentials == 9)  // L6 is rejected, so not counted
        #expect(counter.covered == 4)      // L1, L5, D1, D2
        #expect(counter.uncovered == 5)
        let counts = counter.uncoveredCounts.map { "\($0.jurisdiction) \($0.credential) \($0.count)" }
        #expect(counts == [
            "US board_certification 1", "US-AZ license_md 1", "US-AZ csr_certificate 1", "US-AZ license_other 1",
            "US-TX license_do 1",
        ])
        #expect(counter.errors.map(\.summary) == [
            "licenses row L6 column expiration_date: `2027-13-31` is not a valid YYYY-MM-DD date",
            "line 7: invalid JSON at column 2: expected a value",
        ])
    }

    @Test func coverageFollowsTheEffectiveRanges() throws {
        // Before any version takes effect nothing is covered; in 2022 the Texas v1 covers L1.
        let early = try Self.population(asOf: "2019-06-01")
        #expect(early.covered == 0)
        let middle = try Self.population(asOf: "2022-06-01")
        #expect(middle.covered == 4)
        #expect(middle.uncoveredCounts.contains { $0.jurisdiction == "US-TX" && $0.credential == "license_md" } == false)
    }

    @Test func populationAppearsInBothRenderings() throws {
        let counter = try Self.population(asOf: "2026-11-26")
        let json = report.json(population: counter)
        #expect(json["population"]?["uncovered"] == .int(5))
        #expect(json["population"]?["rejected"] == .int(2))
        #expect(json["population"]?["uncovered_by_cell"]?.arrayValue?.count == 5)
        let text = report.text(population: counter)
        #expect(text.contains("Population as of 2026-11-26: 2 providers, 9 credentials, 4 covered, 5 uncovered; 2 rejected row(s) not counted"))
        #expect(text.contains("US-AZ         license, other type  1"))
    }
}

/// The evaluator finds a provider's packs through its index: the same evaluations, in the same
/// order, as evaluating every pack in effect.
@Suite struct VersionLookupTests {
    static func licenses(_ states: [(String, String)]) -> JSONValue {
        .object([
            ("providers", .array([.object([("id", .string("p1"))])])),
            ("licenses", .array(states.enumerated().map { index, pair in
                .object([("id", .string("L\(index)")), ("provider_id", .string("p1")), ("state", .string(pair.0)),
                         ("license_type", .string(pair.1)), ("status", .string("active")),
                         ("expiration_date", .string("2027-01-31"))])
            })),
            ("dea_registrations", .array([.object([("id", .string("D1")), ("provider_id", .string("p1")),
                                                   ("expiration_date", .string("2027-01-31"))])])),
        ])
    }

    @Test func onlyThePacksForTheProvidersCredentialsInEffectAreEvaluated() throws {
        let evaluator = Evaluator(ruleVersions: try CoverageFixtures.versions.map(LoadedRuleVersion.init))
        let document = Self.licenses([("TX", "MD"), ("FL", "DO"), ("AZ", "MD"), ("TX", "DO")])
        let late = evaluator.evaluate(document: document, asOf: Fixtures.date("2026-11-26"))
        // Pack order, then credential id; the DEA registration without a state finds the nationwide pack.
        #expect(late.evaluations.map { "\($0.ruleVersionID) \($0.credentialID)" } == [
            "US-FL/physician-license@1 L1", "US-TX/md-license@2 L0", "US/dea-registration@1 D1",
        ])
        let early = evaluator.evaluate(document: document, asOf: Fixtures.date("2021-03-01"))
        #expect(early.evaluations.map(\.ruleVersionID) == ["US-FL/physician-license@1", "US-TX/md-license@1", "US/dea-registration@1"])
        #expect(evaluator.evaluate(document: Self.licenses([("AZ", "MD")]), asOf: Fixtures.date("2019-01-01")).evaluations.isEmpty)
    }

    @Test func theIndexAgreesWithEvaluatingEveryVersionInEffect() throws {
        let evaluator = Evaluator(ruleVersions: try CoverageFixtures.versions.map(LoadedRuleVersion.init))
        let asOf = Fixtures.date("2026-11-26")
        let (providers, _) = FactLoader.load(Self.licenses([("TX", "MD"), ("FL", "DO"), ("PR", "MD"), ("TX", "DO")]))
        let provider = try #require(providers.first)
        let byScan = evaluator.versionsInEffect(on: asOf).flatMap { Evaluator.evaluate($0, provider: provider, asOf: asOf) }
        let byIndex = evaluator.evaluate(provider, asOf: asOf)
        #expect(byIndex.map(\.logLine) == byScan.map(\.logLine))
        #expect(byIndex.count == 4)
    }
}
