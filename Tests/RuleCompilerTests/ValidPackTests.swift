import RuleBase
import RuleCompiler
import RuleIR
import Testing

@Suite struct ValidPackTests {
    @Test func validPackCompilesCleanly() throws {
        let (version, diagnostics) = Support.compile(try Support.fixture("valid.yaml"))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let v = try #require(version)
        #expect(v.id == "US-TX/physician-license@1")
        #expect(v.citations.map(\.id) == ["cme", "license", "opioid"])
        #expect(v.attributes.map(\.key) == ["direct_patient_care", "in_residency"])
        #expect(v.requirements.map(\.id) == ["license-current", "cme-total", "cme-ethics", "opioid"])
        #expect(v.requirements[0].severity == .critical)
        #expect(v.requirements[1].hours == .expression(Expression(source: "params.total_hours", type: "int", attributes: [])))
        #expect(v.requirements[2].gapType == .cmeCategoryShort)
        #expect(v.requirements[3].when?.attributes == ["direct_patient_care"])
        #expect(v.requirements[3].cadence == Cadence(renewals: [1, 2], thenEvery: 4, fromRenewal: nil))
        #expect(v.exemptions.first?.exempts == nil)
        #expect(v.exemptions.first?.except == ["license-current"])
        let test = try #require(v.tests.first)
        #expect(test.expect.met == ["cme-total", "license-current"])
        #expect(test.facts["licenses"]?.arrayValue?.first?["provider_id"] == .string("test-provider"))
        #expect(test.facts["cme_events"]?.arrayValue?.first?["credits_earned"] == .number("48"))
        #expect(test.facts["provider_attributes"]?.arrayValue?.first?["value"] == .bool(false))
        #expect(test.facts["licenses"]?.arrayValue?.first?["issue_date"] == .string("2015-03-01"))
    }

    @Test func compilingTwiceGivesTheSameBytes() throws {
        let text = try Support.fixture("valid.yaml")
        let a = try #require(Support.compile(text).0)
        let b = try #require(Support.compile(text).0)
        #expect(a.canonicalJSON == b.canonicalJSON)
        #expect(a.hash == b.hash)
    }

    @Test func commentsAndKeyOrderDoNotChangeTheBytes() throws {
        let text = try Support.fixture("valid.yaml")
        let reordered = text
            .replacingOccurrences(of: "title: Texas physician license renewal\nauthority: Texas Medical Board\n",
                                  with: "authority: Texas Medical Board   # the board\n# a comment line\ntitle: Texas physician license renewal\n")
            .replacingOccurrences(of: "    categories: [ethics]\n    hours: 2\n", with: "    hours: 2\n    categories: [ethics]\n")
            .replacingOccurrences(of: "  cme: \"22 Tex. Admin. Code §166.2\"\n", with: "")
            .replacingOccurrences(of: "  license: 22 Tex. Admin. Code §166.1\n", with: "  license: 22 Tex. Admin. Code §166.1\n  cme: \"22 Tex. Admin. Code §166.2\"\n")
        #expect(reordered != text)
        let a = try #require(Support.compile(text).0)
        let b = try #require(Support.compile(reordered).0)
        #expect(a.canonicalJSON == b.canonicalJSON)
    }

    @Test func ruleVersionRoundTripsThroughJSON() throws {
        let v = try #require(Support.compile(try Support.fixture("valid.yaml")).0)
        let decoded = try RuleVersion(jsonText: v.canonicalJSON)
        #expect(decoded.canonicalJSON == v.canonicalJSON)
    }

    @Test func declaredVariablesMatchTheGrammar() {
        let names = ExpressionVariables.declarations(parameters: [Parameter(name: "total_hours", type: .int, values: [])],
                                                     attributes: ProviderAttributes.table).map(\.name)
        #expect(names.contains("params.total_hours"))
        #expect(names.contains("provider.direct_patient_care"))
        #expect(names.contains("cycle.months_licensed"))
        #expect(names.contains("cme_events"))
        #expect(PackEnvironment.make(parameters: []).variables.count == ExpressionVariables.fixed.count + ProviderAttributes.table.count)
    }
}
