import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Look-backs of which any one satisfies a `cme_hours` requirement (`Grammar/pack-language.md` §3.14).
@Suite struct AnyOfTests {
    static var version: RuleVersion {
        var version = Fixtures.texas
        version.requirements[1].hours = nil
        version.requirements[1].anyOf = [
            LookbackOption(id: "short", title: "10 hours with 2 ethics", lookbackMonths: 18, figures: [
                HoursFigure(hours: ExactDecimal(10), categories: nil, creditTypes: nil),
                HoursFigure(hours: ExactDecimal(2), categories: ["ethics"], creditTypes: nil),
            ]),
            LookbackOption(id: "long", title: "60 hours", lookbackMonths: 30, figures: [
                HoursFigure(hours: ExactDecimal(60), categories: nil, creditTypes: nil),
            ]),
        ]
        return version
    }

    // The license expires 2027-01-31: the 18-month window opens 2025-08-01, the 30-month one 2024-08-01.
    func total(_ events: [(String, String, String, String)], tracing: Bool = false) throws -> RequirementResult {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(Self.version)], tracing: tracing)
        let batch = evaluator.evaluate(document: Fixtures.facts(events: events), asOf: Fixtures.date("2026-12-15"))
        #expect(batch.errors.isEmpty)
        return try #require(batch.evaluations.first?.requirements.first { $0.id == "cme-total" })
    }

    @Test func theFirstOptionThatHoldsMeetsIt() throws {
        let r = try total([("E1", "general", "8", "2025-09-01"), ("E2", "ethics", "2", "2025-10-01")], tracing: true)
        #expect(r.outcome == .met)
        #expect(r.reason == "met by 10 hours with 2 ethics (18 months): 10 of 10 hours, 2 of 2 hours in ethics")
        #expect(r.countedRows == ["E1", "E2"])
        #expect(r.windowStart?.description == "2025-08-01")
        #expect(r.gaps.isEmpty)
        #expect(r.trace.contains("option long: 60 hours (30 months): 10 of 60 hours → not met, window from 2024-08-01"))
    }

    @Test func aLongerLookBackMeetsItWhenTheShortOneFails() throws {
        let r = try total([("E1", "general", "60", "2024-08-01")])
        #expect(r.outcome == .met)
        #expect(r.reason.hasPrefix("met by 60 hours (30 months): 60 of 60 hours"))
        #expect(r.windowStart?.description == "2024-08-01")
    }

    @Test func theDayBeforeAWindowOpensDoesNotCountInIt() throws {
        // 2025-07-31 is outside the 18-month window, inside the 30-month one.
        let r = try total([("E1", "general", "8", "2025-07-31"), ("E2", "ethics", "2", "2025-10-01")])
        #expect(r.outcome == .unmet)
        #expect(r.reason.contains("10 hours with 2 ethics (18 months): 2 of 10 hours, 2 of 2 hours in ethics"))
        #expect(r.reason.contains("60 hours (30 months): 10 of 60 hours"))
    }

    @Test func unmetSaysWhatEachOptionCounted() throws {
        let r = try total([("E1", "general", "7", "2025-09-01"), ("E2", "ethics", "2", "2025-10-01")])
        #expect(r.outcome == .unmet)
        #expect(r.deadline?.description == "2027-01-31")
        let gap = try #require(r.gaps.first)
        #expect(r.gaps.count == 1)
        #expect(gap.type == .cmeHoursShort)
        #expect(gap.dueDate?.description == "2027-01-31")
        #expect(gap.description == "None of the 2 options of 48 hours of CME is met: 10 hours with 2 ethics (18 months): 9 of 10 hours, "
            + "2 of 2 hours in ethics; 60 hours (30 months): 9 of 60 hours (22 TAC §161.35)")
    }

    @Test func optionsRoundTripAndAreAbsentFromTheBytesWhenUnused() throws {
        #expect(try RuleVersion(jsonText: Self.version.canonicalJSON) == Self.version)
        #expect(!Fixtures.texas.canonicalJSON.contains("any_of"))
    }
}
