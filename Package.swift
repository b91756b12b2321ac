// swift-tools-version:6.0
import PackageDescription

/// The pipeline, one module per stage, dependencies pointing one way:
/// YAML → pack syntax → compiler; expressions → rule-version IR → engine → store → command-line tool.
let package = Package(
    name: "credrules",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "credrules", targets: ["credrules"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        // C libraries, each behind one module that only one Swift module imports.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        // Foundation: positions, diagnostics, calendar dates, exact decimals, canonical JSON.
        .target(name: "RuleBase"),
        // libyaml → YAML node tree with positions.
        .target(name: "RuleYAML", dependencies: ["RuleBase", "CYAML"]),
        // YAML nodes → untyped pack syntax tree.
        .target(name: "RuleSyntax", dependencies: ["RuleBase", "RuleYAML"]),
        // The CEL subset: lexer, parser, checker, planner, evaluator.
        .target(name: "RuleExpressions", dependencies: ["RuleBase"]),
        // The compiled rule version: typed IR, canonical JSON, SHA-256.
        .target(name: "RuleIR", dependencies: ["RuleBase", .product(name: "Crypto", package: "swift-crypto")]),
        // Pack syntax → rule version, with every check; semantic diff.
        .target(name: "RuleCompiler", dependencies: ["RuleBase", "RuleSyntax", "RuleExpressions", "RuleIR"]),
        // Rule version + facts + as-of date → windows, gaps, status, log; pack tests; replay.
        .target(name: "RuleEngine", dependencies: ["RuleBase", "RuleExpressions", "RuleIR"]),
        // PostgreSQL: connection, parameterized statements, COPY, migrations, import, publish.
        // The only importer of CLibPQ; never imports the compiler (the CLI hands it rule versions).
        // Imports the engine for the population runner's database facts source and results sink.
        .target(name: "RuleStore", dependencies: [
            "RuleBase", "RuleEngine", "CLibPQ", .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Migrations/SCHEMA.md"], resources: [.copy("Migrations/SQL")]),
        // The command-line tool: the only place with file-system access.
        .executableTarget(name: "credrules", dependencies: [
            "RuleBase", "RuleYAML", "RuleSyntax", "RuleExpressions", "RuleIR", "RuleCompiler", "RuleEngine", "RuleStore",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            // Structured logs of `run` when standard error is not a terminal.
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Shared test helpers (deterministic generators); used by tests only.
        .target(name: "RuleTestSupport"),

        // Benchmarks: speed and memory targets live here, never in timed tests.
        .executableTarget(name: "credrules-bench", dependencies: [
            "RuleBase", "RuleExpressions", "RuleIR", "RuleEngine",
        ], path: "Tools/bench/Sources"),

        .testTarget(name: "RuleBaseTests", dependencies: ["RuleBase", "RuleTestSupport"]),
        .testTarget(name: "RuleYAMLTests", dependencies: ["RuleBase", "RuleYAML", "RuleTestSupport"], exclude: ["Corpus"]),
        .testTarget(name: "RuleExpressionsTests", dependencies: ["RuleBase", "RuleExpressions", "RuleTestSupport"], exclude: ["Conformance"]),
        .testTarget(name: "RuleCompilerTests", dependencies: [
            "RuleBase", "RuleYAML", "RuleSyntax", "RuleExpressions", "RuleIR", "RuleCompiler",
        ], exclude: ["Cases", "Fixtures"]),
        .testTarget(name: "RuleEngineTests", dependencies: [
            "RuleBase", "RuleExpressions", "RuleIR", "RuleEngine", "RuleCompiler", "RuleSyntax", "RuleYAML", "RuleTestSupport",
        ]),
        .testTarget(name: "CommandLineTests", dependencies: ["credrules"]),
        // The bundled packs' compiled bytes and hashes, pinned; the stored-version loader.
        .testTarget(name: "ReferenceTests", dependencies: ["RuleBase", "RuleIR", "RuleCompiler"], exclude: ["Expected"]),
        // Against a real PostgreSQL 15 (Tools/test.sh starts one); never a mock.
        .testTarget(name: "RuleStoreTests", dependencies: ["RuleBase", "RuleIR", "RuleStore"]),
    ]
)
