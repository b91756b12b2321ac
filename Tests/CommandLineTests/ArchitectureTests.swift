import Foundation
import Testing

/// Each module imports only the stages before it (STYLE §2.3): the engine never sees the YAML
/// side, so replay needs only the IR; libyaml is reached only through RuleYAML.
@Suite struct ArchitectureTests {
    static let allowed: [String: Set<String>] = [
        "RuleBase": ["Glibc", "Darwin"],
        "RuleYAML": ["RuleBase", "CYAML"],
        "RuleSyntax": ["RuleBase", "RuleYAML"],
        "RuleExpressions": ["RuleBase", "Foundation"],
        "RuleIR": ["RuleBase", "Crypto"],
        "RuleCompiler": ["RuleBase", "RuleYAML", "RuleSyntax", "RuleExpressions", "RuleIR"],
        "RuleEngine": ["RuleBase", "RuleExpressions", "RuleIR"],
        // libpq only through RuleStore; the store never sees the compiler.
        "RuleStore": ["RuleBase", "CLibPQ", "Crypto", "Foundation"],
        "RuleTestSupport": [],
        "credrules": ["ArgumentParser", "Dispatch", "Foundation", "RuleBase", "RuleCompiler", "RuleEngine", "RuleExpressions", "RuleIR", "RuleStore"],
    ]

    @Test func importsPointOneWay() throws {
        let sources = CLI.repositoryRoot.appendingPathComponent("Sources")
        for (module, allowed) in Self.allowed.sorted(by: { $0.key < $1.key }) {
            let folder = sources.appendingPathComponent(module)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty, "no sources in \(module)")
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ")
                    guard let importIndex = words.firstIndex(of: "import"), importIndex + 1 < words.count,
                          words[..<importIndex].allSatisfy({ ["public", "internal", "@testable", "@_exported"].contains($0) })
                    else { continue }
                    let imported = String(words[importIndex + 1])
                    #expect(allowed.contains(imported), "\(module)/\(file) imports \(imported), which \(module) may not use")
                }
            }
        }
    }
}
