import RuleBase
import RuleCompiler
import RuleIR

/// Compiles pack YAML files for the evaluating commands.
enum PackCompilation {
    /// Compiles a set of files: rule versions of the clean ones, every diagnostic, the sources.
    static func compile(_ files: [(path: String, bytes: [UInt8])]) -> ([RuleVersion], [Diagnostic], [String: SourceFile]) {
        let result = PackCompiler.compileSet(files.map { PackInput(path: $0.path, bytes: $0.bytes) })
        return (result.packs.map(\.ruleVersion), result.diagnostics, result.files)
    }
}
