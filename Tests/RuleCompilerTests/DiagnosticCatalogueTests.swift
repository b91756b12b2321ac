import Foundation
import Testing

/// `Grammar/diagnostics.md` lists every diagnostic id the sources can report.
@Suite struct DiagnosticCatalogueTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func idsInSources() throws -> Set<String> {
        var ids = Set<String>()
        let sources = root.appendingPathComponent("Sources")
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

    @Test func everyIdIsDocumented() throws {
        let catalogue = try String(contentsOf: Self.root.appendingPathComponent("Grammar/diagnostics.md"), encoding: .utf8)
        let ids = try Self.idsInSources()
        #expect(ids.count > 30)
        for id in ids.sorted() {
            #expect(catalogue.contains("`\(id)`"), "Grammar/diagnostics.md does not document \(id)")
        }
    }
}
