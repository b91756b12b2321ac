public import RuleBase
import RuleIR

/// Re-runs execution-log entries and compares the outputs byte for byte.
public enum Replay {
    /// The result of replaying one log entry.
    public struct Result: Sendable {
        /// Whether the recomputed outputs are byte-identical to the logged ones.
        public var identical: Bool
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
        var result = Result(identical: false, differences: [], ruleVersionID: nil, providerID: nil, credentialID: nil)
        func fail(_ message: String) -> Result {
            result.differences = [message]
            return result
        }
        guard let inputs = logRow["inputs_json"], let logged = logRow["outputs_json"] else {
            return fail("the entry has no inputs_json or outputs_json")
        }
        result.providerID = inputs["provider_id"]?.stringValue
        result.ruleVersionID = inputs["rule_version_id"]?.stringValue
        result.credentialID = inputs["credential"]?["id"]?.stringValue
        if let recorded = logRow["inputs_sha256"]?.stringValue, recorded != sha256Hex(inputs.canonicalText) {
            return fail("inputs_json does not match its recorded SHA-256: the entry was altered")
        }
        if let recorded = logRow["outputs_sha256"]?.stringValue, recorded != sha256Hex(logged.canonicalText) {
            return fail("outputs_json does not match its recorded SHA-256: the entry was altered")
        }
        guard let hash = inputs["rule_version_hash"]?.stringValue, let loaded = ruleVersions[hash] else {
            return fail("rule version \(result.ruleVersionID ?? "?") with hash \(inputs["rule_version_hash"]?.stringValue ?? "?") is not available")
        }
        guard let asOfText = inputs["as_of"]?.stringValue, let asOf = CalendarDate(iso: asOfText) else {
            return fail("inputs_json has no valid as_of")
        }
        guard let facts = inputs["facts"], let providerID = result.providerID, let credentialID = result.credentialID else {
            return fail("inputs_json lacks facts, provider_id or credential")
        }
        // The logged rows carry provider_id already; no provider table is needed.
        let (providers, errors) = FactLoader.load(facts)
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
            result.identical = true
            return result
        }
        result.differences += logged.differences(to: evaluation.outputs, path: "outputs_json")
        return result
    }
}
