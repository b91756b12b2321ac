import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Alternatives (`Grammar/pack-language.md` §4.1), `hours: any` and `counts_from` (§3.3).
@Suite struct AlternativeTests {
    static let moc = Alternative(
        id: "moc", title: "current board certification (MOC)",
        when: Fixtures.expr("board_certifications.exists(c, c.expiration_date >= as_of)"), satisfies: ["cme-total", "cme-ethics"],
        cite: "moc")

    static var version: RuleVersion {
        var v = Fixtures.texas
        v.citations.append(Citation(id: "moc", text: "22 TAC §161.36, certification satisfies the hours"))
        v.citations.sort { $0.id < $1.id }
        v.alternatives = [moc]
        return v
    }

    static func certification(expires: String) -> [(String, JSONValue)] {
        [("board_certifications", .array([.object([
            ("id", .string("B1")), ("provider_id", .string("p1")), ("specialty", .string("internal_medicine")),
            ("board_name", .string("ABIM")), ("expiration_date", .string(expires)),
        ])]))]
    }

    func evaluate(_ facts: JSONValue, version: RuleVersion = Self.version, asOf: String = "2026-06-01") throws -> CredentialEvaluation {
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded(version)]).evaluate(document: facts, asOf: Fixtures.date(asOf))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        return try #require(batch.evaluations.first)
    }

    func result(_ e: CredentialEvaluation, _ id: String) throws -> RequirementResult {
        try #require(e.requirements.first { $0.id == id })
    }

    @Test func aCurrentCertificationMeetsShortHoursAndSaysSo() throws {
        let events: [(String, String, String, String)] = [("E1", "general", "10", "2025-06-01"), ("E4", "pain_management", "12", "2016-05-01")]
        let e = try evaluate(Fixtures.facts(events: events, extra: Self.certification(expires: "2030-12-31")))
        let total = try result(e, "cme-total")
        #expect(total.outcome == .met)
        #expect(total.satisfiedBy == "moc")
        #expect(total.gaps.isEmpty)
        #expect(total.earned == ExactDecimal(10))
        #expect(total.reason == "met by current board certification (MOC) under moc (22 TAC §161.36); on its own 10 of 48 hours")
        #expect(try result(e, "cme-ethics").satisfiedBy == "moc")
        #expect(e.gaps.isEmpty)
        #expect(e.status == .compliant)
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["satisfied_by"]?.stringValue == "moc")
        #expect(logged?["outcome"]?.stringValue == "met")
        // The alternative's facts are inputs of the decision.
        #expect(e.inputs["facts"]?["board_certifications"]?.arrayValue?.count == 1)
    }

    @Test func hoursMetOnTheirOwnAreNotCreditedToTheAlternative() throws {
        let e = try evaluate(Fixtures.facts(events: Fixtures.fullEvents, extra: Self.certification(expires: "2030-12-31")))
        let total = try result(e, "cme-total")
        #expect(total.outcome == .met)
        #expect(total.satisfiedBy == nil)
        #expect(total.reason == "48.5 of 48 hours")
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["satisfied_by"] == nil)
    }

    @Test func aLapsedCertificationLeavesTheShortfall() throws {
        let e = try evaluate(Fixtures.facts(events: [("E1", "general", "10", "2025-06-01")], extra: Self.certification(expires: "2025-12-31")))
        let total = try result(e, "cme-total")
        #expect(total.outcome == .unmet)
        #expect(total.satisfiedBy == nil)
        #expect(total.gaps.map(\.type) == [.cmeHoursShort])
    }

    @Test func anExemptionIsDecidedBeforeAnAlternative() throws {
        // Renewal 1 is exempt from the general hours: exempt, not met by the certification.
        let e = try evaluate(Fixtures.facts(issue: "2025-03-01", expiration: "2027-01-31", extra: Self.certification(expires: "2030-12-31")))
        #expect(try result(e, "cme-total").outcome == .exempt)
        #expect(try result(e, "cme-total").satisfiedBy == nil)
    }

    @Test func anUnknownRequirementCanBeMetByAnAlternative() throws {
        var version = Self.version
        version.alternatives = [Alternative(id: "moc", title: "MOC", when: Fixtures.expr("board_certifications.exists(c, c.expiration_date >= as_of)"),
                                            satisfies: ["opioid"], cite: "moc")]
        // direct_patient_care missing: the opioid requirement's `when` cannot be decided on its own.
        let e = try evaluate(Fixtures.facts(issue: "2023-03-01", expiration: "2027-01-31", attributes: [], extra: Self.certification(expires: "2030-12-31")),
                             version: version)
        let opioid = try result(e, "opioid")
        #expect(opioid.outcome == .met)
        #expect(opioid.satisfiedBy == "moc")
        #expect(opioid.gaps.isEmpty)
    }

    @Test func ruleVersionJSONCarriesAlternativesOnlyWhenThereAreSome() throws {
        #expect(!Fixtures.texas.canonicalJSON.contains("alternatives"))
        let text = Self.version.canonicalJSON
        #expect(text.contains("\"alternatives\""))
        let decoded = try RuleVersion(jsonText: text)
        #expect(decoded == Self.version)
        #expect(decoded.hash == Self.version.hash)
    }

    // MARK: hours: any, counts_from

    static func training(countsFrom: String?) -> RuleVersion {
        var v = Fixtures.texas
        var course = Requirement(id: "bias-course", title: "Implicit-bias course", kind: .oneTimeTraining, cite: "cme", severity: .high,
                                 gapType: .trainingMissing)
        course.hours = .anyRecord
        course.categories = ["implicit_bias"]
        course.countsFrom = countsFrom.map(Fixtures.date)
        v.requirements = [v.requirements[0], course]
        v.exemptions = []
        return v
    }

    @Test func anyRecordCompletesATrainingWithNoHourFigure() throws {
        let e = try evaluate(Fixtures.facts(events: [("T1", "implicit_bias", "0", "2021-01-01")]), version: Self.training(countsFrom: nil))
        let course = try result(e, "bias-course")
        #expect(course.outcome == .met)
        #expect(course.required == nil)
        #expect(course.countedRows == ["T1"])
        #expect(course.reason == "completed (T1)")
    }

    @Test func aTrainingBeforeCountsFromDoesNotCount() throws {
        let version = Self.training(countsFrom: "2020-10-01")
        let before = try evaluate(Fixtures.facts(events: [("T0", "implicit_bias", "2", "2020-09-30")]), version: version)
        let course = try result(before, "bias-course")
        #expect(course.outcome == .unmet)
        #expect(course.reason == "no matching record completed on or after 2020-10-01")
        #expect(course.gaps.map(\.description) == ["Needs the one-time implicit bias training, completed on or after 2020-10-01 by 2027-01-31 (22 TAC §161.35)"])
        let onTheDay = try evaluate(Fixtures.facts(events: [("T1", "implicit_bias", "0.5", "2020-10-01")]), version: version)
        #expect(try result(onTheDay, "bias-course").outcome == .met)
    }

    @Test func anyRecordInTheWindowMeetsAPeriodicRequirement() throws {
        var v = Fixtures.texas
        v.requirements[2].hours = .anyRecord  // cme-ethics
        let inWindow = try evaluate(Fixtures.facts(events: Fixtures.fullEvents.map { $0.0 == "E2" ? ("E2", "ethics", "0.25", "2025-07-01") : $0 }), version: v)
        #expect(try result(inWindow, "cme-ethics").outcome == .met)
        let before = try evaluate(Fixtures.facts(events: Fixtures.fullEvents.map { $0.0 == "E2" ? ("E2", "ethics", "2", "2024-07-01") : $0 }), version: v)
        let ethics = try result(before, "cme-ethics")
        #expect(ethics.outcome == .unmet)
        #expect(ethics.gaps.first?.description == "Needs a record of ethics CME by 2027-01-31: none completed in the window (22 TAC §161.35)")
    }
}

/// `carry_forward` (`Grammar/pack-language.md` §3.2).
@Suite struct CarryForwardTests {
    static func version(max: Int, excluding: [String] = []) -> RuleVersion {
        var v = Fixtures.texas
        v.requirements[1].carryForward = CarryForward(maxHours: ExactDecimal(max), excludingCategories: excluding)  // cme-total, 48
        return v
    }

    func total(_ version: RuleVersion, _ events: [(String, String, String, String)], issue: String = "2015-03-01") throws -> (RequirementResult, CredentialEvaluation) {
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded(version)]).evaluate(document: Fixtures.facts(issue: issue, events: events), asOf: Fixtures.date("2026-06-01"))
        let e = try #require(batch.evaluations.first)
        return (try #require(e.requirements.first { $0.id == "cme-total" }), e)
    }

    // Window 2025-02-01..2027-01-31; the previous one 2023-02-01..2025-01-31.
    @Test func excessOfThePreviousWindowCountsCappedAndLogged() throws {
        let events = [("P1", "general", "60", "2024-05-01"), ("E1", "general", "40", "2025-06-01")]
        let (r, e) = try total(Self.version(max: 20), events)
        #expect(r.outcome == .met)
        #expect(r.carriedIn == ExactDecimal(12))
        #expect(r.earned == ExactDecimal(52))
        #expect(r.countedRows == ["E1", "P1"])
        #expect(r.reason == "52 of 48 hours, including 12 carried from the previous window")
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["carried_in"] != nil)
        let (capped, _) = try total(Self.version(max: 5), events)
        #expect(capped.carriedIn == ExactDecimal(5))
        #expect(capped.outcome == .unmet)
    }

    @Test func excludedCategoriesNeverCarry() throws {
        let events = [("P1", "general", "3", "2024-05-01"), ("P2", "ethics", "57", "2024-06-01"), ("E1", "general", "44", "2025-06-01")]
        let (r, _) = try total(Self.version(max: 48, excluding: ["ethics"]), events)
        #expect(r.carriedIn == ExactDecimal(3))
        #expect(r.countedRows == ["E1", "P1"])
        #expect(r.outcome == .unmet)
    }

    @Test func nothingCarriesIntoAFirstRenewalOrWithoutExcess() throws {
        var first = Self.version(max: 20)
        first.exemptions = []
        let (r1, _) = try total(first, [("P1", "general", "60", "2024-05-01"), ("E1", "general", "40", "2025-06-01")], issue: "2025-03-01")
        #expect(r1.carriedIn == nil)
        let (r2, e2) = try total(Self.version(max: 20), [("P1", "general", "48", "2024-05-01"), ("E1", "general", "40", "2025-06-01")])
        #expect(r2.carriedIn == nil)
        #expect(r2.countedRows == ["E1"])
        let logged = e2.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["carried_in"] == nil)
    }

    @Test func carryForwardRoundTripsAndIsAbsentOtherwise() throws {
        #expect(!Fixtures.texas.canonicalJSON.contains("carry_forward"))
        let v = Self.version(max: 20, excluding: ["ethics"])
        #expect(try RuleVersion(jsonText: v.canonicalJSON) == v)
    }
}
