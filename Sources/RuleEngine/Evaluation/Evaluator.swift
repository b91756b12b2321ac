public import RuleBase
import RuleExpressions
public import RuleIR

/// Evaluates rule versions over one provider's facts as of a date.
///
/// The evaluation is a pure function of (rule version, facts, as-of date): no clock, no
/// randomness, rows sorted by id, so the same inputs give byte-identical log outputs.
///
/// 1. Pick, per pack, the version in effect on the as-of date.
/// 2. For each credential row the pack applies to: derive the cycle, CME window and renewal number.
/// 3. For each requirement: cadence and `when` decide applicability, exemptions (highest
///    precedence first) may exempt it, then its kind decides met or unmet, with gaps.
/// 4. The status follows Grammar/pack-language.md §8; inputs and outputs become the log entry.
public struct Evaluator: Sendable {
    /// The loaded rule versions.
    public let ruleVersions: [LoadedRuleVersion]

    /// Creates an evaluator over loaded rule versions.
    public init(ruleVersions: [LoadedRuleVersion]) {
        self.ruleVersions = ruleVersions.sorted { ($0.version.pack, $0.version.version) < ($1.version.pack, $1.version.version) }
    }

    /// The versions in effect on `asOf`, one per pack (the highest version number if several).
    public func versionsInEffect(on asOf: CalendarDate) -> [LoadedRuleVersion] {
        var byPack: [String: LoadedRuleVersion] = [:]
        for loaded in ruleVersions where loaded.version.effective.contains(asOf) {
            if let existing = byPack[loaded.version.pack], existing.version.version > loaded.version.version { continue }
            byPack[loaded.version.pack] = loaded
        }
        return byPack.keys.sorted().compactMap { byPack[$0] }
    }

    /// Evaluates every applicable pack version for one provider.
    public func evaluate(_ provider: ProviderFacts, asOf: CalendarDate) -> [CredentialEvaluation] {
        let context = ProviderContext(provider)
        var results: [CredentialEvaluation] = []
        for loaded in versionsInEffect(on: asOf) {
            for credential in provider.rows(loaded.version.credential.table) where Self.applies(loaded.version.appliesTo, to: credential) {
                results.append(CredentialEvaluator(loaded: loaded, context: context, credential: credential, asOf: asOf).run())
            }
        }
        return results
    }

    /// Evaluates one rule version for one provider (used by pack tests and replay).
    public static func evaluate(_ loaded: LoadedRuleVersion, provider: ProviderFacts, asOf: CalendarDate) -> [CredentialEvaluation] {
        let context = ProviderContext(provider)
        return provider.rows(loaded.version.credential.table)
            .filter { applies(loaded.version.appliesTo, to: $0) }
            .map { CredentialEvaluator(loaded: loaded, context: context, credential: $0, asOf: asOf).run() }
    }

    /// Whether a credential row matches a pack's `applies_to`. A license with no
    /// `license_type` matches (the evaluation then reports the type as missing data).
    static func applies(_ applicability: Applicability, to row: FactRow) -> Bool {
        if let state = applicability.state, row.string("state") != state { return false }
        if let types = applicability.licenseTypes, let type = row.string("license_type"), !types.contains(type) { return false }
        return true
    }
}

/// Per-provider values shared by every pack: the fact lists as CEL values.
struct ProviderContext {
    let facts: ProviderFacts
    let lists: [String: CELValue]
    let attributes: [String: JSONValue]

    init(_ facts: ProviderFacts) {
        self.facts = facts
        var lists: [String: CELValue] = [:]
        for table in ExpressionVariables.factLists {
            lists[table] = .list(facts.rows(table).map(Self.celRow))
        }
        self.lists = lists
        self.attributes = facts.attributes
    }

    private static let dateColumns: Set<String> = ["issue_date", "expiration_date", "completion_date", "date_of_birth"]

    static func celRow(_ row: FactRow) -> CELValue {
        guard let members = row.columns.objectMembers else { return .null }
        return CELValue.stringMap(members.map { key, value in
            if dateColumns.contains(key), let s = value.stringValue, let d = CalendarDate(iso: s) { return (key, .date(d)) }
            if key == "credits_earned", let d = row.decimal(key) { return (key, .decimal(d)) }
            return (key, celValue(value))
        })
    }

    static func celValue(_ value: JSONValue) -> CELValue {
        switch value {
        case .null: .null
        case .bool(let b): .bool(b)
        case .number(let t):
            if let i = Int64(t) { .int(i) } else if let d = ExactDecimal(JSONValue.canonicalNumber(t)) { .decimal(d) } else { .double(Double(t) ?? 0) }
        case .string(let s): .string(s)
        case .array(let items): .list(items.map(celValue))
        case .object(let members): .stringMap(members.map { ($0.0, celValue($0.1)) })
        }
    }
}

extension ScalarValue {
    var celValue: CELValue {
        switch self {
        case .int(let v): .int(v)
        case .decimal(let v): .decimal(v)
        case .bool(let v): .bool(v)
        case .string(let v): .string(v)
        case .date(let v): .date(v)
        }
    }
}
