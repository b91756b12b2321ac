import ArgumentParser
import RuleIR

/// The credrules command line: compile rule packs, evaluate providers, replay audits.
@main
struct CredRules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credrules",
        abstract: "Compile state-board rule packs and evaluate provider compliance.",
        version: versionText,
        subcommands: [
            CheckCommand.self, CompileCommand.self, TestCommand.self, DiffCommand.self,
            EvalCommand.self, ExplainCommand.self, ReplayCommand.self, ImpactCommand.self, RenderCommand.self,
            ExprCommand.self,
            CoverageCommand.self, DatabaseCommand.self, PublishCommand.self, RunCommand.self,
        ]
    )

    /// The tool's version (also in SARIF logs and run manifests).
    static let toolVersion = "0.1.0"
    /// The version of the pack language this tool reads (Grammar/pack-language.md).
    static let packLanguageVersion = "1"
    /// `credrules --version`.
    static let versionText = "credrules \(toolVersion) (pack language \(packLanguageVersion), rule versions \(RuleVersion.formatTag))"

    /// Runs the command line. ArgumentParser exits 64 on a usage error; credrules documents 2
    /// (0 clean, 1 errors in the input, 2 the command line itself was wrong).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as UsageFailure {
            FileIO.printError("Error: \(failure.description)")
            exit(withError: ExitCodes.usage)
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileIO.printError(fullMessage(for: error))
            exit(withError: ExitCodes.usage)
        }
    }
}
