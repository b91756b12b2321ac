import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Proration by months licensed (`Grammar/pack-language.md` §3.15).
@Suite struct ProrationTests {
    static func d(_ s: String) -> CalendarDate { Fixtures.date(s) }
    static func hours(_ s: String) -> ExactDecimal { ExactDecimal(s) ?? .zero }

    @Test func theFigure() {
        let iowa = Proration(perMonths: 24)
        #expect(iowa.figure(full: ExactDecimal(40), monthsLicensed: 14) == Self.hours("23.333333333"))
        #expect(iowa.figure(full: ExactDecimal(40), monthsLicensed: 12) == ExactDecimal(20))
        #expect(iowa.figure(full: ExactDecimal(40), monthsLicensed: 0) == .zero)
        #expect(iowa.figure(full: ExactDecimal(40), monthsLicensed: 23) == Self.hours("38.333333333"))
        // From per_months on the full figure stands.
        #expect(iowa.figure(full: ExactDecimal(40), monthsLicensed: 24) == nil)
        #expect(iowa.figure(full: ExactDecimal(40), monthsLicensed: 30) == nil)
        #expect(Proration(perMonths: 24).figure(full: ExactDecimal(4), monthsLicensed: 14) == Self.hours("2.333333333"))
        let down = Proration(perMonths: 24, round: .down), up = Proration(perMonths: 24, round: .up)
        #expect(down.figure(full: ExactDecimal(40), monthsLicensed: 14) == ExactDecimal(23))
        #expect(up.figure(full: ExactDecimal(40), monthsLicensed: 14) == ExactDecimal(24))
        // A whole quotient is not rounded up.
        #expect(up.figure(full: ExactDecimal(40), monthsLicensed: 12) == ExactDecimal(20))
        #expect(down.figure(full: Self.hours("12.5"), monthsLicensed: 23) == ExactDecimal(11))
        #expect(iowa.description == "pro rata by months licensed under 24 (not rounded)")
        #expect(up.explanation(full: ExactDecimal(40), monthsLicensed: 14, figure: ExactDecimal(24)) == "40 x 14 / 24 months licensed = 24 (rounded up)")
    }

    /// The Texas-like fixture with a 40-hour total, prorated over 24 months, and no first-renewal exemption.
    static func version(_ prorate: Proration?, carry: CarryForward? = nil) -> RuleVersion {
        var v = Fixtures.texas
        v.exemptions = []
        v.requirements[1].hours = .constant(ExactDecimal(40))
        v.requirements[1].prorate = prorate
        v.requirements[1].carryForward = carry
        return v
    }

    func evaluate(_ version: RuleVersion, issue: String, expiration: String, events: [(String, String, String, String)],
                  asOf: String = "2026-01-15") throws -> CredentialEvaluation {
        let document = Fixtures.facts(issue: issue, expiration: expiration, events: events)
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded(version)]).evaluate(document: document, asOf: Self.d(asOf))
        return try #require(batch.evaluations.first)
    }

    func total(_ e: CredentialEvaluation) throws -> RequirementResult { try #require(e.requirements.first { $0.id == "cme-total" }) }

    @Test func aShortFirstTermNeedsTheProratedFigure() throws {
        let version = Self.version(Proration(perMonths: 24))
        let met = try evaluate(version, issue: "2025-07-01", expiration: "2026-09-01", events: [("E1", "general", "24", "2025-12-01")])
        let result = try total(met)
        #expect(result.required == Self.hours("23.333333333"))
        #expect(result.outcome == .met)
        #expect(result.prorated == "40 x 14 / 24 months licensed = 23.333333333 (not rounded)")
        #expect(result.reason == "24 of 23.333333333 hours; prorated: 40 x 14 / 24 months licensed = 23.333333333 (not rounded)")
        let logged = met.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["prorated"] == .string("40 x 14 / 24 months licensed = 23.333333333 (not rounded)"))
        let explained = Explain.json(met, version: version)["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(explained?["prorated"] == .string("40 x 14 / 24 months licensed = 23.333333333 (not rounded)"))

        let short = try total(try evaluate(version, issue: "2025-07-01", expiration: "2026-09-01", events: [("E1", "general", "23", "2025-12-01")]))
        #expect(short.outcome == .unmet)
        let gap = try #require(short.gaps.first)
        #expect(gap.description.contains("23.0 of 23.333333333 earned"), "\(gap.description)")
    }

    @Test func roundingIsTheRulesOwn() throws {
        let down = try total(try evaluate(Self.version(Proration(perMonths: 24, round: .down)), issue: "2025-07-01", expiration: "2026-09-01",
                                          events: [("E1", "general", "23", "2025-12-01")]))
        #expect(down.required == ExactDecimal(23) && down.outcome == .met)
        #expect(down.prorated == "40 x 14 / 24 months licensed = 23 (rounded down)")
        let up = try total(try evaluate(Self.version(Proration(perMonths: 24, round: .up)), issue: "2025-07-01", expiration: "2026-09-01",
                                        events: [("E1", "general", "23.5", "2025-12-01")]))
        #expect(up.required == ExactDecimal(24) && up.outcome == .unmet)
    }

    @Test func aFullTermKeepsTheFullFigureAndLogsNothing() throws {
        let e = try evaluate(Self.version(Proration(perMonths: 24)), issue: "2015-03-01", expiration: "2027-01-31",
                             events: [("E1", "general", "40", "2026-01-01")])
        let result = try total(e)
        #expect(result.required == ExactDecimal(40))
        #expect(result.prorated == nil)
        #expect(result.reason == "40 of 40 hours")
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["prorated"] == nil)
    }

    @Test func theIRRoundTripsAndIsAbsentWithoutIt() throws {
        for rule in [Proration(perMonths: 24), Proration(perMonths: 12, round: .down), Proration(perMonths: 36, round: .up)] {
            let v = Self.version(rule)
            #expect(try RuleVersion(jsonText: v.canonicalJSON) == v)
            #expect(v.canonicalJSON.contains(#""prorate":{"per_months":\#(rule.perMonths),"round":"\#(rule.round.rawValue)"}"#))
        }
        #expect(!Self.version(nil).canonicalJSON.contains("prorate"))
    }

    /// Iowa: the renewal after a 14-month first term. The previous period is that term (from the issue date), and
    /// what it earned beyond its prorated 23.333333333 carries (at most 20).
    @Test func carryForwardAfterAProratedFirstTerm() throws {
        let carry = CarryForward(maxHours: ExactDecimal(20), excludingCategories: [])
        let events = [("P1", "general", "35", "2023-06-01"), ("E1", "general", "29", "2025-01-10")]
        let prorated = try total(try evaluate(Self.version(Proration(perMonths: 24), carry: carry), issue: "2023-01-01",
                                              expiration: "2026-03-01", events: events, asOf: "2025-06-01"))
        #expect(prorated.carriedIn == Self.hours("11.666666667"))
        #expect(prorated.required == ExactDecimal(40))
        #expect(prorated.outcome == .met)
        #expect(prorated.reason == "40.666666667 of 40 hours, including 11.666666667 carried from the previous window")
        // Without the declared proration the first term's figure is taken to be the 40: nothing carries.
        let plain = try total(try evaluate(Self.version(nil, carry: carry), issue: "2023-01-01", expiration: "2026-03-01",
                                           events: events, asOf: "2025-06-01"))
        #expect(plain.carriedIn == nil)
        #expect(plain.outcome == .unmet)
        // At most 20 carry.
        let capped = try total(try evaluate(Self.version(Proration(perMonths: 24), carry: carry), issue: "2023-01-01",
                                            expiration: "2026-03-01", events: [("P1", "general", "50", "2023-06-01")], asOf: "2025-06-01"))
        #expect(capped.carriedIn == ExactDecimal(20))
    }

    @Test func hoursFromBeforeTheIssueDateNeverCarry() throws {
        let carry = CarryForward(maxHours: ExactDecimal(20), excludingCategories: [])
        let events = [("R1", "general", "30", "2022-06-01"), ("P1", "general", "20", "2023-06-01"), ("E1", "general", "30", "2025-01-10")]
        for prorate in [Proration(perMonths: 24), nil] {
            let result = try total(try evaluate(Self.version(prorate, carry: carry), issue: "2023-01-01", expiration: "2026-03-01",
                                                events: events, asOf: "2025-06-01"))
            #expect(result.carriedIn == nil, "\(String(describing: prorate))")
            #expect(result.outcome == .unmet)
        }
    }
}
