import Foundation

/// Benchmarks: `credrules-bench expr`, `credrules-bench engine RULES_DIR FACTS [PACK] [AS_OF]`,
/// `credrules-bench pipeline RULES_DIR FACTS.jsonl [AS_OF]`.
/// Speed and memory targets live here, never in timed tests. `Tools/bench/run.sh` runs them all.
@main
struct Bench {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "engine" where arguments.count >= 3:
            runEngineBenchmark(
                rulesDirectory: arguments[1], factsPath: arguments[2],
                pack: arguments.count > 3 ? arguments[3] : "US-TX/physician-license",
                asOf: arguments.count > 4 ? arguments[4] : "2026-11-26")
        case "pipeline" where arguments.count >= 3:
            runPipelineBenchmark(rulesDirectory: arguments[1], factsPath: arguments[2],
                                 asOf: arguments.count > 3 ? arguments[3] : "2026-11-26")
        case "expr", nil:
            runExpressionBenchmark()
        default:
            print("usage: credrules-bench [expr | engine RULES_DIR FACTS [PACK] [AS_OF] | pipeline RULES_DIR FACTS.jsonl [AS_OF]]")
        }
    }
}
