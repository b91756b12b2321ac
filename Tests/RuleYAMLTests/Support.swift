import RuleBase
import RuleYAML

/// Loads `text` as `test.yaml` and returns the root and the diagnostics.
func load(_ text: String, limits: YAMLLoader.Limits = .init()) -> (root: YAMLNode?, diagnostics: [Diagnostic]) {
    var sink = DiagnosticSink()
    let root = YAMLLoader.load(SourceFile(path: "test.yaml", text: text), limits: limits, into: &sink)
    return (root, sink.diagnostics)
}

/// Loads raw bytes as `test.yaml`.
func load(bytes: [UInt8], limits: YAMLLoader.Limits = .init()) -> (file: SourceFile?, root: YAMLNode?, diagnostics: [Diagnostic]) {
    var sink = DiagnosticSink()
    let (file, root) = YAMLLoader.load(path: "test.yaml", bytes: bytes, limits: limits, into: &sink)
    return (file, root, sink.diagnostics)
}

/// Follows a path of mapping keys and sequence indexes ("rules", 0, "when").
func node(_ root: YAMLNode?, _ path: Any...) -> YAMLNode? {
    var current = root
    for step in path {
        if let key = step as? String {
            current = current?.value(forKey: key)
        } else if let index = step as? Int, let items = current?.sequence, index < items.count {
            current = items[index]
        } else {
            return nil
        }
    }
    return current
}

func loc(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(line: line, column: column) }

/// A deterministic pseudo-random generator (SplitMix64), so fuzz runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
