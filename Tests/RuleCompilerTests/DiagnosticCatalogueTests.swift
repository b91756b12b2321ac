import Foundation
import RuleBase
import RuleCompiler
import Testing

/// `Grammar/diagnostics.md` and the code agree: every id the sources can report is documented,
/// every documented id is reported somewhere, and each documented id has an example input that
/// produces it with the documented severity, so a catalogue row whose meaning the code reports
/// under another id (a bad pack identity reported as `pack.wrongType` instead of
/// `pack.invalidID`) fails here.
@Suite struct DiagnosticCatalogueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func idsInSources(under folder: String = "Sources") throws -> Set<String> {
        var ids = Set<String>()
        let sources = root.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let pattern = try Regex(#""((?:yaml|pack|expr)\.[A-Za-z0-9]+)""#)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let id = match.output[1].substring { ids.insert(String(id)) }
            }
        }
        return ids
    }

    /// The catalogue's rows: id → documented severity.
    static func catalogue() throws -> [String: Severity] {
        let text = try String(contentsOf: root.appendingPathComponent("Grammar/diagnostics.md"), encoding: .utf8)
        let row = try Regex(#"^\| `((?:yaml|pack|expr)\.[A-Za-z0-9]+)` \| (error|warning|note) \|"#)
        var out: [String: Severity] = [:]
        for line in text.split(separator: "\n") {
            if let match = String(line).firstMatch(of: row), let id = match.output[1].substring, let severity = match.output[2].substring {
                out[String(id)] = Severity(rawValue: String(severity))
            }
        }
        return out
    }

    @Test func everyIdIsDocumented() throws {
        let catalogue = try Self.catalogue()
        let ids = try Self.idsInSources()
        #expect(ids.count > 30)
        for id in ids.sorted() {
            #expect(catalogue[id] != nil, "Grammar/diagnostics.md does not document \(id)")
        }
    }

    @Test func everyDocumentedIdIsReportedSomewhere() throws {
        let ids = try Self.idsInSources()
        for id in try Self.catalogue().keys.sorted() {
            #expect(ids.contains(id), "Grammar/diagnostics.md documents \(id), which no source file reports")
        }
    }

    /// Ids the compiler does not report itself: the command line reports them after running the
    /// engine on compiled packs (CommandLineTests cover them). Checked to be reported there.
    static let reportedByTheCommandLine: Set<String> = ["pack.testFailed", "pack.notEvaluable"]

    @Test func idsLeftToTheCommandLineAreReportedThere() throws {
        let ids = try Self.idsInSources(under: "Sources/credrules")
        for id in Self.reportedByTheCommandLine.sorted() { #expect(ids.contains(id), "\(id)") }
    }

    @Test func everyDocumentedIdHasAnExampleWithItsSeverity() throws {
        let examples = try CatalogueExamples.all()
        for (id, severity) in try Self.catalogue().sorted(by: { $0.key < $1.key }) where !Self.reportedByTheCommandLine.contains(id) {
            guard let inputs = examples[id] else {
                Issue.record("no example input for \(id): add one to CatalogueExamples")
                continue
            }
            let result = PackCompiler.compileSet(inputs)
            let found = result.diagnostics.filter { $0.id == id }
            #expect(!found.isEmpty, "the example for \(id) reports \(result.diagnostics.map(\.id))")
            #expect(found.allSatisfy { $0.severity == severity }, "\(id) is documented as \(severity)")
        }
        for id in examples.keys.sorted() { #expect(try Self.catalogue()[id] != nil, "example for undocumented \(id)") }
    }
}

/// One input per catalogue id that reports it (with the valid fixture as the starting point).
enum CatalogueExamples {
    static func text(_ s: String, path: String = "pack.yaml") -> [PackInput] { [PackInput(path: path, bytes: Array(s.utf8))] }

    static func variant(_ old: String, _ new: String) throws -> [PackInput] { text(try Support.validVariant(old, new)) }

    /// The valid fixture with `yaml` inserted as the first requirement.
    static func withRequirement(_ yaml: String) throws -> [PackInput] { try variant("requirements:\n", "requirements:\n" + yaml) }

    static func all() throws -> [String: [PackInput]] {
        let valid = try Support.fixture("valid.yaml")
        let nested = (0..<20).reduce("{date: 2026-01-01}") { inner, _ in "{earliest_of: [\(inner)]}" }
        let versions = { (from: String, to: String) in
            [PackInput(path: "v1.yaml", bytes: Array(valid.replacingOccurrences(of: "effective: {from: 2025-01-01}", with: "effective: {from: 2025-01-01, to: \(to)}")
                .replacingOccurrences(of: "as_of: 2026-12-15", with: "as_of: 2025-01-01").utf8)),
             PackInput(path: "v2.yaml", bytes: Array(valid.replacingOccurrences(of: "version: 1", with: "version: 2")
                .replacingOccurrences(of: "effective: {from: 2025-01-01}", with: "effective: {from: \(from)}")
                .replacingOccurrences(of: "as_of: 2026-12-15", with: "as_of: \(from)").utf8))]
        }
        return [
            "yaml.syntax": text("a: [1, 2\n"),
            "yaml.invalidUTF8": [PackInput(path: "pack.yaml", bytes: Array("a: ".utf8) + [0xFF, 0x0A])],
            "yaml.tooLarge": text(String(repeating: "#", count: 4 * 1024 * 1024 + 1)),
            "yaml.tooDeep": text(String(repeating: "[", count: 70)),
            "yaml.tooManyNodes": text("[" + String(repeating: "0,", count: 200_001) + "]"),
            "yaml.anchor": text("a: &x 1\n"),
            "yaml.alias": text("a: *x\n"),
            "yaml.tag": text("a: !!str 1\n"),
            "yaml.duplicateKey": text("a: 1\na: 2\n"),
            "yaml.nonScalarKey": text("? [a]\n: 1\n"),
            "yaml.multipleDocuments": text("a: 1\n---\nb: 2\n"),
            "yaml.empty": text(""),
            "pack.unknownKey": try variant("title:", "titel:"),
            "pack.missingKey": try variant("title: Texas physician license renewal\n", ""),
            "pack.conflictingKeys": try variant("cadence: {renewals: [1, 2], then_every: 4}", "cadence: {every: 2, from_renewal: 1}"),
            "pack.wrongType": try variant("effective: {from: 2025-01-01}", "effective: {from: 2025-02-30}"),
            "pack.unknownValue": try variant("credential: license", "credential: licence"),
            "pack.outOfRange": try variant("cycle: {months: 24}", "cycle: {months: 0}"),
            "pack.invalidID": try variant("pack: US-TX/physician-license", "pack: US-TX physician license"),
            "pack.duplicateID": try variant("  - id: cme-ethics", "  - id: cme-total"),
            "pack.tooDeep": try withRequirement("  - {id: deep, kind: one_time_training, hours: 1, cite: cme, deadline: \(nested)}\n"),
            "pack.undefinedCitation": try variant("    cite: license\n", "    cite: licence\n"),
            "pack.undefinedParameter": try variant("hours: params.total_hours", "hours: params.totl_hours"),
            "pack.undefinedRequirement": try variant("except: [license-current]", "except: [licence-current]"),
            "pack.unknownCategory": try variant("categories: [ethics]", "categories: [ethcs]"),
            "pack.unknownCreditType": try variant("    categories: [ethics]\n", "    categories: [ethics]\n    credit_types: [ama_pra_9]\n"),
            "pack.unknownSpecialty": try withRequirement("  - {id: boards, kind: certification_current, specialties: [astrology], cite: cme}\n"),
            "pack.unknownAttribute": try variant("when: provider.direct_patient_care", "when: provider.direct_patient_car"),
            "pack.effectiveRange": try variant("effective: {from: 2025-01-01}", "effective: {from: 2025-01-01, to: 2024-12-31}"),
            "pack.effectiveOverlap": versions("2025-06-01", "2025-12-31"),
            "pack.effectiveGap": versions("2027-01-01", "2025-12-31"),
            "pack.emptyExemption": try variant("    exempts: all\n    except: [license-current]\n", "    exempts: []\n"),
            "pack.emptyAlternative": try variant("exemptions:\n", "alternatives:\n  - {id: moc, when: 'true', satisfies: [], cite: cme}\nexemptions:\n"),
            "pack.alternativeForCredential": try variant(
                "exemptions:\n", "alternatives:\n  - {id: moc, when: 'true', satisfies: [license-current], cite: cme}\nexemptions:\n"),
            "pack.exemptionConflict": try variant("exemptions:\n", "exemptions:\n  - {id: also, when: 'true', exempts: [cme-total], cite: cme}\n"),
            "pack.neverApplies": try variant("cadence: {renewals: [1, 2], then_every: 4}", "cadence: {renewals: [0]}"),
            "pack.notApplicable": try variant("    exempts: all\n", "    exempts: [cme-total]\n"),
            "pack.noTests": text(String(valid[..<(valid.range(of: "tests:")?.lowerBound ?? valid.endIndex)])),
            "pack.unusedCitation": try variant("citations:\n", "citations:\n  spare: \"Spare §1\"\n"),
            "pack.unusedParameter": try variant("parameters:\n", "parameters:\n  spare: {type: int, values: {2020-01-01: 1}}\n"),
            "pack.unusedAttribute": try variant("cycle: {months: 24}\n", "attributes:\n  spare_fact: {type: bool, meaning: Unused}\ncycle: {months: 24}\n"),
            "pack.conflictingAttribute": try variant("cycle: {months: 24}\n", "attributes:\n  primary_care: {type: bool, meaning: Redeclared}\ncycle: {months: 24}\n"),
            "pack.escapedExpression": try variant("when: provider.direct_patient_care", "when: \"provider.direct_patient_care\\t\""),
            "pack.tooManyDiagnostics": try variant("title:", (0..<120).map { "zz\($0)q: 1\n" }.joined() + "title:"),
            "pack.testOutsideEffective": try variant("as_of: 2026-12-15", "as_of: 2024-12-15"),
            "pack.capNeverBinds": try variant("    hours: 2\n", "    hours: 2\n    caps: [{credit_types: [other], max_hours: 2}]\n"),
            "pack.expiryCycle": try variant("    cite: license\n", "    cite: license\n    expiry: {day: 09-30, years: even}\n").map {
                PackInput(path: $0.path, bytes: Array(String(decoding: $0.bytes, as: UTF8.self).replacingOccurrences(of: "months: 24", with: "months: 36").utf8))
            },
            "pack.surnameRanges": try variant("    cite: license\n", "    cite: license\n    expiry: {day: 09-30, surnames: {A-L: even, N-Z: odd}}\n"),
            "pack.proratedTwice": try variant(
                "    hours: params.total_hours\n",
                "    hours: \"cycle.months_licensed < 24 ? 24 : 48\"\n    prorate: {per_months: 24}\n"),
            "pack.graceTooLong": try variant("    cite: license\n", "    cite: license\n    grace: {months: 24, practice: allowed}\n"),
            "expr.syntax": try variant("when: provider.direct_patient_care", "when: provider.direct_patient_care &&"),
            "expr.undeclaredReference": try variant("when: provider.direct_patient_care", "when: cycle.renewal_numbr > 1"),
            "expr.typeError": try variant("when: provider.direct_patient_care", "when: provider.direct_patient_care == 1"),
            "expr.wrongResultType": try variant("when: provider.direct_patient_care", "when: cycle.renewal_number"),
            "expr.evaluation": try variant("when: provider.direct_patient_care", "when: 1 / 0 == 1"),
            "expr.unknownColumn": try variant("when: provider.direct_patient_care", "when: dea_registrations.exists(r, r.stat == credential.state)"),
            "pack.invalidFact": try variant("category: general", "category: generl"),
            "pack.notIssued": try variant("cycle: {months: 24}\n", "not_issued: [{credential: dea_registration, cite: license}]\ncycle: {months: 24}\n"),
            "pack.notIssuedButCovered": [PackInput(path: "license.yaml", bytes: Array(try Support.validVariant("cycle: {months: 24}\n", NotIssuedCheckTests.declaration).utf8)),
                                         NotIssuedCheckTests.csrPack(effective: "{from: 2010-01-01}")],
        ]
    }
}
