import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// Provider attributes a pack declares itself (`attributes:`, `Grammar/pack-language.md` §7.1).
@Suite struct DeclaredAttributeTests {
    /// The valid fixture with `attributes` declared and `when` on the opioid requirement replaced.
    func pack(_ attributes: String, when: String = "provider.practises_in_texas") throws -> String {
        try Support.validVariant("cycle: {months: 24}\n", "attributes:\n\(attributes)cycle: {months: 24}\n")
            .replacingOccurrences(of: "when: provider.direct_patient_care\n", with: "when: \(when)\n")
    }

    static let declared = "  practises_in_texas: {type: bool, meaning: \"Practises in Texas (Occ. Code §0)\", default: true}\n"

    @Test func aDeclaredAttributeIsTypedDefaultedAndKeptWithItsMeaning() throws {
        let (version, diagnostics) = Support.compile(try pack(Self.declared))
        #expect(diagnostics.filter { $0.severity == .error }.isEmpty, "\(diagnostics)")
        let declaration = try #require(version?.attributes.first { $0.key == "practises_in_texas" })
        #expect(declaration.type == .bool)
        #expect(declaration.defaultValue == .bool(true))
        #expect(declaration.meaning == "Practises in Texas (Occ. Code §0)")
        // Its meaning is in the bytes; the shared attribute's declaration carries none.
        let json = try #require(version).canonicalJSON
        #expect(json.contains(#"{"default":true,"key":"practises_in_texas","meaning":"Practises in Texas (Occ. Code §0)","type":"bool"}"#))
        #expect(json.contains(#"{"default":false,"key":"in_residency","type":"bool"}"#))
        #expect(try RuleVersion(jsonText: json) == version)
    }

    @Test func testFactsAreCheckedAgainstTheDeclaration() throws {
        let text = try pack(Self.declared).replacingOccurrences(
            of: "provider_attributes: [{key: direct_patient_care, value: false}]",
            with: "provider_attributes: [{key: practises_in_texas, value: \"no\"}]")
        let (version, diagnostics) = Support.compile(text)
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id) == ["pack.wrongType"], "\(diagnostics)")
    }

    @Test func aTypoInTheReadingIsAnUnknownAttribute() throws {
        let (version, diagnostics) = Support.compile(try pack(Self.declared, when: "provider.practises_in_texs"))
        #expect(version == nil)
        let error = try #require(diagnostics.first { $0.severity == .error })
        #expect(error.id == "pack.unknownAttribute")
        #expect(error.help == "did you mean `provider.practises_in_texas`?")
    }

    @Test(arguments: [
        ("  practises_in_texas: {type: boolean, meaning: x}\n", "pack.unknownValue"),
        ("  practises_in_texas: {type: bool}\n", "pack.missingKey"),
        ("  practises_in_texas: {meaning: x}\n", "pack.missingKey"),
        ("  practises_in_texas: {type: bool, meaning: \" \"}\n", "pack.missingKey"),
        ("  practises_in_texas: {type: bool, meaning: x, default: 3}\n", "pack.wrongType"),
        ("  practises_in_texas: {type: bool, meaning: x, values: [a]}\n", "pack.unknownKey"),
        ("  Practises-In-Texas: {type: bool, meaning: x}\n", "pack.invalidID"),
        ("  primary_care: {type: bool, meaning: x}\n", "pack.conflictingAttribute"),
    ])
    func misuseIsAnError(attributes: String, id: String) throws {
        let (version, diagnostics) = Support.compile(try pack(attributes, when: "true"))
        #expect(version == nil)
        #expect(diagnostics.filter { $0.severity == .error }.map(\.id).first == id, "\(diagnostics)")
    }

    @Test func anUnreadDeclarationIsAWarningAndLeftOutOfTheVersion() throws {
        let (version, diagnostics) = Support.compile(try pack(Self.declared, when: "provider.direct_patient_care"))
        #expect(diagnostics.map(\.id) == ["pack.unusedAttribute"])
        #expect(version?.attributes.contains { $0.key == "practises_in_texas" } == false)
    }

    @Test func twoPacksDeclaringOneKeyDifferentlyConflict() throws {
        let first = try pack(Self.declared)
        let second = first.replacingOccurrences(of: "pack: US-TX/physician-license", with: "pack: US-TX/other-license")
            .replacingOccurrences(of: "default: true}", with: "default: false}")
        let result = PackCompiler.compileSet([
            PackInput(path: "a.yaml", bytes: Array(first.utf8)), PackInput(path: "b.yaml", bytes: Array(second.utf8)),
        ])
        let conflict = try #require(result.diagnostics.first { $0.id == "pack.conflictingAttribute" })
        #expect(conflict.message == "`US-TX/physician-license` declares attribute `practises_in_texas` as bool with default true; "
            + "`US-TX/other-license` declares it as bool with default false")
        #expect(conflict.notes.first?.message == "declared here")
        // The same declaration twice is one attribute.
        let same = first.replacingOccurrences(of: "pack: US-TX/physician-license", with: "pack: US-TX/other-license")
        let agreed = PackCompiler.compileSet([
            PackInput(path: "a.yaml", bytes: Array(first.utf8)), PackInput(path: "b.yaml", bytes: Array(same.utf8)),
        ])
        #expect(!agreed.diagnostics.contains { $0.id == "pack.conflictingAttribute" })
    }
}
