// libFuzzer entry point for the YAML front end; see README.md for the build command.
import RuleBase
import RuleYAML

/// Feeds arbitrary bytes through the same path the command-line tool uses and checks that
/// every failure comes with a positioned error. A violated invariant aborts, which libFuzzer
/// reports as a crash and saves the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    var sink = DiagnosticSink()
    let (file, root) = YAMLLoader.load(path: "fuzz.yaml", bytes: bytes, into: &sink)
    guard let file else {
        precondition(sink.diagnostics.map(\.id) == ["yaml.tooLarge"], "no file without a size error")
        return 0
    }
    if root == nil {
        precondition(sink.hasErrors, "no tree and no error")
        for diagnostic in sink.diagnostics {
            guard let span = diagnostic.span else { preconditionFailure("\(diagnostic.id) without a position") }
            precondition(file.utf8Offset(of: span.start) != nil, "\(diagnostic.id) at \(span.start) is outside the file")
        }
    } else if let root {
        precondition(!sink.hasErrors, "a tree returned together with errors")
        checkScalars(root, in: file)
    }
    return 0
}

/// Every character position inside every scalar must lie in the file; when a scalar has no
/// characters made by escapes or folding, each must map to the same character in the file.
private func checkScalars(_ root: YAMLNode, in file: SourceFile) {
    let source = Array(file.text.utf8)
    var pending = [root]
    while let node = pending.popLast() {
        var scalars: [YAMLScalar] = []
        switch node.kind {
        case .scalar(let scalar): scalars = [scalar]
        case .sequence(let items): pending.append(contentsOf: items)
        case .mapping(let entries):
            pending.append(contentsOf: entries.map(\.value))
            scalars = entries.map(\.key)
        }
        for scalar in scalars {
            let value = Array(scalar.value.utf8)
            for offset in 0...value.count where offset == value.count || value[offset] & 0xC0 != 0x80 {
                guard let location = scalar.location(ofUTF8Offset: offset) else { continue }
                guard let at = file.utf8Offset(of: location) else {
                    preconditionFailure("offset \(offset) of \(scalar.value.debugDescription) maps outside the file")
                }
                if offset < value.count, !scalar.hasSynthesizedCharacters {
                    precondition(at < source.count && source[at] == value[offset], "offset \(offset) of \(scalar.value.debugDescription) maps to another character")
                }
            }
        }
    }
}
