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

    @Option(help: "human, json, or junit (JUnit XML: one testsuite per rule version, one testcase per pack test).")
    var format: TestFormat = .human

    /// Formats of the reports that are not test runs (impact, explain).
    enum ReportFormat: String, ExpressibleByArgument { case human, json }

    enum TestFormat: String, ExpressibleByArgument { case human, json, junit }

    func run() throws {
        // The packs that compile are tested even when others do not (their errors are printed).
        let (loaded, compileErrors) = try RuleVersionLoading.loadReportingErrors(paths)
        let reports = loaded.map(PackTestRunner.run)
        let failed: Int
        switch format {
        case .human: failed = PackTestReporting.print(reports, format: .human)
        case .json: failed = PackTestReporting.print(reports, format: .json)
        case .junit:
            let xml = PackTestReporting.junit(reports, compileErrors: compileErrors)
            Swift.print(xml.text, terminator: "")
            failed = xml.failures
        }
        if failed > 0 || !compileErrors.isEmpty { throw ExitCodes.failure }
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

extension PackTestReporting {
    /// The reports as JUnit XML, as CI dashboards and conftest read it: one `testsuite` per rule
    /// version, one `testcase` per pack test, a `failure` holding each expected-against-actual
    /// line. Returns the text and how many tests failed.
    /// A pack that does not compile is a `testsuite` named by its file with one `testcase`
    /// holding its errors, so a dashboard shows it rather than a shorter list of passes.
    static func junit(_ reports: [PackTestRunner.Report], compileErrors: [Diagnostic] = []) -> (text: String, failures: Int) {
        var brokenFiles: [String: [Diagnostic]] = [:]
        for error in compileErrors { brokenFiles[error.span?.path ?? "rule packs", default: []].append(error) }
        var total: Int = brokenFiles.count
        var failures: Int = 0
        for report in reports {
            total += report.outcomes.count
            failures += report.outcomes.filter { !$0.passed }.count
        }
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#,
                     #"<testsuites name="credrules" tests="\#(total)" failures="\#(failures)" errors="\#(brokenFiles.count)">"#]
        for path in brokenFiles.keys.sorted() {
            let errors = brokenFiles[path] ?? []
            let file = xmlEscape(path)
            lines.append(#"  <testsuite name="\#(file)" tests="1" failures="0" errors="1">"#)
            lines.append(#"    <testcase name="compiles" classname="\#(file)">"#)
            var text: [String] = []
            for d in errors {
                var place = ""
                if let span = d.span { place = "\(span.path):\(span.start.line):\(span.start.column): " }
                text.append(xmlEscape(place + "error[" + d.id + "]: " + d.message))
            }
            let first: String = errors.first?.message ?? ""
            let message: String = xmlEscape("\(errors.count) error(s): " + first)
            let body: String = text.joined(separator: "\n")
            lines.append("      <error message=\"" + message + "\">" + body + "</error>")
            lines.append("    </testcase>")
            lines.append("  </testsuite>")
        }
        for report in reports {
            let suite = xmlEscape(report.ruleVersionID)
            let failed = report.outcomes.filter { !$0.passed }.count
            lines.append(#"  <testsuite name="\#(suite)" tests="\#(report.outcomes.count)" failures="\#(failed)" errors="0">"#)
            for outcome in report.outcomes {
                let name = #"name="\#(xmlEscape(outcome.name))" classname="\#(suite)""#
                if outcome.passed {
                    lines.append("    <testcase \(name)/>")
                } else {
                    lines.append("    <testcase \(name)>")
                    let message = xmlEscape(outcome.failures.first ?? "failed")
                    lines.append(#"      <failure message="\#(message)">\#(outcome.failures.map(xmlEscape).joined(separator: "\n"))</failure>"#)
                    lines.append("    </testcase>")
                }
            }
            if !report.unexercised.isEmpty {
                lines.append("    <system-out>no test exercises \(xmlEscape(report.unexercised.joined(separator: ", ")))</system-out>")
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return (lines.joined(separator: "\n") + "\n", failures)
    }

    /// Text safe in XML content and attribute values; characters XML 1.0 cannot hold become U+FFFD.
    static func xmlEscape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                let valid = scalar.value >= 0x20 && !(0xFFFE...0xFFFF).contains(scalar.value)
                out.unicodeScalars.append(valid ? scalar : "\u{FFFD}")
            }
        }
        return out
    }
}
