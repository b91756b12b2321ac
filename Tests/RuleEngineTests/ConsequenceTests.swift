import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Consequences other than expiry (`Grammar/pack-language.md` §3.13).
@Suite struct ConsequenceTests {
    static func version(license: Consequence? = nil, total: Consequence? = nil, grace: GracePeriod? = nil) -> RuleVersion {
        var version = Fixtures.texas
        version.requirements[0].consequence = license
        version.requirements[0].grace = grace
        version.requirements[1].consequence = total
        version.citations.append(Citation(id: "inactive", text: "Inactivation rule §2, CME shortfall makes the license inactive"))
        version.citations.sort { $0.id < $1.id }
        return version
    }

    // The cycle ending 2026-01-31: 46 of the 48 hours (E3 missing), ethics done.
    static let shortEvents: [(String, String, String, String)] = [
        ("E1", "general", "44", "2025-06-01"), ("E2", "ethics", "2", "2025-07-01"), ("E4", "pain_management", "12", "2016-05-01"),
    ]

    func evaluate(_ version: RuleVersion, asOf: String, events: [(String, String, String, String)] = Self.shortEvents,
                  status: String = "active", tracing: Bool = false) throws -> CredentialEvaluation {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(version)], tracing: tracing)
        let batch = evaluator.evaluate(document: Fixtures.facts(expiration: "2026-01-31", status: status, events: events),
                                       asOf: Fixtures.date(asOf))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        return try #require(batch.evaluations.first)
    }

    static let inactive = Consequence(becomes: .inactive, cite: "inactive")

    @Test func beforeTheDeadlineTheGapSaysWhatIsAtStake() throws {
        let e = try evaluate(Self.version(total: Self.inactive), asOf: "2025-12-15", tracing: true)
        #expect(e.status == .atRisk)
        #expect(e.gaps.map(\.type) == [.credentialExpiring, .cmeHoursShort])
        let gap = try #require(e.gaps.first { $0.type == .cmeHoursShort })
        #expect(gap.description.hasSuffix("; if still unmet on 2026-01-31, the credential becomes inactive (Inactivation rule §2)"))
        let total = try #require(e.requirements.first { $0.id == "cme-total" })
        #expect(total.trace.contains("consequence: if still unmet on 2026-01-31 → inactive (Inactivation rule §2)"))
    }

    @Test func afterTheDeadlineTheCredentialIsDeactivated() throws {
        // A decoupled deadline is the clearest case, but a cycle end serves: the license is also past expiry.
        let e = try evaluate(Self.version(total: Self.inactive), asOf: "2026-02-10")
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.map(\.type) == [.credentialExpired, .cmeHoursShort, .credentialDeactivated])
        let gap = try #require(e.gaps.first { $0.type == .credentialDeactivated })
        #expect(gap.severity == .critical)
        #expect(gap.requirementID == "cme-total")
        #expect(gap.citation == "Inactivation rule §2")
        #expect(gap.dueDate?.description == "2026-01-31")
        #expect(gap.description == "License TX-p1 is inactive from 2026-01-31 until reinstated: 48 hours of CME was unmet at its "
            + "deadline 2026-01-31 (Inactivation rule §2)")
    }

    @Test func aMetRequirementHasNoConsequence() throws {
        let e = try evaluate(Self.version(total: Self.inactive), asOf: "2026-01-15", events: Fixtures.fullEvents)
        #expect(e.requirements.first { $0.id == "cme-total" }?.outcome == .met)
        #expect(!e.gaps.contains { $0.type == .credentialDeactivated })
        #expect(e.gaps.allSatisfy { !$0.description.contains("becomes inactive") })
    }

    @Test func anUnrenewedCredentialBecomesInactiveInsteadOfExpired() throws {
        let version = Self.version(license: Consequence(becomes: .inactive, cite: nil))
        let e = try evaluate(version, asOf: "2026-02-01", events: Fixtures.fullEvents, tracing: true)
        #expect(e.status == .nonCompliant)
        #expect(e.gaps.map(\.type) == [.credentialDeactivated])
        let gap = try #require(e.gaps.first)
        #expect(gap.severity == .critical)
        #expect(gap.dueDate?.description == "2026-01-31")
        #expect(gap.description == "License TX-p1 was not renewed by 2026-01-31: under Tex. Occ. Code §156.001 it is inactive from "
            + "2026-02-01 until reinstated (expired on 2026-01-31)")
        let license = try #require(e.requirements.first { $0.id == "license-current" })
        #expect(license.outcome == .unmet)
        #expect(license.trace.contains("consequence: not renewed by 2026-01-31 → inactive from 2026-02-01 (Tex. Occ. Code §156.001)"))
    }

    @Test func afterGraceTheConsequenceStartsTheDayAfterItsLastDay() throws {
        let grace = GracePeriod(length: .days(30), practiceAllowed: true, cme: .dueAtExpiration, cite: nil)
        let version = Self.version(license: Consequence(becomes: .revoked, cite: "inactive"), grace: grace)
        let inGrace = try evaluate(version, asOf: "2026-03-02", events: Fixtures.fullEvents)
        #expect(inGrace.gaps.map(\.type) == [.credentialInGrace])
        #expect(inGrace.status == .atRisk)
        let after = try evaluate(version, asOf: "2026-03-03", events: Fixtures.fullEvents)
        #expect(after.gaps.map(\.type) == [.credentialDeactivated])
        #expect(after.gaps.first?.description.contains("was not renewed by 2026-03-02: under Inactivation rule §2 it is revoked from 2026-03-03") == true)
    }

    @Test func aStoredExpiredStatusIsTakenAtItsWord() throws {
        let version = Self.version(license: Consequence(becomes: .inactive, cite: nil))
        let e = try evaluate(version, asOf: "2026-02-01", events: Fixtures.fullEvents, status: "expired")
        #expect(e.gaps.map(\.type) == [.credentialExpired])
    }

    @Test func consequenceRoundTripsAndIsAbsentFromTheBytesWhenUnused() throws {
        let version = Self.version(license: Consequence(becomes: .suspended, cite: nil), total: Self.inactive)
        #expect(try RuleVersion(jsonText: version.canonicalJSON) == version)
        #expect(!Fixtures.texas.canonicalJSON.contains("consequence"))
    }
}
