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
        ]
    )
}
