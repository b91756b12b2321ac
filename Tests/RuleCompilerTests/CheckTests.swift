import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// Unit checks asserting id, position and help of single diagnostics, plus set-level checks.
@Suite struct CheckTests {
    struct Expected: Sendable, CustomStringConvertible {
        let old: String, new: String, id: String, line: Int, column: Int, help: String?
        var description: String { id }
    }

    static let cases: [Expected] = [
        Expected(old: "categories: [ethics]", new: "categories: [ethcs]", id: "pack.unknownCategory", line: 30, column: 18, help: "did you mean `ethics`?"),
        Expected(old: "hours: params.total_hours", new: "hours: params.totl_hours", id: "pack.undefinedParameter", line: 26, column: 12,
                 help: "did you mean `params.total_hours`?"),
        Expected(old: "    cite: license\n", new: "    cite: licence\n", id: "pack.undefinedCitation", line: 23, column: 11, help: "did you mean `license`?"),
        Expected(old: "effective: {from: 2025-01-01}", new: "effective: {from: 2025-02-30}", id: "pack.wrongType", line: 8, column: 19, help: nil),
        Expected(old: "when: provider.direct_patient_care", new: "when: provider.direct_patient_care == 1", id: "expr.typeError",
                 line: 38, column: 40, help: nil),
        Expected(old: "when: provider.direct_patient_care", new: "when: cycle.renewal_numbr > 1", id: "expr.undeclaredReference",
                 line: 38, column: 11, help: "did you mean `cycle.renewal_number`?"),
        Expected(old: "except: [license-current]", new: "except: [licence-current]", id: "pack.undefinedRequirement", line: 44, column: 14,
                 help: "did you mean `license-current`?"),
        Expected(old: "cadence: {renewals: [1, 2], then_every: 4}", new: "cadence: {renewals: [0]}", id: "pack.neverApplies",
                 line: 37, column: 26, help: "the first expiration after licensure is renewal 1"),
    ]

    @Test func misspelledKeyIsReportedOnceAndReadAsIntended() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant("requirements:", "requirments:"))
        #expect(version == nil)
        #expect(diagnostics.map(\.id) == ["pack.unknownKey"], "\(diagnostics)")
        #expect(diagnostics.first?.help == "did you mean `requirements`?")
        // The section's contents are still checked under the intended key.
        let (_, inner) = Support.compile(try Support.validVariant("requirements:", "requirments:").replacingOccurrences(of: "categories: [ethics]", with: "categories: [ethcs]"))
        #expect(inner.map(\.id).sorted() == ["pack.unknownCategory", "pack.unknownKey"], "\(inner)")
    }

    @Test func missingCitationsAreReportedOnce() throws {
        let text = try Support.validVariant("""
            citations:
              cme: "22 Tex. Admin. Code §166.2"
              opioid:
                text: "Tex. Occ. Code §156.055"
                confidence: V
              license: 22 Tex. Admin. Code §166.1

            """, "")
        let (_, diagnostics) = Support.compile(text)
        #expect(diagnostics.map(\.id) == ["pack.missingKey"], "\(diagnostics)")
    }

    @Test func parametersOfTheWrongShapeAreReportedOnce() throws {
        let text = try Support.validVariant("""
            parameters:
              total_hours:
                type: int
                values: {2019-09-01: 48}

            """, "parameters: [total_hours]\n")
        let (_, diagnostics) = Support.compile(text)
        #expect(diagnostics.map(\.id) == ["pack.wrongType"], "\(diagnostics)")
    }

    @Test func misspelledKeyBesideTheRealOneIsNotRecovered() throws {
        let (_, diagnostics) = Support.compile(try Support.validVariant("    categories: [ethics]\n", "    categories: [ethics]\n    categorie: [general]\n"))
        #expect(diagnostics.map(\.id) == ["pack.unknownKey"], "\(diagnostics)")
    }

    @Test func misspelledKeyInARequirementDoesNotAlsoReportItMissing() throws {
        let (_, diagnostics) = Support.compile(try Support.validVariant("    hours: 2\n    cite: cme\n  - id: opioid", "    houres: 2\n    cite: cme\n  - id: opioid"))
        #expect(diagnostics.map(\.id) == ["pack.unknownKey"], "\(diagnostics)")
    }

    @Test func exemptAllKeepsTheCredentialRequirement() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant("    except: [license-current]\n", ""))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let exemption = try #require(version?.exemptions.first)
        #expect(exemption.except == ["license-current"])
        #expect(!exemption.covers("license-current"))
        #expect(exemption.covers("cme-total"))
    }

    @Test func credentialRequirementIsExemptedWhenNamed() throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(
            "    exempts: all\n    except: [license-current]\n", "    exempts: [license-current, cme-total]\n"))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(version?.exemptions.first?.covers("license-current") == true)
    }

    @Test func invalidPackIdentity() throws {
        let (_, diagnostics) = Support.compile(try Support.validVariant("pack: US-TX/physician-license", "pack: US-TX physician license"))
        let d = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(d.id == "pack.invalidID")
        #expect(d.span?.start == SourceLocation(line: 2, column: 7))
    }

    @Test(arguments: cases)
    func diagnosticAtPosition(_ c: Expected) throws {
        let (version, diagnostics) = Support.compile(try Support.validVariant(c.old, c.new))
        #expect(version == nil)
        let d = try #require(diagnostics.first { $0.id == c.id }, "\(diagnostics)")
        #expect(d.span?.start == SourceLocation(line: c.line, column: c.column))
        #expect(d.help == c.help)
    }

    static func pack(version: Int, from: String, to: String?) -> PackInput {
        let text = (try? Support.fixture("valid.yaml")) ?? ""
        let range = to.map { "{from: \(from), to: \($0)}" } ?? "{from: \(from)}"
        let replaced = text.replacingOccurrences(of: "version: 1", with: "version: \(version)")
            .replacingOccurrences(of: "effective: {from: 2025-01-01}", with: "effective: \(range)")
            .replacingOccurrences(of: "as_of: 2026-12-15", with: "as_of: \(from)")  // a test dated within the version
        return PackInput(path: "v\(version).yaml", bytes: Array(replaced.utf8))
    }

    @Test func versionsThatMeetCompileCleanly() {
        let result = PackCompiler.compileSet([Self.pack(version: 1, from: "2020-01-01", to: "2024-12-31"), Self.pack(version: 2, from: "2025-01-01", to: nil)])
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics)")
        #expect(result.packs.map(\.ruleVersion.version) == [1, 2])
    }

    @Test func overlappingVersions() throws {
        let result = PackCompiler.compileSet([Self.pack(version: 1, from: "2020-01-01", to: "2025-06-30"), Self.pack(version: 2, from: "2025-01-01", to: nil)])
        let d = try #require(result.diagnostics.first { $0.id == "pack.effectiveOverlap" })
        #expect(d.span?.path == "v2.yaml")
        #expect(d.span?.start.line == 8)
        #expect(d.help == "start version 2 on 2025-07-01")
        #expect(d.notes.first?.span?.path == "v1.yaml")
    }

    @Test func openEndedVersionFollowedByAnother() throws {
        let result = PackCompiler.compileSet([Self.pack(version: 1, from: "2020-01-01", to: nil), Self.pack(version: 2, from: "2025-01-01", to: nil)])
        let d = try #require(result.diagnostics.first { $0.id == "pack.effectiveOverlap" })
        #expect(d.help == "set `effective.to: 2024-12-31` in version 1")
    }

    @Test func gapBetweenVersions() throws {
        let result = PackCompiler.compileSet([Self.pack(version: 1, from: "2020-01-01", to: "2024-06-30"), Self.pack(version: 2, from: "2025-01-01", to: nil)])
        let d = try #require(result.diagnostics.first { $0.id == "pack.effectiveGap" })
        #expect(d.message.contains("from 2024-07-01 to 2024-12-31"))
    }

    @Test func duplicateVersionNumbers() {
        let result = PackCompiler.compileSet([Self.pack(version: 1, from: "2020-01-01", to: nil), PackInput(path: "w.yaml", bytes: Self.pack(version: 1, from: "2020-01-01", to: nil).bytes)])
        #expect(result.diagnostics.contains { $0.id == "pack.duplicateID" && $0.message.contains("version 1") })
    }

    @Test func escapedDoubleQuotedExpressionIsFlagged() throws {
        let (_, diagnostics) = Support.compile(try Support.validVariant("when: provider.direct_patient_care", "when: \"provider.direct_patient_care\\t\""))
        #expect(diagnostics.contains { $0.id == "pack.escapedExpression" && $0.severity == .warning })
    }

    @Test func referenceScannerSkipsStringLiterals() throws {
        let (version, _) = Support.compile(try Support.validVariant(
            "when: provider.direct_patient_care", "when: provider.direct_patient_care && 'provider.pain_clinic' != \"x\""))
        let v = try #require(version)
        #expect(v.requirements[3].when?.attributes == ["direct_patient_care"])
    }
}

@Suite struct RendererAndDiffTests {
    static let diagnostic = Diagnostic(
        id: "pack.unknownKey", message: "unknown key `houres`",
        span: SourceSpan(path: "p.yaml", start: SourceLocation(line: 2, column: 3), end: SourceLocation(line: 2, column: 9)),
        help: "did you mean `hours`?", notes: [.init("see here", span: SourceSpan(path: "p.yaml", start: SourceLocation(line: 1, column: 1)))])

    @Test func humanRendering() {
        let file = SourceFile(path: "p.yaml", text: "a: 1\n  houres: 2\n")
        let text = HumanDiagnosticRenderer.render([Self.diagnostic], files: ["p.yaml": file])
        #expect(text == """
            p.yaml:2:3: error[pack.unknownKey]: unknown key `houres`
             2 |   houres: 2
               |   ^~~~~~
              = help: did you mean `hours`?
            p.yaml:1:1: note: see here
             1 | a: 1
               | ^

            """)
        #expect(HumanDiagnosticRenderer.render([Self.diagnostic], files: ["p.yaml": file], color: true).contains("\u{1B}[31m"))
    }

    @Test func jsonRendering() {
        let json = JSONDiagnosticRenderer.render([Self.diagnostic])
        let first = json.arrayValue?.first
        #expect(first?["id"] == .string("pack.unknownKey"))
        #expect(first?["line"] == .int(2))
        #expect(first?["end_column"] == .int(9))
        #expect(first?["help"] == .string("did you mean `hours`?"))
    }

    @Test func sarifRendering() {
        let sarif = SARIFDiagnosticRenderer.render([Self.diagnostic])
        #expect(sarif["version"] == .string("2.1.0"))
        let result = sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue?.first
        #expect(result?["ruleId"] == .string("pack.unknownKey"))
        #expect(result?["level"] == .string("error"))
        let region = result?["locations"]?.arrayValue?.first?["physicalLocation"]?["region"]
        #expect(region?["startLine"] == .int(2))
        #expect(region?["startColumn"] == .int(3))
    }

    @Test func semanticDiffReportsFieldChanges() throws {
        let old = try #require(Support.compile(try Support.fixture("valid.yaml")).0)
        let newText = try Support.validVariant("    categories: [ethics]\n    hours: 2\n", "    categories: [ethics]\n    hours: 3\n")
            .replacingOccurrences(of: "{2019-09-01: 48}", with: "{2019-09-01: 48, 2026-01-01: 50}")
            .replacingOccurrences(of: "  - id: opioid\n", with: "  - id: opioid-rx\n")
            .replacingOccurrences(of: "not_applicable: [opioid]", with: "not_applicable: [opioid-rx]")
        let new = try #require(Support.compile(newText).0)
        let changes = RuleVersionDiff.diff(old: old, new: new)
        #expect(changes.contains { $0.section == "requirements" && $0.item == "cme-ethics" && $0.field == "hours" && $0.kind == .changed })
        #expect(changes.contains { $0.section == "parameters" && $0.item == "total_hours" && $0.field == "values" })
        #expect(changes.contains { $0.item == "opioid" && $0.kind == .removed })
        #expect(changes.contains { $0.item == "opioid-rx" && $0.kind == .added })
        #expect(RuleVersionDiff.diff(old: old, new: old).isEmpty)
        #expect(RuleVersionDiff.renderText(changes, old: old, new: new).contains("~ `cme-ethics` hours"))
    }
}
