import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `consequence:` on a requirement (`Grammar/pack-language.md` §3.13): what compiles, and the misuses.
@Suite struct ConsequenceCheckTests {
    func compile(_ consequence: String, after anchor: String = "    hours: params.total_hours\n") throws -> (RuleVersion?, [Diagnostic]) {
        Support.compile(try Support.validVariant(anchor, anchor + "    consequence: \(consequence)\n"))
    }

    @Test func consequenceCompilesIntoTheRequirement() throws {
        let (version, diagnostics) = try compile("{becomes: inactive, cite: license}")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let requirement = try #require(version?.requirements.first { $0.id == "cme-total" })
        #expect(requirement.consequence == Consequence(becomes: .inactive, cite: "license"))
        // The other requirements have none, and absent is absent from the bytes.
        #expect(version?.requirements.filter { $0.consequence != nil }.count == 1)
        #expect(try #require(version).canonicalJSON.contains(#""consequence":{"becomes":"inactive","cite":"license"}"#))
    }

    @Test func onCredentialCurrentAndWithoutCite() throws {
        let (version, diagnostics) = try compile("{becomes: revoked}", after: "    cite: license\n")
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        #expect(version?.requirements.first?.consequence == Consequence(becomes: .revoked, cite: nil))
    }

    @Test func roundTripsThroughCanonicalJSON() throws {
        let (compiled, _) = try compile("{becomes: suspended, cite: cme}")
        let version = try #require(compiled)
        #expect(try RuleVersion(jsonText: version.canonicalJSON) == version)
    }

    @Test(arguments: [
        ("{becomes: lapsed}", "pack.unknownValue"),
        ("{cite: license}", "pack.missingKey"),
        ("{becomes: inactive, cite: nowhere}", "pack.undefinedCitation"),
        ("{becomes: inactive, when: true}", "pack.unknownKey"),
        ("inactive", "pack.wrongType"),
    ])
    func misuseIsAnError(consequence: String, id: String) throws {
        let (version, diagnostics) = try compile(consequence)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id) == [id], "\(diagnostics)")
    }
}
