import ArgumentParser
import RuleBase
import RuleCompiler
import RuleEngine
import RuleIR

/// Loads rule versions for the evaluating commands: pack YAML files are compiled, compiled
/// rule-version JSON files are read as they are.
enum RuleVersionLoading {
    /// Loads and compiles every pack or rule version under `paths`. Compile errors are printed
    /// and end the command with exit 1: an evaluation never runs on a broken pack.
    static func load(_ paths: [String]) throws -> [LoadedRuleVersion] {
        let (versions, errors) = try loadReportingErrors(paths)
        if !errors.isEmpty {
            FileIO.printError("error: \(errors.count) error(s) in rule packs; run `credrules check` for details")
            throw ExitCodes.failure
        }
        return versions
    }

    /// Like ``load(_:)``, but packs with errors are reported and left out rather than ending
    /// the command; returns the versions that compiled and the errors.
    static func loadReportingErrors(_ paths: [String]) throws -> (versions: [LoadedRuleVersion], errors: [Diagnostic]) {
        let files = try FileIO.files(under: paths, extensions: ["yaml", "yml", "json"])
        var versions: [RuleVersion] = []
        var yamlFiles: [PackInput] = []
        var compileErrors: [Diagnostic] = []
        for path in files {
            if path.lowercased().hasSuffix(".json") {
                if path.hasSuffix("manifest.json") { continue }
                do {
                    versions.append(try RuleVersion(jsonText: try FileIO.readText(path)))
                } catch let error as RuleVersionDecodingError {
                    throw ValidationError("\(path): not a rule version: \(error)")
                }
            } else {
                yamlFiles.append(PackInput(path: path, bytes: try FileIO.read(path)))
            }
        }
        if !yamlFiles.isEmpty {
            let result = PackCompiler.compileSet(yamlFiles)
            let errors = result.diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty {
                FileIO.printError(HumanDiagnosticRenderer.render(errors, files: result.files, color: FileIO.stderrIsTerminal))
            }
            compileErrors = errors
            versions += result.packs.map(\.ruleVersion)
        }
        if versions.isEmpty, compileErrors.isEmpty {
            throw ValidationError("no rule packs or rule versions found under \(paths.joined(separator: ", "))")
        }
        return (try versions.map { version in
            do {
                return try LoadedRuleVersion(version)
            } catch {
                FileIO.printError("error: \(error)")
                throw ExitCodes.failure
            }
        }, compileErrors)
    }

    /// Rule versions by hash (for replay).
    static func byHash(_ loaded: [LoadedRuleVersion]) -> [String: LoadedRuleVersion] {
        Dictionary(loaded.map { ($0.hash, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
