import RuleBase
import RuleYAML
import Testing

/// Input built to hurt a parser must end quickly with an error, not a crash, hang or blow-up.
@Suite struct HostileInputTests {
    private func timed<T>(_ body: () -> T) -> (T, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        let result = body()
        return (result, clock.now - start)
    }

    @Test func hundredThousandDeepFlowSequence() throws {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let ((root, diagnostics), elapsed) = timed { load(text) }
        #expect(root == nil)
        #expect(diagnostics.map(\.id) == ["yaml.tooDeep"])
        #expect(diagnostics.first?.message == "nesting deeper than 64 levels")
        #expect(diagnostics.first?.span?.start == loc(1, 65))
        #expect(elapsed < .seconds(1))
    }

    @Test func deepBlockNesting() {
        var text = ""
        for depth in 0..<200 { text += String(repeating: " ", count: depth) + "k:\n" }
        let (root, diagnostics) = load(text)
        #expect(root == nil)
        #expect(diagnostics.map(\.id) == ["yaml.tooDeep"])
        // The 65th mapping (line 65, indented 64) is one too many.
        #expect(diagnostics.first?.span?.start == loc(65, 65))
        // A higher limit accepts it.
        let limits = YAMLLoader.Limits(maximumBytes: 1 << 20, maximumDepth: 200, maximumNodes: 10_000, maximumScalarBytes: 1 << 20)
        #expect(load(text, limits: limits).diagnostics.isEmpty)
    }

    @Test func billionLaughsStopsAtTheFirstAlias() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (name, previous) in zip("bcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxy") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        let ((root, diagnostics), elapsed) = timed { load(text) }
        #expect(root == nil)
        #expect(diagnostics.map(\.id) == ["yaml.anchor", "yaml.anchor", "yaml.alias"])
        #expect(diagnostics.last?.span?.start == loc(2, 8))
        #expect(elapsed < .seconds(1))
    }

    @Test func seventyMegabytesIsRejectedBeforeParsing() {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 70 * 1024 * 1024)
        let (result, elapsed) = timed { load(bytes: bytes) }
        #expect(result.file == nil)
        #expect(result.root == nil)
        #expect(result.diagnostics.map(\.id) == ["yaml.tooLarge"])
        #expect(result.diagnostics.first?.message == "file is 73400320 bytes; rule packs are limited to 4194304 bytes")
        #expect(elapsed < .seconds(1))
    }

    @Test func tooManyNodes() {
        let text = "[" + Array(repeating: "a", count: 5_000).joined(separator: ",") + "]"
        let limits = YAMLLoader.Limits(maximumBytes: 1 << 20, maximumDepth: 64, maximumNodes: 1_000, maximumScalarBytes: 1 << 20)
        let (root, diagnostics) = load(text, limits: limits)
        #expect(root == nil)
        #expect(diagnostics.map(\.id) == ["yaml.tooManyNodes"])
        #expect(diagnostics.first?.span?.start == loc(1, 2000))
    }

    @Test func scalarTooLarge() {
        let limits = YAMLLoader.Limits(maximumBytes: 1 << 20, maximumDepth: 64, maximumNodes: 1_000, maximumScalarBytes: 100)
        let diagnostics = load("a: " + String(repeating: "x", count: 101), limits: limits).diagnostics
        #expect(diagnostics.map(\.id) == ["yaml.tooLarge"])
        #expect(load("a: " + String(repeating: "x", count: 100), limits: limits).diagnostics.isEmpty)
    }

    @Test func sourceFileOverTheLimit() {
        let limits = YAMLLoader.Limits(maximumBytes: 10, maximumDepth: 64, maximumNodes: 1_000, maximumScalarBytes: 100)
        #expect(load("a: 12345678\n", limits: limits).diagnostics.map(\.id) == ["yaml.tooLarge"])
    }

    @Test func manyDiagnosticsAreCapped() {
        // Every key duplicated: the sink keeps 100 and counts the rest.
        let text = (0..<500).map { _ in "k: 1\n" }.joined()
        var sink = DiagnosticSink()
        _ = YAMLLoader.load(SourceFile(path: "t.yaml", text: text), into: &sink)
        #expect(sink.diagnostics.count == DiagnosticSink.limit)
        #expect(sink.dropped == 399)
    }
}
