import RuleBase
import RuleEngine
import RuleIR
import Testing

/// A DEA registration row without a state (`Grammar/pack-language.md` §3.4): `registration_current`
/// with `same_state` and an expression testing `r.state` decide it the same way.
@Suite struct StatelessRegistrationTests {
    static var version: RuleVersion {
        var version = Fixtures.texas
        var dea = Requirement(id: "dea-current", title: "Texas DEA registration", kind: .registrationCurrent, cite: "licensing",
                              severity: .high, gapType: .registrationMissing)
        dea.registration = .deaRegistration
        dea.sameState = true
        var gated = Requirement(id: "dea-gated", title: "Texas DEA holder's check", kind: .custom, cite: "licensing",
                                severity: .high, gapType: .custom)
        gated.when = Fixtures.expr("dea_registrations.exists(r, r.state == credential.state)")
        gated.check = Fixtures.expr("true")
        gated.code = "dea_gated"
        version.requirements = [version.requirements[0], dea, gated]
        return version
    }

    func evaluate(_ rows: [JSONValue]) throws -> CredentialEvaluation {
        let evaluator = Evaluator(ruleVersions: [try Fixtures.loaded(Self.version)])
        let facts = Fixtures.facts(extra: [("dea_registrations", .array(rows))])
        let batch = evaluator.evaluate(document: facts, asOf: Fixtures.date("2026-06-01"))
        #expect(batch.errors.isEmpty, "\(batch.errors.map(\.summary))")
        return try #require(batch.evaluations.first)
    }

    static func row(_ id: String, state: String?, expires: String) -> JSONValue {
        var columns: [(String, JSONValue)] = [("id", .string(id)), ("provider_id", .string("p1")), ("expiration_date", .string(expires))]
        if let state { columns.append(("state", .string(state))) }
        return .object(columns)
    }

    func outcome(_ e: CredentialEvaluation, _ id: String) -> RequirementOutcome? { e.requirements.first { $0.id == id }?.outcome }

    @Test func aStatelessRowIsMissingDataInBothPaths() throws {
        let e = try evaluate([Self.row("D1", state: nil, expires: "2027-01-31")])
        #expect(outcome(e, "dea-current") == .unknown)
        #expect(outcome(e, "dea-gated") == .unknown)
        let gap = try #require(e.gaps.first { $0.requirementID == "dea-current" })
        #expect(gap.type == .missingData)
        #expect(gap.description.contains("dea_registrations row D1 has no state"))
        #expect(e.gaps.first { $0.requirementID == "dea-gated" }?.type == .missingData)
        #expect(e.status == .unknown)
    }

    @Test func anExpiredStatelessRowIsStillUndecided() throws {
        // Reading `r.state` fails before the expiry is looked at, so the expression cannot decide either.
        let e = try evaluate([Self.row("D1", state: nil, expires: "2025-01-31")])
        #expect(outcome(e, "dea-current") == .unknown)
        #expect(outcome(e, "dea-gated") == .unknown)
    }

    @Test func aCurrentRowOfTheStateDecidesDespiteAStatelessOne() throws {
        let e = try evaluate([Self.row("D0", state: nil, expires: "2027-01-31"), Self.row("D1", state: "TX", expires: "2027-01-31")])
        #expect(outcome(e, "dea-current") == .met)
        #expect(outcome(e, "dea-gated") == .met)
    }

    @Test func rowsOfOtherStatesOnlyAreNoneHeld() throws {
        let e = try evaluate([Self.row("D1", state: "OK", expires: "2027-01-31")])
        #expect(outcome(e, "dea-current") == .unmet)
        #expect(e.gaps.map(\.type).contains(.registrationMissing))
        #expect(outcome(e, "dea-gated") == .notApplicable)
    }
}
