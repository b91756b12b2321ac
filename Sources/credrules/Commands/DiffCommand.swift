import ArgumentParser
import RuleBase
import RuleCompiler
import RuleIR

/// `credrules diff`: the semantic difference of two versions of a pack.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed in meaning between two pack versions (YAML packs or rule-version JSON).",
        discussion: """
            Exit status: 0 when both inputs load (whatever the differences, unless --exit-code), 1 when an input is \
            invalid, or with --exit-code when the meaning changed (any change listed), 2 for a usage error.
            """)

    @Argument(help: "The old version: a pack YAML file or a rule-version JSON file.")
    var old: String

    @Argument(help: "The new version.")
    var new: String

    @Option(help: "Output format: human or json.")
    var format: Format = .human

    enum Format: String, ExpressibleByArgument { case human, json }

    @Flag(help: "Exit 1 when the meaning changed (any change listed), as `git diff --exit-code` does.")
    var exitCode = false

    func run() throws {
        let before = try load(old)
        let after = try load(new)
        let changes = RuleVersionDiff.diff(old: before, new: after)
        switch format {
        case .human: print(RuleVersionDiff.renderText(changes, old: before, new: after), terminator: "")
        case .json: print(RuleVersionDiff.renderJSON(changes, old: before, new: after).prettyText)
        }
        if exitCode, !changes.isEmpty { throw ExitCodes.failure }
    }

    private func load(_ path: String) throws -> RuleVersion {
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path)
        } catch let error as ValidationError {
            FileIO.printError("error: \(error.message)")
            throw ExitCodes.failure
        }
        if path.lowercased().hasSuffix(".json") {
            do {
                return try RuleVersion(jsonText: String(decoding: bytes, as: UTF8.self))
            } catch {
                FileIO.printError("error: \(path): not a rule version: \(error)")
                throw ExitCodes.failure
            }
        }
        var sink = DiagnosticSink()
        let (file, version) = PackCompiler.compile(path: path, bytes: bytes, into: &sink)
        guard let version else {
            var files: [String: SourceFile] = [:]
            if let file { files[path] = file }
            FileIO.printError(HumanDiagnosticRenderer.render(sink.diagnostics, files: files, color: FileIO.stderrIsTerminal)
                + diagnosticSummary(sink.diagnostics))
            throw ExitCodes.failure
        }
        return version
    }
}
