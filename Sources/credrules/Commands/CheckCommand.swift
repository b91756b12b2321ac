import ArgumentParser
import RuleBase
import RuleCompiler
import RuleEngine
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

    /// Compiles, reports every diagnostic, and ends the command with exit 1 when any is an error.
    static func compileReportingErrors(_ paths: [String], format: DiagnosticFormat) throws -> PackSetResult {
        let result = try compile(paths)
        report(result, format: format)
        if result.hasErrors { throw ExitCodes.failure }
        return result
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
        case .sarif: print(SARIFDiagnosticRenderer.render(result.diagnostics, toolVersion: CredRules.toolVersion).prettyText)
        }
    }
}

/// `credrules check`: compile packs and report every problem.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check rule packs, run their tests, and report problems with their positions.",
        discussion: """
            Every pack that compiles has its tests run, whatever the other packs' errors. json and sarif print one \
            document on standard output holding every diagnostic and test failure. \
            Exit status: 0 when no pack has errors and every test passes (warnings allowed unless \
            --warnings-as-errors), 1 otherwise, 2 for a usage error.
            """)

    @Argument(help: "Pack files or folders (searched recursively for *.yaml and *.yml).")
    var paths: [String]

    @Option(help: "Diagnostic format: human (stderr), json or sarif (stdout).")
    var format: DiagnosticFormat = .human

    @Flag(help: "Fail (exit 1) when there are warnings, as when there are errors.")
    var warningsAsErrors = false

    func run() throws {
        let result = try PackSetLoading.compile(paths)
        let warned = warningsAsErrors && result.diagnostics.contains { $0.severity == .warning }
        if format == .human, !result.diagnostics.isEmpty {
            FileIO.printError(HumanDiagnosticRenderer.render(result.diagnostics, files: result.files, color: FileIO.stderrIsTerminal)
                + diagnosticSummary(result.diagnostics) + (warned ? " (warnings count as errors: --warnings-as-errors)" : ""))
        }
        let testDiagnostics = try runPackTests(result)
        let all = PackSetResult(packs: result.packs, diagnostics: Diagnostic.sortedForOutput(result.diagnostics + testDiagnostics),
                                files: result.files)
        switch format {
        case .human:
            if all.diagnostics.isEmpty {
                FileIO.printError("\(result.packs.count) pack\(result.packs.count == 1 ? "" : "s") checked, no problems")
            }
        case .json, .sarif:
            PackSetLoading.report(all, format: format)
        }
        if all.hasErrors || warned { throw ExitCodes.failure }
    }

    /// Runs every pack's own `tests:` through the engine. Human format prints each failure with
    /// expected against actual; every failure also becomes a diagnostic at the test's `name:` line.
    func runPackTests(_ result: PackSetResult) throws -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var passed = 0
        for pack in result.packs {
            let loaded: LoadedRuleVersion
            do {
                loaded = try LoadedRuleVersion(pack.ruleVersion)
            } catch {
                diagnostics.append(Diagnostic(id: "pack.notEvaluable", message: "\(error)", span: SourceSpan(path: pack.path, start: .init(line: 1, column: 1))))
                continue
            }
            let report = PackTestRunner.run(loaded)
            for outcome in report.outcomes {
                if outcome.passed { passed += 1; continue }
                let span = Self.span(ofTest: outcome.name, in: result.files[pack.path], path: pack.path)
                diagnostics.append(Diagnostic(
                    id: "pack.testFailed", message: "test `\(outcome.name)` failed: \(outcome.failures.first ?? "")", span: span,
                    notes: outcome.failures.dropFirst().map { Diagnostic.Note($0) }))
            }
        }
        if format == .human, !diagnostics.isEmpty {
            FileIO.printError(HumanDiagnosticRenderer.render(diagnostics, files: result.files, color: FileIO.stderrIsTerminal))
        }
        if format == .human {
            FileIO.printError("pack tests: \(passed) passed, \(diagnostics.count) failed")
        }
        return diagnostics
    }

    /// The `name:` line of a test in its pack file, so a failure points where the analyst edits.
    static func span(ofTest name: String, in file: SourceFile?, path: String) -> SourceSpan {
        guard let file else { return SourceSpan(path: path, start: .init(line: 1, column: 1)) }
        for number in 1...max(1, file.lineCount) {
            let line = file.line(number)
            if let range = line.range(of: "name: \(name)") ?? line.range(of: "name: \"\(name)\"") ?? line.range(of: "name: '\(name)'") {
                let column = line.unicodeScalars.distance(from: line.unicodeScalars.startIndex, to: range.lowerBound.samePosition(in: line.unicodeScalars) ?? line.unicodeScalars.startIndex) + 1
                return SourceSpan(path: path, start: .init(line: number, column: column))
            }
        }
        return SourceSpan(path: path, start: .init(line: 1, column: 1))
    }
}
