import RuleBase
import RuleEngine
import RuleIR
import Testing

/// `caps` on `cme_hours` (`Grammar/pack-language.md` §3.11).
@Suite struct CapTests {
    static func version(_ caps: [HoursCap]) -> RuleVersion {
        var v = Fixtures.texas
        v.requirements[1].caps = caps  // cme-total, 48
        return v
    }

    static let general30 = HoursCap(maxHours: ExactDecimal(30), categories: ["general"])

    func total(_ version: RuleVersion, _ events: [(String, String, String, String)]) throws -> (RequirementResult, CredentialEvaluation) {
        let batch = Evaluator(ruleVersions: [try Fixtures.loaded(version)]).evaluate(document: Fixtures.facts(events: events), asOf: Fixtures.date("2026-06-01"))
        let e = try #require(batch.evaluations.first)
        return (try #require(e.requirements.first { $0.id == "cme-total" }), e)
    }

    // Window 2025-02-01..2027-01-31.
    @Test func hoursBeyondACapAreOfferedNotCounted() throws {
        let (r, e) = try total(Self.version([Self.general30]), [("E1", "general", "40", "2025-06-01"), ("E2", "pain_management", "10", "2025-07-01")])
        #expect(r.outcome == .unmet)
        #expect(r.earned == ExactDecimal(40))
        #expect(r.countedRows == ["E1", "E2"])
        #expect(r.capped == [CappedHours(label: "category general", maxHours: ExactDecimal(30), offered: ExactDecimal(40), counted: ExactDecimal(30))])
        #expect(r.reason == "40 of 48 hours; capped: category general: 40 offered, 30 counted (at most 30)")
        let gap = try #require(r.gaps.first)
        #expect(gap.type == .cmeHoursShort)
        #expect(gap.description.contains("40.0 of 48.0 earned (capped: category general: 40 offered, 30 counted (at most 30))"), "\(gap.description)")
        let logged = try #require(e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" })
        let cap = try #require(logged["capped"]?.arrayValue?.first)
        #expect(cap["offered"] == .number("40"))
        #expect(cap["counted"] == .number("30"))
        #expect(cap["max_hours"] == .number("30"))
        let explained = Explain.json(e, version: Self.version([Self.general30]))
        let explainedReq = explained["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(explainedReq?["capped"]?.arrayValue?.first?["offered"] == .number("40"))
    }

    @Test func theCapDecidesAtItsFigure() throws {
        // 30 general + 18 other reach 48 under a cap of 30; a cap of 29 leaves them one short.
        let events = [("E1", "general", "31", "2025-06-01"), ("E2", "pain_management", "18", "2025-07-01")]
        #expect(try total(Self.version([Self.general30]), events).0.outcome == .met)
        #expect(try total(Self.version([HoursCap(maxHours: ExactDecimal(29), categories: ["general"])]), events).0.outcome == .unmet)
    }

    @Test func anEventFallsUnderTheFirstCapThatCoversIt() throws {
        // Events have no credit type, so `credit_types_except` covers them all; general ones are taken by the first cap.
        let caps = [Self.general30, HoursCap(maxHours: ExactDecimal(5), creditTypesExcept: ["ama_pra_1"])]
        let (r, _) = try total(Self.version(caps), [("E1", "general", "40", "2025-06-01"), ("E2", "pain_management", "10", "2025-07-01")])
        #expect(r.earned == ExactDecimal(35))
        #expect(r.capped?.map(\.offered) == [ExactDecimal(40), ExactDecimal(10)])
        #expect(r.capped?.map(\.counted) == [ExactDecimal(30), ExactDecimal(5)])
    }

    @Test func aCapThatHoldsNothingBackLeavesTheReasonAlone() throws {
        let (r, e) = try total(Self.version([Self.general30]), [("E1", "general", "20", "2025-06-01"), ("E2", "pain_management", "30", "2025-07-01")])
        #expect(r.outcome == .met)
        #expect(r.reason == "50 of 48 hours")
        #expect(r.capped?.first?.counted == ExactDecimal(20))
        // Still logged: the log says what the cap saw.
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["capped"] != nil)
    }

    @Test func withoutCapsNothingChanges() throws {
        #expect(!Fixtures.texas.canonicalJSON.contains("caps"))
        let (r, e) = try total(Fixtures.texas, [("E1", "general", "40", "2025-06-01")])
        #expect(r.capped == nil)
        let logged = e.outputs["requirements"]?.arrayValue?.first { $0["id"]?.stringValue == "cme-total" }
        #expect(logged?["capped"] == nil)
        let v = Self.version([Self.general30, HoursCap(maxHours: ExactDecimal(5), creditTypes: ["aoa_1b"])])
        #expect(try RuleVersion(jsonText: v.canonicalJSON) == v)
    }

    @Test func matching() {
        let typeTwo = HoursCap(maxHours: ExactDecimal(30), creditTypesExcept: ["ama_pra_1", "aoa_1a"])
        #expect(typeTwo.matches(category: "general", creditType: nil))
        #expect(typeTwo.matches(category: "general", creditType: "aoa_1b"))
        #expect(!typeTwo.matches(category: "general", creditType: "aoa_1a"))
        let ib = HoursCap(maxHours: ExactDecimal(20), creditTypes: ["aoa_1b"])
        #expect(!ib.matches(category: "general", creditType: nil))
        #expect(ib.matches(category: "ethics", creditType: "aoa_1b"))
    }
}
