
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

