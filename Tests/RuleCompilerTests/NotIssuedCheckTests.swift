import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// `not_issued` (Grammar/pack-language.md §2.1): what a pack may declare its state does not
/// issue, and the contradiction with a pack for that credential.
@Suite struct NotIssuedCheckTests {
    static let declaration = "not_issued:\n  - {credential: csr_certificate, cite: license}\ncycle: {months: 24}\n"
    static func declaring(_ entries: String) throws -> String {
        try Support.validVariant("cycle: {months: 24}\n", "not_issued:\n\(entries)cycle: {months: 24}\n")
    }
    static func csrPack(effective: String) -> PackInput {
        PackInput(path: "csr.yaml", bytes: Array("""
            pack: US-TX/csr-registration
            version: 1
            title: Texas controlled-substances registration
            authority: Texas Department of Public Safety
            credential: csr_certificate
            applies_to: {state: TX}
            effective: \(effective)
            citations:
              csr: Tex. Health & Safety Code §481.061
            cycle: {months: 12}
            requirements:
              - {id: csr-current, kind: credential_current, cite: csr}
            tests: []

            """.utf8))
    }

    @Test func aDeclarationCompilesIntoTheRuleVersionAndBackAndIsAbsentOtherwise() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant("cycle: {months: 24}\n", Self.declaration))
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics.map(\.message))")
        let compiled = try #require(version)
        #expect(compiled.notIssued == [NotIssued(credential: .csrCertificate, cite: "license")])
        #expect(compiled.canonicalJSON.contains(#""not_issued":[{"cite":"license","credential":"csr_certificate"}]"#))
        #expect(try RuleVersion(jsonText: compiled.canonicalJSON) == compiled)
        // A pack without the key keeps its bytes: no empty member.
        let plain = try #require(Support.compile(try Support.fixture("valid.yaml")).0)
        #expect(plain.notIssued.isEmpty && !plain.canonicalJSON.contains("not_issued"))
    }

    @Test(arguments: [
        ("  - {credential: license, cite: license}\n", "every jurisdiction licenses physicians"),
        ("  - {credential: dea_registration, cite: license}\n", "DEA registrations are federal"),
        ("  - {credential: board_certification, cite: license}\n", "board certifications are national"),
        ("  - {credential: csr_certificate, cite: license}\n  - {credential: csr_certificate, cite: cme}\n", "declared not issued twice"),
    ])
    func whatNoStateCanWithholdIsRefused(entries: String, message: String) throws {
        let diagnostics = Support.compile(try Self.declaring(entries)).1.filter { $0.id == "pack.notIssued" }
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics.map(\.message))")
    }

    @Test func aDeclarationNeedsAStateACitationAndAnotherCredential() throws {
        let stateless = try Self.declaring("  - {credential: csr_certificate, cite: license}\n")
            .replacingOccurrences(of: "applies_to: {state: TX, license_types: [MD, DO]}", with: "applies_to: {license_types: [MD, DO]}")
        #expect(Support.compile(stateless).1.contains { $0.id == "pack.notIssued" && $0.message.contains("needs the pack's state") })
        #expect(Support.compile(try Self.declaring("  - {credential: csr_certificate, cite: licence}\n")).1.map(\.id).contains("pack.undefinedCitation"))
        #expect(Support.compile(try Self.declaring("  - {credential: csr, cite: license}\n")).1.map(\.id).contains("pack.unknownValue"))
        #expect(Support.compile(try Self.declaring("  - {cite: license}\n")).1.map(\.id).contains("pack.missingKey"))
        let own = String(decoding: Self.csrPack(effective: "{from: 2010-01-01}").bytes, as: UTF8.self)
            .replacingOccurrences(of: "tests: []", with: "not_issued: [{credential: csr_certificate, cite: csr}]\ntests: []")
        #expect(Support.compile(own).1.contains { $0.id == "pack.notIssued" && $0.message.contains("its own credential") })
    }

    @Test func aDeclarationContradictedByAPackInForceOnTheSameDaysIsAnError() throws {
        let license = PackInput(path: "license.yaml", bytes: Array(try Support.validVariant("cycle: {months: 24}\n", Self.declaration).utf8))
        let clash = PackCompiler.compileSet([license, Self.csrPack(effective: "{from: 2010-01-01}")]).diagnostics.filter { $0.id == "pack.notIssuedButCovered" }
        #expect(clash.count == 1)
        #expect(clash.first?.message == "`US-TX/physician-license@1` says US-TX issues no `csr_certificate`, but `US-TX/csr-registration@1` evaluates one in force on some of the same days")
        #expect(clash.first?.span?.path == "license.yaml" && clash.first?.notes.first?.span?.path == "csr.yaml")
        // The registration abolished before the license pack's version starts: no contradiction.
        let history = PackCompiler.compileSet([license, Self.csrPack(effective: "{from: 2010-01-01, to: 2016-08-31}")])
        #expect(!history.diagnostics.contains { $0.id == "pack.notIssuedButCovered" }, "\(history.diagnostics.map(\.message))")
    }
}
