import Foundation
import RuleBase
import RuleCompiler
import Testing

/// Golden cases: `Cases/<case>/pack.yaml` compiled and rendered as `check` prints diagnostics
/// (human format, no color, with the summary line) must equal `Cases/<case>/expected.txt`.
/// Set `RECORD_GOLDENS=1` to rewrite the expected files (the test then fails, so a recording is
/// never mistaken for a pass).
@Suite struct GoldenTests {
    static let casesRoot = Support.root.appendingPathComponent("Cases")

    static var caseNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: casesRoot.path)) ?? []).sorted()
    }

    @Test(arguments: caseNames)
    func golden(_ name: String) throws {
        let folder = Self.casesRoot.appendingPathComponent(name)
        let text = try String(contentsOf: folder.appendingPathComponent("pack.yaml"), encoding: .utf8)
        let result = PackCompiler.compileSet([PackInput(path: "pack.yaml", bytes: Array(text.utf8))])
        let actual = HumanDiagnosticRenderer.render(result.diagnostics, files: result.files) + diagnosticSummary(result.diagnostics) + "\n"
        let expectedURL = folder.appendingPathComponent("expected.txt")
        if ProcessInfo.processInfo.environment["RECORD_GOLDENS"] == "1" {
            try actual.write(to: expectedURL, atomically: true, encoding: .utf8)
            Issue.record("recorded \(name)")
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(actual == expected, "golden \(name) differs:\n\(actual)")
    }

    @Test func everyCaseHasAnExpectation() {
        #expect(Self.caseNames.count >= 15)
        for name in Self.caseNames {
            #expect(FileManager.default.fileExists(atPath: Self.casesRoot.appendingPathComponent("\(name)/expected.txt").path), "\(name)")
        }
    }
}
