import Foundation
import Testing

/// Each module imports only the stages before it (STYLE §2.3): YAML → pack syntax → compiler;
/// expressions → rule-version IR → engine → store → command line. The engine never sees the YAML
/// side or the store, so replay needs only the IR; the store never sees the compiler; libyaml and
/// libpq are each reached through one module only.
///
/// Every folder under `Sources/` must have a row here, so a new module cannot slip past the check:
/// add its row (what it may import) together with the module.
@Suite struct ArchitectureTests {
    /// Module → the modules it may import. C modules (system libraries) import nothing.
    static let allowed: [String: Set<String>] = [
        "CYAML": [],
        "CLibPQ": [],
        "RuleBase": ["Glibc", "Darwin"],
        "RuleYAML": ["RuleBase", "CYAML"],
        "RuleSyntax": ["RuleBase", "RuleYAML"],
        "RuleExpressions": ["RuleBase", "Foundation"],
        "RuleIR": ["RuleBase", "Crypto"],
        "RuleCompiler": ["RuleBase", "RuleYAML", "RuleSyntax", "RuleExpressions", "RuleIR"],
        // Dispatch: the population runner's cores and writer thread (no clock, no I/O).
        "RuleEngine": ["RuleBase", "RuleExpressions", "RuleIR", "Dispatch"],
        // Crypto: field encryption (AES-GCM, HMAC) and migration checksums; Foundation: the bundled
        // migration files, key files and base64.
        "RuleStore": ["RuleBase", "RuleIR", "RuleEngine", "CLibPQ", "Crypto", "Foundation", "Glibc", "Darwin"],
        "RuleTestSupport": [],
        "credrules": [
            "ArgumentParser", "Dispatch", "Foundation", "Logging", "RuleBase", "RuleCompiler", "RuleEngine", "RuleExpressions", "RuleIR",
            "RuleStore",
        ],
    ]

    /// Rows for modules another change is adding; checked as soon as their folder exists.
    static let planned: Set<String> = ["RuleStore", "CLibPQ"]

    /// C libraries and the one module allowed to import each.
    static let cWrappers: [String: String] = ["CYAML": "RuleYAML", "CLibPQ": "RuleStore"]

    static var sources: URL { CLI.repositoryRoot.appendingPathComponent("Sources") }

    static func moduleFolders() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { name in
            var isFolder: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: sources.appendingPathComponent(name).path, isDirectory: &isFolder)
                && isFolder.boolValue
        }.sorted()
    }

    /// The modules `text` imports (`import X`, `public import X`, `@testable import X`,
    /// `import struct X.Y`), in order.
    static func imports(in text: String) -> [String] {
        var out: [String] = []
        let kinds: Set<Substring> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias", "actor"]
        for line in text.split(separator: "\n") {
            var words = line.split(separator: " ")[...]
            guard let importIndex = words.firstIndex(of: "import"),
                words[..<importIndex].allSatisfy({ ["public", "internal", "package", "private", "fileprivate", "@testable", "@_exported", "@preconcurrency", "@_implementationOnly"].contains($0) })
            else { continue }
            words = words[(importIndex + 1)...]
            if let first = words.first, kinds.contains(first) { words = words.dropFirst() }
            guard let name = words.first else { continue }
            out.append(String(name.split(separator: ".").first ?? name))
        }
        return out
    }

    @Test func everyModuleUnderSourcesHasARow() throws {
        let folders = try Self.moduleFolders()
        #expect(folders.count >= 10)
        for folder in folders {
            #expect(Self.allowed[folder] != nil, """
                Sources/\(folder) is not in ArchitectureTests.allowed: add a row saying which modules it may import
                """)
        }
        for module in Self.allowed.keys.sorted() where !folders.contains(module) {
            #expect(Self.planned.contains(module), "ArchitectureTests.allowed lists \(module), which Sources/ does not have")
        }
    }

    @Test func importsPointOneWay() throws {
        let folders = Set(try Self.moduleFolders())
        for (module, allowed) in Self.allowed.sorted(by: { $0.key < $1.key }) where folders.contains(module) {
            let folder = Self.sources.appendingPathComponent(module)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
            let swiftFiles = files.filter { $0.hasSuffix(".swift") }
            if Self.cWrappers[module] != nil {
                #expect(files.contains("module.modulemap"), "\(module) is a C module without a module.modulemap")
                #expect(swiftFiles.isEmpty, "\(module) is a C module; its Swift code belongs in \(Self.cWrappers[module] ?? "")")
                continue
            }
            #expect(!swiftFiles.isEmpty, "no sources in \(module)")
            for file in swiftFiles {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for imported in Self.imports(in: text) {
                    #expect(allowed.contains(imported), "\(module)/\(file) imports \(imported), which \(module) may not use")
                }
            }
        }
    }

    /// The table itself keeps the documented direction, so it cannot be loosened by accident.
    @Test func theTableKeepsTheDirection() {
        let yamlSide: Set<String> = ["CYAML", "RuleYAML", "RuleSyntax", "RuleCompiler"]
        #expect(Self.allowed["RuleEngine"]?.isDisjoint(with: yamlSide.union(["RuleStore", "CLibPQ", "credrules"])) == true,
                "the engine never imports the YAML side or the store")
        #expect(Self.allowed["RuleStore"]?.isDisjoint(with: yamlSide.union(["credrules"])) == true, "the store never imports the compiler")
        #expect(Self.allowed["RuleIR"]?.isDisjoint(with: yamlSide.union(["RuleEngine", "RuleStore", "RuleExpressions"])) == true)
        for (library, wrapper) in Self.cWrappers {
            for (module, imports) in Self.allowed where imports.contains(library) {
                #expect(module == wrapper, "only \(wrapper) may import \(library), but \(module) may")
            }
        }
        for (module, imports) in Self.allowed where module != "credrules" {
            #expect(!imports.contains("ArgumentParser"), "\(module): only the command line parses arguments")
            #expect(!imports.contains("Logging"), "\(module): only the command line logs")
        }
    }

    /// Package.swift declares the same direction: the store depends on the engine (the population
    /// runner's database source and sink live in the store), never the other way, and the engine
    /// gets no Foundation (no file, clock or network I/O).
    @Test func thePackageDeclaresEngineThenStoreThenCommandLine() throws {
        let manifest = try String(contentsOf: CLI.repositoryRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        func dependencies(of target: String) -> String {
            guard let start = manifest.range(of: ".target(name: \"\(target)\"") ?? manifest.range(of: ".executableTarget(name: \"\(target)\"")
            else { return "" }
            let rest = manifest[start.upperBound...]
            return String(rest[..<(rest.range(of: "]")?.upperBound ?? rest.endIndex)])
        }
        #expect(dependencies(of: "RuleStore").contains("\"RuleEngine\""), "RuleStore depends on RuleEngine: \(dependencies(of: "RuleStore"))")
        #expect(!dependencies(of: "RuleEngine").contains("RuleStore"), "RuleEngine must not depend on RuleStore")
        #expect(!dependencies(of: "RuleStore").contains("RuleCompiler"), "RuleStore must not depend on the compiler")
        #expect(dependencies(of: "credrules").contains("\"RuleStore\""))
        #expect(Self.allowed["RuleEngine"]?.contains("Foundation") == false, "the engine does no I/O")
    }

    @Test func importParsing() {
        let text = """
            import RuleBase
            public import RuleIR
            @testable import RuleYAML
            import struct Foundation.URL
            #if canImport(Glibc)
            import Glibc
            #endif
            // import Nothing: a comment mentioning import
            let important = 1
            """
        #expect(Self.imports(in: text) == ["RuleBase", "RuleIR", "RuleYAML", "Foundation", "Glibc"])
    }
}
