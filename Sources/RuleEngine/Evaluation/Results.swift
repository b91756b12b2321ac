public import RuleBase
public import RuleIR

/// How one requirement ended for one credential.
public enum RequirementOutcome: String, Sendable, Hashable, CaseIterable {
    case met, unmet, exempt
    case notApplicable = "not_applicable"
    case unknown
}

/// The output vocabulary's `compliance_status`.
public enum ComplianceStatus: String, Sendable, Hashable, CaseIterable {
    case compliant
    case inProgress = "in_progress"
    case atRisk = "at_risk"
    case nonCompliant = "non_compliant"
    case unknown
}

/// A gap: something a provider must do, tied to a requirement and its citation.
public struct Gap: Sendable, Hashable {
    /// Gap type from the output vocabulary.
    public var type: GapType
    /// For `custom` gaps, the pack's own code.
    public var code: String?
    /// A concrete sentence: what, how much, by when, under which law.
    public var description: String
    /// Severity.
    public var severity: GapSeverity
    /// The requirement that produced it (nil for gaps about the credential itself).
    public var requirementID: String?
    /// The citation text.
    public var citation: String?
    /// When it must be closed, if known.
    public var dueDate: CalendarDate?
}

/// The result of one requirement for one credential.
public struct RequirementResult: Sendable, Hashable {
    /// Requirement id.
    public var id: String
    /// Kind.
    public var kind: RequirementKind
    /// Outcome.
    public var outcome: RequirementOutcome
    /// Hours earned that counted (hour kinds).
    public var earned: ExactDecimal?
    /// Hours required (hour kinds).
    public var required: ExactDecimal?
    /// The window hours were counted in (hour kinds).
    public var windowStart: CalendarDate?
    public var windowEnd: CalendarDate?
    /// When it is due.
    public var deadline: CalendarDate?
    /// Ids of the fact rows that counted.
    public var countedRows: [String] = []
    /// The exemption that applied.
    public var exemptedBy: String?
    /// A short reason in words.
    public var reason: String
    /// Gaps it produced.
    public var gaps: [Gap] = []
    /// What the evaluation saw, for `explain` (expressions and their values, rows, parameters).
    public var trace: [String] = []
    /// The alternative that satisfied the requirement (outcome `met`, not by its own facts).
    public var satisfiedBy: String?
    /// Hours carried from the previous window and included in `earned` (`carry_forward`), when any.
    public var carriedIn: ExactDecimal?
    /// What each cap of the requirement did (`caps`, §3.11); nil when it has none.
    public var capped: [CappedHours]?
    /// How the stored expiration date compared with the expiry rule (`expiry`, §3.12): `matches: …`,
    /// `mismatch: expected …`, `not checked: …`; nil when the requirement has no expiry rule.
    public var expiryCheck: String?
    /// How `prorate` (§3.15) reduced the hour figure: `40 x 14 / 24 months licensed = 23.333333333 (not
    /// rounded)`; nil when the requirement has no proration or the full figure stood.
    public var prorated: String?
}

/// The evaluation of one rule version for one credential of one provider.
public struct CredentialEvaluation: Sendable {
    /// Provider id.
    public var providerID: String
    /// The rule version's id (`pack@version`), type (pack) and hash.
    public var ruleVersionID: String
    public var ruleType: String
    public var ruleVersionHash: String
    /// As-of date.
    public var asOf: CalendarDate
    /// The evaluated credential.
    public var credentialKind: CredentialKind
    public var credentialID: String
    /// The CME window (both ends inclusive).
    public var windowStart: CalendarDate?
    public var windowEnd: CalendarDate?
    /// The credential's expiration date.
    public var nextRenewalDate: CalendarDate?
    /// `next_renewal_date − as_of`, negative when past.
    public var daysUntilDue: Int?
    /// Renewal number of the current cycle.
    public var renewalNumber: Int?
    /// Overall status.
    public var status: ComplianceStatus
    /// Per requirement, in pack order.
    public var requirements: [RequirementResult]
    /// Every gap, requirement gaps first in pack order.
    public var gaps: [Gap]
    /// Parameter values in force for the cycle, by name.
    public var parameterValues: [(String, ScalarValue)]
    /// Attribute defaults that stood in for missing facts.
    public var defaultsUsed: [(String, ScalarValue)]
    /// The provider attributes the rule version reads that came from facts (key, value), for
    /// `explain`; a default in their place is in ``defaultsUsed``. The log's inputs hold the rows.
    public var attributesOnFile: [(String, ScalarValue)] = []
    /// The `rules_execution_log` row as canonical JSON bytes (empty when the evaluator does
    /// not record the log).
    public internal(set) var logLine: [UInt8] = []
    /// Where `inputs_json` and `outputs_json` lie in ``logLine``.
    var inputsRange = 0..<0
    var outputsRange = 0..<0
    /// The execution log's inputs and outputs: canonical bytes, and parsed back.
    public var inputsCanonical: [UInt8] { Array(logLine[inputsRange]) }
    public var outputsCanonical: [UInt8] { Array(logLine[outputsRange]) }
    public var inputs: JSONValue { (try? JSONParser.parse(String(decoding: inputsCanonical, as: UTF8.self))) ?? .null }
    public var outputs: JSONValue { (try? JSONParser.parse(String(decoding: outputsCanonical, as: UTF8.self))) ?? .null }
    /// Their SHA-256, as written in the log.
    public internal(set) var inputsSHA256 = ""
    public internal(set) var outputsSHA256 = ""

    /// Whether a rule version decided it. False for a credential no rule version covers, or
    /// whose row was rejected: status `unknown`, one gap saying why, no execution-log entry.
    public var wasEvaluated: Bool { !ruleVersionHash.isEmpty }

    /// Whether no rule version covers the credential (its gap is `no_rule_pack`).
    public var noRulePackCovers: Bool { gaps.contains { $0.type == .noRulePack } }
}

extension CredentialEvaluation {
    /// A credential reported without being evaluated (see ``wasEvaluated``).
    /// - Parameter version: the rule version it would have been evaluated against, if known.
    init(unevaluated kind: CredentialKind, id: String, provider: String, asOf: CalendarDate, expiration: CalendarDate?, gap: Gap,
         version: LoadedRuleVersion?) {
        self.init(
            providerID: provider, ruleVersionID: version?.id ?? "", ruleType: version?.version.pack ?? "", ruleVersionHash: "",
            asOf: asOf, credentialKind: kind, credentialID: id, windowStart: nil, windowEnd: nil, nextRenewalDate: expiration,
            daysUntilDue: expiration.map { asOf.days(until: $0) }, renewalNumber: nil, status: .unknown, requirements: [], gaps: [gap],
            parameterValues: [], defaultsUsed: [])
    }
}

extension CredentialKind {
    /// The credential in words, for gap descriptions.
    var noun: String {
        switch self {
        case .license: "license"
        case .deaRegistration: "DEA registration"
        case .csrCertificate: "controlled-substance registration"
        case .boardCertification: "board certification"
        }
    }
}
