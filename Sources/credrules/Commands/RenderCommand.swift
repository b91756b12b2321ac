import ArgumentParser
import RuleIR

/// `credrules render`: a pack as readable Markdown, every requirement in words with its citation.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render", abstract: "Print packs or rule versions as readable Markdown with their citations.")

    @Argument(help: "Pack files or folders (YAML), or compiled rule versions (JSON).")
    var paths: [String]

    func run() throws {
        let loaded = try RuleVersionLoading.load(paths)
        print(loaded.map { RuleVersionRenderer.markdown($0.version) }.joined(separator: "\n---\n\n"), terminator: "")
    }
}
