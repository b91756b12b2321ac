import ArgumentParser

/// The credrules command line: compile rule packs, evaluate providers, replay audits.
@main
struct CredRules: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credrules",
        abstract: "Compile state-board rule packs and evaluate provider compliance.",
        subcommands: [
            CheckCommand.self, CompileCommand.self, TestCommand.self, DiffCommand.self,
            EvalCommand.self, ExplainCommand.self, ReplayCommand.self, ImpactCommand.self, RenderCommand.self,
            ExprCommand.self,
            CoverageCommand.self, DatabaseCommand.self, PublishCommand.self,
        ]
    )

    /// Runs the command line. ArgumentParser exits 64 on a usage error; credrules documents 2
    /// (0 clean, 1 errors in the input, 2 the command line itself was wrong).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileIO.printError(fullMessage(for: error))
            exit(withError: ExitCodes.usage)
        }
    }
}
