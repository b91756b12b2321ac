import ArgumentParser
import RuleBase
import RuleEngine

/// `credrules test`: run the test cases packs carry.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the test cases in rule packs.",
        discussion: "Exit status: 0 when every test passes, 1 when any fails or a pack does not compile.")

    @Argument(help: "Pack files or folders.")
    var paths: [String]

    @Option(help: "human or json.")
    var format: ReportFormat = .human

    enum ReportFormat: String, ExpressibleByArgument { case human, json }

    func run() throws {
        let loaded = try RuleVersionLoading.load(paths)
        let reports = loaded.map(PackTestRunner.run)
        let failed = PackTestReporting.print(reports, format: format == .json ? .json : .human)
        if failed > 0 { throw ExitCodes.failure }
    }
}

/// Prints pack-test reports; shared by `test` and `check`.
enum PackTestReporting {
    enum Format { case human, json }

    /// Prints the reports and returns how many tests failed.
    static func print(_ reports: [PackTestRunner.Report], format: Format) -> Int {
        var failed = 0
        var passed = 0
        var lines: [String] = []
        for report in reports {
            for outcome in report.outcomes {
                if outcome.passed {
                    passed += 1
                    lines.append("PASS \(report.ruleVersionID) · \(outcome.name)")
                } else {
                    failed += 1
                    lines.append("FAIL \(report.ruleVersionID) · \(outcome.name)")
                    lines += outcome.failures.map { "     \($0)" }
                }
            }
            if !report.unexercised.isEmpty {
                lines.append("note: \(report.ruleVersionID): no test exercises \(report.unexercised.joined(separator: ", "))")
            }
        }
        switch format {
        case .human:
            for line in lines { Swift.print(line) }
            Swift.print("\(passed) passed, \(failed) failed")
        case .json:
            let json = JSONValue.array(reports.map { report in
                .object([
                    ("rule_version_id", .string(report.ruleVersionID)),
                    ("tests", .array(report.outcomes.map { o in
                        .object([("name", .string(o.name)), ("passed", .bool(o.passed)), ("failures", .array(o.failures.map { .string($0) }))])
                    })),
                    ("unexercised_requirements", .array(report.unexercised.map { .string($0) })),
                ])
            })
            Swift.print(json.canonicalText)
        }
        return failed
    }
}
