import RuleBase
import RuleEngine
import RuleIR
import Testing

@Suite struct EvaluatorTests {
    func evaluate(_ facts: JSONValue, asOf: String = "2026-06-01", version: RuleVersion = Fixtures.texas) throws -> CredentialEvaluation {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(version)])
        let batch = evaluator.evaluate(document: facts, asOf: Fixtures.date(asOf))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        return try #require(batch.evaluations.first)
    }

    func outcome(_ e: CredentialEvaluation, _ id: String) -> RequirementOutcome? {
        e.requirements.first { $0.id == id }?.outcome
    }

    @Test func windowFollowsTheBrief() throws {
        // BRIEF §4: expiration 2027-01-31 on a 24-month cycle gives the window 2025-02-01 to 2027-01-31.
        let e = try evaluate(Fixtures.facts(events: Fixtures.fullEvents))
        #expect(e.windowStart?.description == "2025-02-01")
        #expect(e.windowEnd?.description == "2027-01-31")
        #expect(e.nextRenewalDate?.description == "2027-01-31")
        #expect(e.daysUntilDue == 244)
        #expect(e.renewalNumber == 6)
        #expect(e.status == .compliant)
    }

    @Test func shortOnEthicsNearTheDeadlineIsAtRisk() throws {
        let events = Fixtures.fullEvents.filter { $0.1 != "ethics" } + [("E9", "general", "2", "2025-03-01")]
        let e = try evaluate(Fixtures.facts(events: events), asOf: "2026-12-15")
        #expect(e.status == .atRisk)
        #expect(outcome(e, "cme-ethics") == .unmet)
        #expect(outcome(e, "cme-total") == .met)
        let gap = try #require(e.gaps.first { $0.type == .cmeCategoryShort })
        #expect(gap.description == "Needs 2.0 more hours of ethics CME by 2027-01-31: 0.0 of 2.0 earned (22 TAC §161.35)")
        #expect(gap.dueDate?.description == "2027-01-31")
    }

    @Test func shortFarFromTheDeadlineIsInProgress() throws {
        let e = try evaluate(Fixtures.facts(events: [("E4", "pain_management", "12", "2016-05-01")]), asOf: "2025-06-01")
        #expect(e.status == .inProgress)
        #expect(outcome(e, "cme-total") == .unmet)
        #expect(e.requirements.first { $0.id == "cme-total" }?.earned == .zero)
    }

    @Test func expiredLicenseIsNonCompliant() throws {
        let e = try evaluate(Fixtures.facts(expiration: "2026-01-31", events: Fixtures.fullEvents), asOf: "2026-06-01")
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.contains { $0.type == .credentialExpired && $0.severity == .critical })
        #expect(e.daysUntilDue == -121)
    }

    @Test func inactiveLicenseIsNonCompliant() throws {
        let e = try evaluate(Fixtures.facts(status: "suspended", events: Fixtures.fullEvents))
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.map(\.type).contains(.credentialInactive))
    }

    @Test func expiringWithinTheWarningWindowKeepsStatusButAddsAGap() throws {
        let e = try evaluate(Fixtures.facts(events: Fixtures.fullEvents), asOf: "2026-12-01")
        #expect(e.status == .compliant)
        #expect(e.gaps.map(\.type) == [.credentialExpiring])
    }

    @Test func firstRenewalIsExemptFromGeneralHours() throws {
        // Issued 2025-05-01, expires 2027-05-01: renewal 1.
        let e = try evaluate(Fixtures.facts(issue: "2025-05-01", expiration: "2027-05-01"), asOf: "2026-01-15")
        #expect(e.renewalNumber == 1)
        #expect(outcome(e, "cme-total") == .exempt)
        #expect(outcome(e, "cme-ethics") == .exempt)
        #expect(e.requirements.first { $0.id == "cme-total" }?.exemptedBy == "first-renewal")
        // The window never starts before the license was issued.
        #expect(e.windowStart?.description == "2025-05-01")
    }

    @Test(arguments: [(1, true), (2, true), (3, false), (5, false), (6, true), (10, true), (11, false)])
    func cadenceCountsRenewals(renewal: Int, due: Bool) throws {
        var version = Fixtures.texas
        version.effective = EffectiveRange(from: Fixtures.date("1990-01-01"), to: nil)
        // Renewal n of a 24-month cycle from 2001-01-01 ends 2001 + 2n.
        let expiration = "\(2001 + 2 * renewal)-01-01"
        let e = try evaluate(
            Fixtures.facts(issue: "2001-01-01", expiration: expiration, attributes: [("direct_patient_care", .bool(true))]),
            asOf: "\(2001 + 2 * renewal - 1)-06-01", version: version)
        #expect(e.renewalNumber == renewal)
        #expect(outcome(e, "opioid") == (due ? .unmet : .notApplicable))
    }

    @Test func missingAttributeWithoutDefaultIsUnknown() throws {
        let e = try evaluate(Fixtures.facts(events: Fixtures.fullEvents, attributes: []))
        #expect(outcome(e, "opioid") == .unknown)
        #expect(e.status == .unknown)
        let gap = try #require(e.gaps.first { $0.type == .missingData })
        #expect(gap.description.contains("direct_patient_care"))
    }

    @Test func oneTimeTrainingDeadlineIsTheEarliest() throws {
        // Issued 2024-03-01; renewal 2 ends 2028-03-01 but 48 months after issue is 2028-03-01 as well;
        // with a 2024-06-15 issue, 48 months (2028-06-15) is later than renewal 2 (2028-03-01 + …).
        let e = try evaluate(Fixtures.facts(issue: "2024-03-01", expiration: "2026-03-01"), asOf: "2025-06-01")
        let pain = try #require(e.requirements.first { $0.id == "pain-course" })
        #expect(pain.outcome == .unmet)
        #expect(pain.deadline?.description == "2028-03-01")
        #expect(e.gaps.contains { $0.type == .trainingMissing })
    }

    @Test func radiologistsNeedNoPainCourse() throws {
        let cert: (String, JSONValue) = ("board_certifications", .array([.object([
            ("id", .string("B1")), ("provider_id", .string("p1")), ("specialty", .string("radiology")),
            ("expiration_date", .string("2030-01-01")),
        ])]))
        let e = try evaluate(Fixtures.facts(issue: "2024-03-01", expiration: "2026-03-01", extra: [cert]), asOf: "2025-06-01")
        #expect(outcome(e, "pain-course") == .notApplicable)
    }

    @Test func eventsOutsideTheWindowOrAfterAsOfDoNotCount() throws {
        let events = [("E1", "general", "40", "2025-01-31"), ("E2", "general", "40", "2026-07-01"), ("E3", "ethics", "2", "2025-02-01")]
        let e = try evaluate(Fixtures.facts(events: events), asOf: "2026-06-01")
        let total = try #require(e.requirements.first { $0.id == "cme-total" })
        #expect(total.earned == ExactDecimal(2))
        #expect(total.countedRows == ["E3"])
    }

    @Test func logInputsHoldExactlyTheCountedEventsOfALongCareer() throws {
        // Past 32 counted ids the inputs look them up by hash; the rows kept must not change.
        let inWindow = (0..<60).map { (String(format: "W%03d", $0), "general", "1", "2025-06-01") }
        let outside = (0..<60).map { (String(format: "X%03d", $0), "general", "1", "2010-06-01") }
        let e = try evaluate(Fixtures.facts(events: inWindow + outside), asOf: "2026-06-01")
        let total = try #require(e.requirements.first { $0.id == "cme-total" })
        #expect(total.countedRows.count == 60)
        let logged = e.inputs["facts"]?["cme_events"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        #expect(logged == Set(e.requirements.flatMap(\.countedRows)).sorted())
        #expect(logged?.count == 60)
    }
}

@Suite struct RenewalNumberTests {
    func renewal(issue: String, expiration: String, firstTerm: Int? = nil) throws -> Int? {
        var version = Fixtures.texas
        version.effective = EffectiveRange(from: Fixtures.date("1990-01-01"), to: nil)
        version.cycle = Cycle(months: 24, cmeWindowMonths: 24, warnWithinDays: 90, firstTermMonths: firstTerm)
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(version)])
        let facts = Fixtures.facts(issue: issue, expiration: expiration)
        return evaluator.evaluate(document: facts, asOf: Fixtures.date("2024-01-01")).evaluations.first?.renewalNumber
    }

    @Test func floridaMidBienniumLicenseeFirstTermIsShort() throws {
        #expect(try renewal(issue: "2024-08-15", expiration: "2025-01-31") == 1)
        #expect(try renewal(issue: "2024-08-15", expiration: "2027-01-31") == 2)
        #expect(try renewal(issue: "2025-01-01", expiration: "2027-01-31") == 2)
    }

    @Test func californiaFirstTermRunsToTheEndOfTheIssueMonth() throws {
        #expect(try renewal(issue: "2019-05-10", expiration: "2021-05-31", firstTerm: 25) == 1)
        #expect(try renewal(issue: "2019-05-10", expiration: "2023-05-31", firstTerm: 25) == 2)
        // Without the longer first term the same dates would count as a second renewal.
        #expect(try renewal(issue: "2019-05-10", expiration: "2021-05-31") == 2)
    }
}

@Suite struct CitationReferenceTests {
    @Test(arguments: [
        ("22 Tex. Admin. Code §161.35(a) (formerly §166.2), 48 credits per 24 months", "22 Tex. Admin. Code §161.35(a) (formerly §166.2)"),
        ("Cal. Bus. & Prof. Code §2423(a) (as amended by SB 798, 2017), biennial renewal", "Cal. Bus. & Prof. Code §2423(a) (as amended by SB 798, 2017)"),
        ("20 ILCS 2105/2105-15.5; 1 hour each renewal", "20 ILCS 2105/2105-15.5; 1 hour each renewal"),
        ("21 CFR 1301.13", "21 CFR 1301.13"),
    ])
    func referenceIsTheTextBeforeTheFirstTopLevelComma(text: String, expected: String) {
        #expect(Citation(id: "c", text: text).reference == expected)
    }
}
