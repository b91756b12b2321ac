import ArgumentParser
import Foundation
import RuleBase
import RuleCompiler
import RuleIR

/// `credrules compile`: write one rule-version JSON per pack and a manifest.
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile rule packs to rule-version JSON (canonical bytes) with a manifest.",
        discussion: """
            Writes DIR/<pack with / replaced by __>@<version>.json (the rule version's canonical bytes, no more: \
            their SHA-256 is the manifest's hash) and DIR/manifest.json, whose `source` is each pack's path relative \
            to the folder given. Nothing is written when any pack has errors. Exit status: 0 on success, 1 on pack errors, 2 for a usage error.
            """)

    @Argument(help: "Pack files or folders.")
    var paths: [String]

    @Option(name: .customLong("out"), help: "Output folder.")
    var outputDirectory: String

    @Option(help: "Diagnostic format: human (stderr), json or sarif (stdout).")
    var format: DiagnosticFormat = .human

    func run() throws {
        let result = try PackSetLoading.compileReportingErrors(paths, format: format)
        // Render everything first so that a failure leaves no partial output.
        var outputs: [(name: String, text: String)] = []
        var manifest: [JSONValue] = []
        for compiled in result.packs {
            let version = compiled.ruleVersion
            let name = version.pack.split(separator: "/", omittingEmptySubsequences: false).joined(separator: "__") + "@\(version.version).json"
            // Exactly the canonical bytes, so `sha256sum` of the file is the recorded hash.
            outputs.append((name, version.canonicalJSON))
            var effective: [(String, JSONValue)] = [("from", .string(version.effective.from.description))]
            effective.append(("to", version.effective.to.map { .string($0.description) } ?? .null))
            manifest.append(.object([
                ("pack", .string(version.pack)), ("version", .int(version.version)), ("id", .string(version.id)),
                ("effective", .object(effective)), ("hash", .string(version.hash)), ("file", .string(name)),
                ("source", .string(Self.relativeToRoot(compiled.path, roots: paths))),
            ]))
        }
        do {
            try FileIO.makeDirectory(outputDirectory)
            for output in outputs { try FileIO.writeAtomically(output.text, to: outputDirectory + "/" + output.name) }
            try FileIO.writeAtomically(JSONValue.array(manifest).prettyText + "\n", to: outputDirectory + "/manifest.json")
        } catch {
            FileIO.printError("error: cannot write to `\(outputDirectory)`: \(error)")
            throw ExitCodes.failure
        }
        if format == .human {
            FileIO.printError("compiled \(outputs.count) rule version\(outputs.count == 1 ? "" : "s") into \(outputDirectory)")
        }
    }

    /// A pack's path relative to the folder argument it was found under (a file argument: its
    /// name), so the manifest does not depend on how the path was typed.
    static func relativeToRoot(_ path: String, roots: [String]) -> String {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        for root in roots {
            let standard = URL(fileURLWithPath: root).standardizedFileURL.path
            if file == standard { return (file as NSString).lastPathComponent }
            let prefix = standard.hasSuffix("/") ? standard : standard + "/"
            if file.hasPrefix(prefix) { return String(file.dropFirst(prefix.count)) }
        }
        return (file as NSString).lastPathComponent
    }
}
