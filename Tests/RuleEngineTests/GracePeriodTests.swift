import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Grace and cure periods after the expiration date (`Grammar/pack-language.md` §3.8).
@Suite struct GracePeriodTests {
    static func version(_ grace: GracePeriod?) -> RuleVersion {
        var version = Fixtures.texas
        version.requirements[0].grace = grace
        version.citations.append(Citation(id: "grace", text: "Grace rule §1, 30 days"))
        version.citations.sort { $0.id < $1.id }
        return version
    }

    static let allowed = GracePeriod(length: .days(30), practiceAllowed: true, cme: .dueAtExpiration, cite: "grace")
    static let notAllowed = GracePeriod(length: .days(30), practiceAllowed: false, cme: .dueAtExpiration, cite: nil)
    static let cure = GracePeriod(length: .days(30), practiceAllowed: false, cme: .dueAtGraceEnd, cite: "grace")

    func evaluate(_ grace: GracePeriod?, asOf: String, events: [(String, String, String, String)] = Fixtures.fullEvents,
                  status: String = "active", tracing: Bool = false) throws -> CredentialEvaluation {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(Self.version(grace))], tracing: tracing)
        // Expires 2026-01-31: the last day of a 30-day grace is 2026-03-02.
        let batch = evaluator.evaluate(document: Fixtures.facts(expiration: "2026-01-31", status: status, events: events),
                                       asOf: Fixtures.date(asOf))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        return try #require(batch.evaluations.first)
    }

    func requirement(_ e: CredentialEvaluation, _ id: String) throws -> RequirementResult {
        try #require(e.requirements.first { $0.id == id })
    }

    // Events of the cycle ending 2026-01-31: 48 hours with ethics.
    static let cycleEvents: [(String, String, String, String)] = [
        ("E1", "general", "44", "2025-06-01"), ("E2", "ethics", "2", "2025-07-01"), ("E3", "general", "2", "2026-01-10"),
        ("E4", "pain_management", "12", "2016-05-01"),
    ]

    @Test func lastDayOfGraceWithPracticeAllowedIsAtRisk() throws {
        let e = try evaluate(Self.allowed, asOf: "2026-03-02", events: Self.cycleEvents)
        #expect(e.status == .atRisk)
        let license = try requirement(e, "license-current")
        #expect(license.outcome == .unmet)
        #expect(license.deadline?.description == "2026-03-02")
        let gap = try #require(e.gaps.first)
        #expect(e.gaps.map(\.type) == [.credentialInGrace])
        #expect(gap.dueDate?.description == "2026-03-02")
        #expect(gap.severity == .high)
        #expect(gap.citation == "Grace rule §1")
        #expect(gap.description == "License TX-p1 expired on 2026-01-31, 30 days ago; it may be renewed without reinstatement until "
            + "2026-03-02 (0 days left), and practice is allowed (Grace rule §1)")
    }

    @Test func dayAfterGraceIsExpired() throws {
        let e = try evaluate(Self.allowed, asOf: "2026-03-03", events: Self.cycleEvents)
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.map(\.type) == [.credentialExpired])
        #expect(e.gaps.first?.description == "License TX-p1 expired on 2026-01-31, 31 days ago; its grace period ended on 2026-03-02 "
            + "(Tex. Occ. Code §156.001)")
    }

    @Test func withoutGraceTheDayAfterExpiryIsExpired() throws {
        let e = try evaluate(nil, asOf: "2026-02-01", events: Self.cycleEvents)
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.map(\.type) == [.credentialExpired])
    }

    @Test func graceWithoutPracticeIsNonCompliantButSaysUntilWhen() throws {
        let e = try evaluate(Self.notAllowed, asOf: "2026-02-10", events: Self.cycleEvents)
        #expect(e.status == .nonCompliant)
        let gap = try #require(e.gaps.first)
        #expect(e.gaps.map(\.type) == [.credentialInGrace])
        #expect(gap.severity == .critical)
        #expect(gap.dueDate?.description == "2026-03-02")
        // The grace cites the requirement's own citation when it has none.
        #expect(gap.citation == "Tex. Occ. Code §156.001")
        #expect(gap.description.hasSuffix("and practice is not allowed until it is renewed (Tex. Occ. Code §156.001)"))
        #expect(try requirement(e, "license-current").deadline?.description == "2026-01-31")
    }

    @Test func aStoredExpiredStatusIsNotGraced() throws {
        let e = try evaluate(Self.allowed, asOf: "2026-02-10", events: Self.cycleEvents, status: "expired")
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.map(\.type) == [.credentialExpired])
    }

    @Test func beforeExpiryGraceChangesNothing() throws {
        let e = try evaluate(Self.allowed, asOf: "2026-01-15", events: Self.cycleEvents)
        #expect(e.status == .compliant)
        #expect(e.gaps.map(\.type) == [.credentialExpiring])
    }

    @Test func cmeShortfallDuringGraceIsOverdueByDefault() throws {
        // Practice allowed, but CME was due at the expiration date.
        let short = Self.cycleEvents.filter { $0.0 != "E3" }
        let e = try evaluate(Self.allowed, asOf: "2026-02-10", events: short)
        #expect(e.status == .nonCompliant)
        let total = try requirement(e, "cme-total")
        #expect(total.outcome == .unmet)
        #expect(total.deadline?.description == "2026-01-31")
    }

    @Test func cureCountsHoursCompletedInGraceAndMovesTheDeadline() throws {
        let short = Self.cycleEvents.filter { $0.0 != "E3" }
        // Still short in the cure period: due at its end, not overdue.
        let during = try evaluate(Self.cure, asOf: "2026-02-10", events: short)
        let total = try requirement(during, "cme-total")
        #expect(total.outcome == .unmet)
        #expect(total.deadline?.description == "2026-03-02")
        #expect(during.gaps.first { $0.type == .cmeHoursShort }?.dueDate?.description == "2026-03-02")
        // Two hours completed on the last day of the cure count for the cycle that ended 2026-01-31.
        let cured = try evaluate(Self.cure, asOf: "2026-03-02", events: short + [("E5", "general", "2", "2026-03-02")])
        #expect(try requirement(cured, "cme-total").outcome == .met)
        #expect(try requirement(cured, "cme-total").countedRows.contains("E5"))
        // A day later they would not have.
        let late = try evaluate(Self.cure, asOf: "2026-03-03", events: short + [("E5", "general", "2", "2026-03-03")])
        #expect(try requirement(late, "cme-total").outcome == .unmet)
    }

    @Test func cureDoesNotMoveTheDeadlineBeforeExpiry() throws {
        let short = Self.cycleEvents.filter { $0.0 != "E3" }
        let e = try evaluate(Self.cure, asOf: "2025-12-15", events: short)
        #expect(try requirement(e, "cme-total").deadline?.description == "2026-01-31")
        #expect(e.status == .atRisk)
    }

    @Test func monthsLengthClampsToTheMonthEnd() throws {
        let grace = GracePeriod(length: .months(1), practiceAllowed: true, cme: .dueAtExpiration, cite: nil)
        // 2026-01-31 + 1 month = 2026-02-28.
        #expect(grace.lastDay(after: Fixtures.date("2026-01-31"))?.description == "2026-02-28")
        let e = try evaluate(grace, asOf: "2026-02-28", events: Self.cycleEvents)
        #expect(e.gaps.map(\.type) == [.credentialInGrace])
        let after = try evaluate(grace, asOf: "2026-03-01", events: Self.cycleEvents)
        #expect(after.gaps.map(\.type) == [.credentialExpired])
    }

    @Test func untilTheEndOfTheFollowingMonth() throws {
        // Expires 2026-01-31: a late renewal is open until the last day of February.
        let grace = GracePeriod(length: .untilEndOfMonthAfter(1), practiceAllowed: false, cme: .dueAtExpiration, cite: "grace")
        let last = try evaluate(grace, asOf: "2026-02-28", events: Self.cycleEvents, tracing: true)
        #expect(last.status == .nonCompliant)
        #expect(last.gaps.map(\.type) == [.credentialInGrace])
        #expect(last.gaps.first?.dueDate?.description == "2026-02-28")
        #expect(try requirement(last, "license-current").trace
            .contains("grace: to the end of the month after the expiration month (expired 2026-01-31), last day 2026-02-28, 0 days left; "
                + "practice not allowed; CME due_at_expiration"))
        let after = try evaluate(grace, asOf: "2026-03-01", events: Self.cycleEvents)
        #expect(after.gaps.map(\.type) == [.credentialExpired])
        #expect(after.gaps.first?.description.contains("its grace period ended on 2026-02-28") == true)
    }

    @Test func untilEndOfMonthRoundTripsThroughCanonicalJSON() throws {
        let version = Self.version(GracePeriod(length: .untilEndOfMonthAfter(2), practiceAllowed: true, cme: .dueAtExpiration, cite: nil))
        #expect(version.canonicalJSON.contains("\"until_end_of_month_after\":2"))
        #expect(try RuleVersion(jsonText: version.canonicalJSON) == version)
    }

    @Test func traceSaysWhatTheGraceDecided() throws {
        let e = try evaluate(Self.cure, asOf: "2026-02-10", events: Self.cycleEvents, tracing: true)
        let trace = try requirement(e, "license-current").trace
        #expect(trace.contains("grace: 30 days after 2026-01-31, last day 2026-03-02, 20 days left; practice not allowed; CME due_at_grace_end"))
        #expect(try requirement(e, "cme-total").trace.contains("cure period: hours completed until 2026-03-02 count for the cycle ending 2026-01-31"))
    }

    @Test func graceRoundTripsThroughCanonicalJSON() throws {
        let version = Self.version(Self.cure)
        let decoded = try RuleVersion(jsonText: version.canonicalJSON)
        #expect(decoded == version)
        #expect(decoded.requirements[0].grace == Self.cure)
        // Absent grace is absent from the bytes.
        #expect(!Fixtures.texas.canonicalJSON.contains("grace"))
    }
}
