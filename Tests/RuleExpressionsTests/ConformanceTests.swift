import Foundation
import RuleBase
import RuleExpressions
import Testing

/// Runs the CEL conformance cases (`<repo>/../shared/conformance/cel/cases.json`).
///
/// Each case is checked first unless it sets `disable_check`, with its `type_env` (and any
/// bound name not in it, as `dyn`) declared. Values compare by kind exactly, maps ignore
/// order, NaN matches NaN; for expected errors only "an error happened" counts, since the
/// upstream messages are not normative. Where a case gives `deduced_type`, the checker's
/// result type must print the same.
struct ConformanceTests {
    /// The pass rate below which the suite fails. Raise it when conformance improves.
    static let threshold = 1.0

    /// Cases not run, each with its reason. Empty: every dev case passes.
    static let skipList: [String: String] = [:]

    /// The shared copy beside the repository when present (the source of truth), else the copy
    /// vendored in `Conformance/` so the suite runs in any clone.
    static var casesURL: URL {
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let shared = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/cel/cases.json")
        if FileManager.default.fileExists(atPath: shared.path) { return shared }
        return here.appendingPathComponent("Conformance/cases.json")
    }

    struct Outcome {
        var passed = 0
        var failed = 0
        var skipped = 0
    }

    /// Runs one case; nil on success, else what went wrong.
    static func run(_ c: JSONValue) -> String? {
        guard let expr = c["expr"]?.stringValue, let expected = c["expected"] else { return "malformed case" }
        let disableCheck: Bool = {
            if case .bool(true)? = c["disable_check"] { return true }
            return false
        }()
        var declarations: [(name: String, type: CELType)] = []
        for (name, t) in c["type_env"]?.objectMembers ?? [] {
            guard let text = t.stringValue, let type = CELType(parsing: text) else { return "unparseable type \(t)" }
            declarations.append((name, type))
        }
        var values: [String: CELValue] = [:]
        for (name, v) in c["bindings"]?.objectMembers ?? [] {
            do { values[name] = try CELValue(typedJSON: v) } catch { return "bad binding \(name): \(error)" }
            if !declarations.contains(where: { $0.name == name }) { declarations.append((name, .dyn)) }
        }
        let env = CELEnvironment(variables: declarations)
        let program: CompiledExpression
        switch CompiledExpression.compile(expr, in: env, check: !disableCheck) {
        case .success(let p): program = p
        case .failure(let issues):
            if expected["error"] != nil, issues.first?.stage == .parse { return nil }
            return "compile failed: " + issues.map { "\($0.stage): \($0.formatted(in: expr))" }.joined(separator: " | ")
        }
        let result = program.evaluate(CELActivation(environment: env, values: values))
        if expected["error"] != nil {
            if case .success(let v) = result { return "expected an error, got \(v.typedJSON.compactText)" }
            return nil
        }
        guard let want = expected["value"] else { return "no expected value" }
        let wantValue: CELValue
        do { wantValue = try CELValue(typedJSON: want) } catch { return "bad expected value: \(error)" }
        switch result {
        case .failure(let issue): return "eval error: \(issue.formatted(in: expr))"
        case .success(let got):
            if got != wantValue { return "got \(got.typedJSON.compactText), want \(want.compactText)" }
        }
        if let deduced = expected["deduced_type"]?.stringValue, !disableCheck, program.resultType.description != deduced {
            return "deduced type \(program.resultType), want \(deduced)"
        }
        return nil
    }

    @Test func conformanceSuite() throws {
        let text = try String(contentsOf: Self.casesURL, encoding: .utf8)
        let root = try JSONParser.parse(text)
        let cases = try #require(root["cases"]?.arrayValue)
        var perFile: [String: Outcome] = [:]
        var failures: [String] = []
        for c in cases {
            let id = c["id"]?.stringValue ?? "?"
            let file = c["file"]?.stringValue ?? "?"
            if Self.skipList[id] != nil { perFile[file, default: Outcome()].skipped += 1; continue }
            if let problem = Self.run(c) {
                perFile[file, default: Outcome()].failed += 1
                failures.append("\(id): \(problem)  [\(c["expr"]?.stringValue ?? "")]")
            } else {
                perFile[file, default: Outcome()].passed += 1
            }
        }
        var total = Outcome()
        for file in perFile.keys.sorted() {
            let o = perFile[file] ?? Outcome()
            print("conformance \(file): \(o.passed)/\(o.passed + o.failed) passed\(o.skipped > 0 ? ", \(o.skipped) skipped" : "")")
            total.passed += o.passed
            total.failed += o.failed
            total.skipped += o.skipped
        }
        print("conformance total: \(total.passed)/\(total.passed + total.failed) passed, \(total.skipped) skipped")
        for f in failures { print("FAIL \(f)") }
        let rate = Double(total.passed) / Double(max(1, total.passed + total.failed))
        #expect(rate >= Self.threshold, "pass rate \(rate) below \(Self.threshold)")
        #expect(total.passed + total.failed + total.skipped == cases.count)
    }
}
