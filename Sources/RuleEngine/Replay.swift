public import RuleBase
import RuleIR

/// Re-runs execution-log entries and compares the outputs byte for byte.
public enum Replay {
    /// How a replay ended.
    public enum Verdict: String, Sendable {
        /// Recomputed outputs are byte-identical to the logged ones.
        case identical
        /// Recomputed outputs or inputs differ from the logged ones.
        case differs
        /// The entry does not match its own hashes: it was edited after it was written.
        case altered
        /// The rule version the entry names (by hash) is not among those loaded.
        case ruleVersionMissing = "rule_version_missing"
        /// The entry cannot be replayed (not a log entry, invalid inputs).
        case invalid
    }

    /// The result of replaying one log entry.
    public struct Result: Sendable {
        /// How it ended.
        public var verdict: Verdict
        /// Whether the recomputed outputs are byte-identical to the logged ones.
        public var identical: Bool { verdict == .identical }
        /// Why not, path by path (empty when identical).
        public var differences: [String]
        /// The rule version used.
        public var ruleVersionID: String?
        /// Provider and credential of the entry.
        public var providerID: String?
        public var credentialID: String?
    }

    /// Replays one `rules_execution_log` row against the rule version whose hash it records.
    /// - Parameter ruleVersions: loaded rule versions by hash.
    public static func replay(_ logRow: JSONValue, ruleVersions: [String: LoadedRuleVersion]) -> Result {
        var result = Result(verdict: .invalid, differences: [], ruleVersionID: nil, providerID: nil, credentialID: nil)
        func fail(_ message: String, _ verdict: Verdict = .invalid) -> Result {
            result.differences = [message]
            result.verdict = verdict
            return result
        }
        guard let inputs = logRow["inputs_json"], let logged = logRow["outputs_json"] else {
            return fail("the entry has no inputs_json or outputs_json")
        }
        result.providerID = inputs["provider_id"]?.stringValue
        result.ruleVersionID = inputs["rule_version_id"]?.stringValue
        result.credentialID = inputs["credential"]?["id"]?.stringValue
        // A sealed entry is checked field by field against its own hash; an unsealed row (an
        // evaluation's own, before the chain) against its documents' hashes.
        let problems = logRow["entry_sha256"] != nil ? LogChain.problems(in: logRow) : [
            logRow["inputs_sha256"]?.stringValue.map { $0 == sha256Hex(inputs.canonicalText) ? nil : "inputs_json does not match inputs_sha256" } ?? nil,
            logRow["outputs_sha256"]?.stringValue.map { $0 == sha256Hex(logged.canonicalText) ? nil : "outputs_json does not match outputs_sha256" } ?? nil,
        ].compactMap { $0 }
        if !problems.isEmpty {
            result.verdict = .altered
            result.differences = problems
            return result
        }
        guard let hash = inputs["rule_version_hash"]?.stringValue, let loaded = ruleVersions[hash] else {
            return fail("rule version \(result.ruleVersionID ?? "?") with hash \(inputs["rule_version_hash"]?.stringValue ?? "?") is not "
                + "among the loaded packs: give the packs (or compiled rule versions) that hold it with --packs", .ruleVersionMissing)
        }
        guard let asOfText = inputs["as_of"]?.stringValue, let asOf = CalendarDate(iso: asOfText) else {
            return fail("inputs_json has no valid as_of")
        }
        guard let facts = inputs["facts"], let providerID = result.providerID, let credentialID = result.credentialID else {
            return fail("inputs_json lacks facts, provider_id or credential")
        }
        // The logged rows carry provider_id already; no provider table is needed.
        let (providers, errors) = FactLoader.load(facts, attributes: .including([loaded.version]))
        if !errors.isEmpty { return fail("logged facts no longer validate: \(errors.map(\.summary).joined(separator: "; "))") }
        guard let provider = providers.first(where: { $0.providerID == providerID }) else {
            return fail("logged facts hold no rows for provider \(providerID)")
        }
        guard let evaluation = Evaluator.evaluate(loaded, provider: provider, asOf: asOf).first(where: { $0.credentialID == credentialID })
        else {
            return fail("the rule version no longer applies to credential \(credentialID)")
        }
        if evaluation.inputsCanonical != inputs.canonicalBytes {
            result.differences += inputs.differences(to: evaluation.inputs, path: "inputs_json")
        }
        if evaluation.outputsCanonical == logged.canonicalBytes, result.differences.isEmpty {
            result.verdict = .identical
            return result
        }
        result.verdict = .differs
        result.differences += logged.differences(to: evaluation.outputs, path: "outputs_json")
        return result
    }
}
