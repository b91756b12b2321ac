import RuleBase
import RuleIR

/// Compiles pack YAML files for the evaluating commands (adapter over RuleCompiler).
enum PackCompilation {
    static func compile(_ files: [(path: String, bytes: [UInt8])]) -> ([RuleVersion], [Diagnostic]) {
        ([], files.map { _ in Diagnostic(id: "cli.compilerUnavailable", message: "the pack compiler is not built yet", span: nil) })
    }

    static func sources(_ files: [(path: String, bytes: [UInt8])]) -> [String: SourceFile] {
        var result: [String: SourceFile] = [:]
        for file in files { result[file.path] = SourceFile(path: file.path, text: String(decoding: file.bytes, as: UTF8.self)) }
        return result
    }
}
