import RuleBase
import RuleEngine
import RuleIR
import Testing

/// `window:` on `cme_hours` (Grammar/pack-language.md §3.8): where the window falls, what counts, and that its
/// last day is the deadline.
@Suite struct DecoupledWindowTests {
    static func version(_ window: CMEWindow, cycleMonths: Int = 24) -> RuleVersion {
        var version = Fixtures.texas
        version.cycle = Cycle(months: cycleMonths, cmeWindowMonths: cycleMonths, warnWithinDays: 90)
        var total = version.requirements[1]
        total.window = window
        version.requirements = [version.requirements[0], total]
        version.exemptions = []
        return version
    }

    func evaluate(_ version: RuleVersion, expiration: String, events: [(String, String, String, String)], asOf: String)
        throws -> (CredentialEvaluation, RequirementResult)
    {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(version)], tracing: true)
        let batch = evaluator.evaluate(document: Fixtures.facts(issue: "2005-03-01", expiration: expiration, events: events),
                                       asOf: Fixtures.date(asOf))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        let e = try #require(batch.evaluations.first)
        return (e, try #require(e.requirements.first { $0.id == "cme-total" }))
    }

    func bounds(_ window: CMEWindow, _ expiration: String) -> String? {
        window.bounds(expiringOn: Fixtures.date(expiration)).map { "\($0.start) .. \($0.last)" }
    }

    @Test func boundsOfEachEndForm() {
        // NC: birthday 2028-03-10, registration due 30 days later.
        #expect(bounds(CMEWindow(months: 36, end: .daysBeforeExpiration(31)), "2028-04-09") == "2025-03-10 .. 2028-03-09")
        // Birthday on March 1 of a leap year: the window still starts on a March 1.
        #expect(bounds(CMEWindow(months: 36, end: .daysBeforeExpiration(31)), "2028-03-31") == "2025-03-01 .. 2028-02-29")
        // NH: June 30 expiry, two calendar years before it.
        #expect(bounds(CMEWindow(months: 24, end: .monthDay(month: 12, day: 31)), "2027-06-30") == "2025-01-01 .. 2026-12-31")
        // An expiry on the month-day itself closes the window that day.
        #expect(bounds(CMEWindow(months: 12, end: .monthDay(month: 12, day: 31)), "2026-12-31") == "2026-01-01 .. 2026-12-31")
        // KY: 3-year cycles from 1994.
        let ky = CMEWindow(months: 36, end: .cyclesFrom(Fixtures.date("1994-01-01")))
        #expect(bounds(ky, "2027-03-01") == "2024-01-01 .. 2026-12-31")
        #expect(bounds(ky, "2026-12-31") == "2024-01-01 .. 2026-12-31")
        #expect(bounds(ky, "2026-12-30") == "2021-01-01 .. 2023-12-31")
        #expect(bounds(ky, "1996-12-30") == nil)
        #expect(bounds(ky, "1996-12-31") == "1994-01-01 .. 1996-12-31")
    }

    @Test func shortAfterTheWindowClosedIsOverdueBeforeTheRenewal() throws {
        let version = Self.version(CMEWindow(months: 24, end: .monthDay(month: 12, day: 31)))
        // 40 hours in the window, 10 after it (2027), 10 before it (2024): 40 of 48.
        let events = [("E1", "general", "40", "2025-01-01"), ("E2", "general", "10", "2027-01-02"), ("E3", "general", "10", "2024-12-31")]
        let (e, r) = try evaluate(version, expiration: "2027-06-30", events: events, asOf: "2027-02-01")
        #expect(r.outcome == .unmet)
        #expect(r.earned == ExactDecimal(40))
        #expect(r.countedRows == ["E1"])
        #expect(r.windowStart?.description == "2025-01-01")
        #expect(r.windowEnd?.description == "2026-12-31")
        #expect(r.deadline?.description == "2026-12-31")
        #expect(e.status == .nonCompliant)
        let gap = try #require(e.gaps.first { $0.type == .cmeHoursShort })
        #expect(gap.dueDate?.description == "2026-12-31")
        #expect(gap.description == "Needs 8.0 more hours of CME by 2026-12-31: 40.0 of 48.0 earned (22 TAC §161.35)")
        #expect(r.trace.contains("window 2025-01-01 to 2026-12-31: the 24 months ending on the last 12-31 on or before the expiration date; due by its last day"))
        // The credential itself keeps its own window and renewal date.
        #expect(e.windowEnd?.description == "2027-06-30")
        // Before the close the same shortfall is at_risk, and earlier in_progress.
        #expect(try evaluate(version, expiration: "2027-06-30", events: events, asOf: "2026-11-01").0.status == .atRisk)
        #expect(try evaluate(version, expiration: "2027-06-30", events: events, asOf: "2026-06-01").0.status == .inProgress)
    }

    @Test func creditExpiringBeforeTheWindowEndDoesNotCount() throws {
        var facts = Fixtures.facts(issue: "2005-03-01", expiration: "2027-06-30", events: [])
        guard case .object(var tables) = facts else { Issue.record("facts not an object"); return }
        tables = tables.map { name, value in
            name == "cme_events" ? (name, .array([
                .object([("id", .string("E1")), ("provider_id", .string("p1")), ("category", .string("general")), ("credits_earned", .number("48")),
                         ("completion_date", .string("2025-06-01")), ("expiration_date", .string("2026-12-30"))]),
                .object([("id", .string("E2")), ("provider_id", .string("p1")), ("category", .string("general")), ("credits_earned", .number("1")),
                         ("completion_date", .string("2025-06-01")), ("expiration_date", .string("2026-12-31"))]),
            ])) : (name, value)
        }
        facts = .object(tables)
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(Self.version(CMEWindow(months: 24, end: .monthDay(month: 12, day: 31))))])
        let e = try #require(evaluator.evaluate(document: facts, asOf: Fixtures.date("2026-06-01")).evaluations.first)
        let r = try #require(e.requirements.first { $0.id == "cme-total" })
        #expect(r.countedRows == ["E2"])
    }

    @Test func aFixedCycleIsDueOnlyAtTheFirstRenewalAfterItCloses() throws {
        let version = Self.version(CMEWindow(months: 36, end: .cyclesFrom(Fixtures.date("1994-01-01"))), cycleMonths: 12)
        let events = [("E1", "general", "48", "2025-05-01")]
        let due = try evaluate(version, expiration: "2027-03-01", events: events, asOf: "2026-06-01").1
        #expect(due.outcome == .met)
        #expect(due.windowStart?.description == "2024-01-01")
        for expiration in ["2026-03-01", "2028-03-01", "2029-03-01"] {
            let r = try evaluate(version, expiration: expiration, events: events, asOf: "2025-06-01").1
            #expect(r.outcome == .notApplicable, "\(expiration)")
        }
        let later = try evaluate(version, expiration: "2028-03-01", events: [], asOf: "2027-06-01").1
        #expect(later.reason == "the CME cycle 2024-01-01 to 2026-12-31 was due at an earlier renewal")
        #expect(try evaluate(version, expiration: "2030-03-01", events: events, asOf: "2029-06-01").1.outcome == .unmet)
    }

    @Test func daysBeforeExpirationCountsUpToTheDayBefore() throws {
        let version = Self.version(CMEWindow(months: 36, end: .daysBeforeExpiration(31)), cycleMonths: 12)
        let events = [("E1", "general", "47", "2025-03-10"), ("E2", "general", "1", "2028-03-09"), ("E3", "general", "5", "2028-03-10")]
        let (e, r) = try evaluate(version, expiration: "2028-04-09", events: events, asOf: "2028-03-20")
        #expect(r.outcome == .met)
        #expect(r.countedRows == ["E1", "E2"])
        #expect(e.status == .compliant)
    }

    @Test func theWindowRoundTripsThroughCanonicalJSONAndLeavesOtherPacksAlone() throws {
        for window in [CMEWindow(months: 36, end: .daysBeforeExpiration(31)), CMEWindow(months: 24, end: .monthDay(month: 2, day: 5)),
                       CMEWindow(months: 36, end: .cyclesFrom(Fixtures.date("1994-01-01")))] {
            let version = Self.version(window)
            let decoded = try RuleVersion(jsonText: version.canonicalJSON)
            #expect(decoded.requirements[1].window == window)
        }
        #expect(!Fixtures.texas.canonicalJSON.contains("\"window\""))
    }
}

/// `categories_except:` on `cme_hours` (Grammar/pack-language.md §3.9).
@Suite struct ExcludedCategoryTests {
    @Test func everyCategoryButTheExcludedCounts() throws {
        var version = Fixtures.texas
        var total = version.requirements[1]
        total.excludedCategories = ["cultural_competency"]
        version.requirements = [version.requirements[0], total]
        version.exemptions = []
        let events = [("E1", "general", "40", "2025-06-01"), ("E2", "lgbtq_health", "2", "2025-07-01"),
                      ("E3", "cultural_competency", "6", "2025-08-01")]
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(version)])
        let e = try #require(evaluator.evaluate(document: Fixtures.facts(events: events), asOf: Fixtures.date("2026-06-01")).evaluations.first)
        let r = try #require(e.requirements.first { $0.id == "cme-total" })
        #expect(r.earned == ExactDecimal(42))
        #expect(r.countedRows == ["E1", "E2"])
        let gap = try #require(e.gaps.first { $0.type == .cmeHoursShort })
        #expect(gap.description == "Needs 6.0 more hours of CME other than cultural competency by 2027-01-31: 42.0 of 48.0 earned (22 TAC §161.35)")
        let decoded = try RuleVersion(jsonText: version.canonicalJSON)
        #expect(decoded.requirements[1].excludedCategories == ["cultural_competency"])
        #expect(!Fixtures.texas.canonicalJSON.contains("categories_except"))
    }
}
