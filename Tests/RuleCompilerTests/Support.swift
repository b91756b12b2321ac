import Foundation
import RuleBase
import RuleCompiler
import RuleIR
import Testing

/// Test helpers: fixture loading and compile-and-render.
enum Support {
    /// The folder of this test target's sources.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    static func fixture(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("Fixtures/\(name)"), encoding: .utf8)
    }

    /// Compiles `text` as `path`; returns the version and all diagnostics.
    static func compile(_ text: String, path: String = "pack.yaml") -> (RuleVersion?, [Diagnostic]) {
        var sink = DiagnosticSink()
        let version = PackCompiler.compile(path: path, text: text, into: &sink)
        return (version, sink.diagnostics)
    }

    /// Compiles and renders human diagnostics, as `check` prints them (without the summary).
    static func render(_ text: String, path: String = "pack.yaml") -> String {
        let result = PackCompiler.compileSet([PackInput(path: path, bytes: Array(text.utf8))])
        return HumanDiagnosticRenderer.render(result.diagnostics, files: result.files)
    }

    /// Replaces the first occurrence of `old` in the valid fixture.
    static func validVariant(_ old: String, _ new: String) throws -> String {
        let text = try fixture("valid.yaml")
        guard let range = text.range(of: old) else {
            Issue.record("fixture has no `\(old)`")
            return text
        }
        return text.replacingCharacters(in: range, with: new)
    }
}
