import ArgumentParser
import RuleBase
import RuleCompiler
import RuleIR

/// Output formats for diagnostics.
enum DiagnosticFormat: String, ExpressibleByArgument, CaseIterable {
    case human, json, sarif
}

/// Shared by `check` and `compile`: read pack files and compile them as one set.
enum PackSetLoading {
    /// Files under `paths` (folders searched recursively for `*.yaml`/`*.yml`), compiled together.
    /// A missing path is a usage error (exit 2).
    static func compile(_ paths: [String]) throws -> PackSetResult {
        let files: [String]
        do {
            files = try FileIO.files(under: paths, extensions: ["yaml", "yml"])
        } catch let error as ValidationError {
            FileIO.printError("error: \(error.message)")
            throw ExitCodes.usage
        }
        if files.isEmpty {
            FileIO.printError("error: no pack files (*.yaml, *.yml) under \(paths.joined(separator: ", "))")
            throw ExitCodes.usage
        }
        var inputs: [PackInput] = []
        for path in files {
            do {
                inputs.append(PackInput(path: path, bytes: try FileIO.read(path)))
            } catch let error as ValidationError {
                FileIO.printError("error: \(error.message)")
                throw ExitCodes.failure
            }
        }
        return PackCompiler.compileSet(inputs)
    }

    /// Prints diagnostics: human text with a summary to stderr, JSON or SARIF to stdout.
    static func report(_ result: PackSetResult, format: DiagnosticFormat) {
        switch format {
        case .human:
            if !result.diagnostics.isEmpty {
                FileIO.printError(HumanDiagnosticRenderer.render(result.diagnostics, files: result.files, color: FileIO.stderrIsTerminal)
                    + diagnosticSummary(result.diagnostics))
            }
        case .json: print(JSONDiagnosticRenderer.render(result.diagnostics).prettyText)
        case .sarif: print(SARIFDiagnosticRenderer.render(result.diagnostics).prettyText)
        }
    }
}

/// `credrules check`: compile packs and report every problem.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check rule packs and report problems with their positions.",
        discussion: "Exit status: 0 when no pack has errors (warnings allowed), 1 when any has, 2 for a usage error.")

    @Argument(help: "Pack files or folders (searched recursively for *.yaml and *.yml).")
    var paths: [String]

    @Option(help: "Diagnostic format: human (stderr), json or sarif (stdout).")
    var format: DiagnosticFormat = .human

    func run() throws {
        let result = try PackSetLoading.compile(paths)
        PackSetLoading.report(result, format: format)
        if result.hasErrors { throw ExitCodes.failure }
        if format == .human, result.diagnostics.isEmpty {
            FileIO.printError("\(result.packs.count) pack\(result.packs.count == 1 ? "" : "s") checked, no problems")
        }
        if try !runPackTests(result.packs) { throw ExitCodes.failure }
    }

    /// Hook for running the packs' own `tests:` through the engine once `check` should do so
    /// (`credrules test` runs them today). Returns whether every test passed.
    func runPackTests(_ packs: [CompiledPack]) throws -> Bool { true }
}
