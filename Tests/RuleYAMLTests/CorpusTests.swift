import Foundation
import RuleBase
import RuleYAML
import Testing

/// Regression corpus: each file in `Corpus/` with the diagnostic ids it must produce, as
/// listed in `Corpus/expected.txt`. Files are found next to this source file rather than as
/// bundle resources, so the package manifest needs no resource rules.
@Suite struct CorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    static func expectations() -> [(name: String, ids: Set<String>)] {
        guard let text = try? String(contentsOf: corpus.appendingPathComponent("expected.txt"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { return nil }
            let ids = line[line.index(after: colon)...].split(separator: " ").map(String.init)
            return (String(line[..<colon]), Set(ids))
        }
    }

    @Test func everyCorpusFileIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".yaml") }
        let listed = Set(Self.expectations().map(\.name))
        #expect(listed.count >= 20)
        #expect(Set(files) == listed)
    }

    @Test(arguments: CorpusTests.expectations().map(\.name))
    func corpusFile(_ name: String) throws {
        let expected = try #require(Self.expectations().first { $0.name == name }).ids
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(name)))
        var sink = DiagnosticSink()
        let (file, root) = YAMLLoader.load(path: name, bytes: bytes, into: &sink)
        #expect(Set(sink.diagnostics.map(\.id)) == expected, "\(sink.diagnostics.map { "\($0.span?.start.description ?? "-") \($0.message)" })")
        #expect((root != nil) == expected.isEmpty)
        for diagnostic in sink.diagnostics {
            let span = try #require(diagnostic.span)
            #expect(span.path == name)
            #expect(file.flatMap { $0.utf8Offset(of: span.start) } != nil, "\(diagnostic.id) at \(span.start) is outside \(name)")
        }
    }
}
