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
    /// Whether evaluations carry their execution-log documents (canonical inputs and outputs
    /// with SHA-256). Off for work that only needs the decisions (impact, benchmarks of rules).
    public let recordsLog: Bool
    /// Whether each requirement records what it saw (for `explain`).
    public let tracing: Bool

    /// The credential kinds some loaded rule version evaluates.
    let evaluatedKinds: Set<CredentialKind>
    /// The provider attributes facts may hold: the shared table and those the loaded packs declare.
    public let attributes: AttributeCatalogue

    /// Creates an evaluator over loaded rule versions.
    public init(ruleVersions: [LoadedRuleVersion], recordsLog: Bool = true, tracing: Bool = false) {
        self.recordsLog = recordsLog
        self.tracing = tracing
        self.ruleVersions = ruleVersions.sorted { ($0.version.pack, $0.version.version) < ($1.version.pack, $1.version.version) }
        self.evaluatedKinds = Set(ruleVersions.map(\.version.credential))
        self.attributes = AttributeCatalogue.including(ruleVersions.map(\.version))
        self.index = VersionIndex(self.ruleVersions)
        self.versionsByState = Dictionary(grouping: self.ruleVersions.map(\.version).filter { $0.appliesTo.state != nil }) {
            $0.appliesTo.state ?? ""
        }
    }

    /// The versions of each state's packs, sorted by pack and version: an uncovered row of a type
    /// its state issues none of (``NotIssued/declaration(in:state:credential:asOf:)``) is reported
    /// with the law that says so.
    private let versionsByState: [String: [RuleVersion]]

    /// The packs by the credential table and state they apply to, built once: a provider's
    /// credentials find their packs without a scan of every pack.
    private let index: VersionIndex

    /// The versions in effect on `asOf`, one per pack (the highest version number if several).
    public func versionsInEffect(on asOf: CalendarDate) -> [LoadedRuleVersion] {
        // `ruleVersions` is sorted by pack, then version: the last in effect per pack wins.
        var chosen: [LoadedRuleVersion] = []
        for loaded in ruleVersions where loaded.version.effective.contains(asOf) {
            if let last = chosen.last, last.version.pack == loaded.version.pack {
                chosen[chosen.count - 1] = loaded
            } else {
                chosen.append(loaded)
            }
        }
        return chosen
    }

    /// Evaluates every applicable pack version for one provider: per pack, the version in
    /// effect on `asOf` (the highest version number if several), as ``versionsInEffect(on:)``
    /// chooses, but only for the packs the index finds for the provider's credentials.
    public func evaluate(_ provider: ProviderFacts, asOf: CalendarDate) -> [CredentialEvaluation] {
        var noBatch: EvaluationBatch?
        return evaluate(provider, asOf: asOf, loggingInto: &noBatch)
    }

    /// As ``evaluate(_:asOf:)``; with a batch (and ``recordsLog``), each log row is written
    /// straight into the batch's log, in the order of the evaluations returned, and the
    /// evaluations' own ``CredentialEvaluation/logLine`` stays empty (a bulk run copies no row).
    func evaluate(_ provider: ProviderFacts, asOf: CalendarDate, loggingInto batch: inout EvaluationBatch?) -> [CredentialEvaluation] {
        var work: [(LoadedRuleVersion, FactRow)] = []
        var lists = Set<String>()
        var covered = Set<ObjectIdentifier>()
        for pack in index.packs(for: provider) {
            // A pack's versions are sorted by version number: the last in effect wins.
            guard let loaded = pack.last(where: { $0.version.effective.contains(asOf) }) else { continue }
            let credentials = provider.rows(loaded.version.credential.table).filter { Self.applies(loaded.version.appliesTo, to: $0) }
            guard !credentials.isEmpty else { continue }
            work += credentials.map { (loaded, $0) }
            for credential in credentials { covered.insert(ObjectIdentifier(credential)) }
            // Only the versions that apply to this provider decide which lists to prepare.
            lists.formUnion(loaded.expressionTables)
        }
        var results: [CredentialEvaluation] = []
        if !work.isEmpty {
            let context = ProviderContext(provider, lists: lists)
            results.reserveCapacity(work.count)
            for (loaded, credential) in work {
                var evaluator = CredentialEvaluator(loaded: loaded, context: context, credential: credential, asOf: asOf)
                evaluator.tracing = tracing
                guard recordsLog, batch != nil else {
                    results.append(evaluator.run(recordingLog: recordsLog))
                    continue
                }
                var evaluation = evaluator.run(recordingLog: false)
                batch?.appendLog(writing: &evaluation, loaded: loaded, context: context, credential: credential)
                results.append(evaluation)
            }
        }
        // No credential vanishes: one no rule version covers, or whose row was rejected, is
        // still reported, as `unknown` with the gap that says why.
        for table in evaluatedTables {
            for row in provider.rows(table.name) where !covered.contains(ObjectIdentifier(row)) {
                let kind = table.credentialKind ?? .license
                let state = row.string(FactColumns.state) ?? ""
                let absent = NotIssued.declaration(in: versionsByState[state] ?? [], state: state, credential: kind, asOf: asOf)
                results.append(Self.uncovered(row, kind: kind, provider: provider.providerID, asOf: asOf, notIssuedBy: absent))
            }
        }
        // Rare: only a provider with rejected rows needs every version in effect.
        let versions = provider.rejected.isEmpty ? [] : versionsInEffect(on: asOf)
        for rejected in provider.rejected {
            guard let table = rejected.table, let kind = table.credentialKind, evaluatedTables.contains(where: { $0 === table }) else { continue }
            results += Self.undecidable(rejected, kind: kind, provider: provider.providerID, asOf: asOf, versions: versions)
        }
        return results
    }

    /// The credential tables some loaded rule version evaluates (a kind no pack evaluates, like
    /// board certifications today, is evidence for requirements, not a credential with a window).
    private var evaluatedTables: [FactTable] {
        FactSchema.tables.filter { table in table.credentialKind.map { evaluatedKinds.contains($0) } ?? false }
    }

    /// A credential no rule version in effect applies to: `unknown`, with a `no_rule_pack` gap;
    /// when a pack in effect says its state issues no credential of this type, the gap says so
    /// and cites it (the row is then data about a credential that does not exist).
    static func uncovered(
        _ row: FactRow, kind: CredentialKind, provider: String, asOf: CalendarDate, notIssuedBy: (version: RuleVersion, citation: Citation)? = nil
    ) -> CredentialEvaluation {
        let state = row.string(FactColumns.state)
        let type = row.string(FactColumns.licenseType)
        let what = [state, type].compactMap { $0 }.joined(separator: " ")
        let end = row.date(FactColumns.expirationDate)
        var description = "No rule pack in effect on \(asOf) covers \(kind.noun) \(row.id)\(what.isEmpty ? "" : " (\(what))"): its compliance cannot be decided"
        var citation: String?
        if let (declaring, cited) = notIssuedBy {
            citation = cited.text
            description += "; \(declaring.id) cites that US-\(state ?? "") issues none (\(cited.text)"
                + (cited.confidence.map { ", confidence \($0)" } ?? "") + "): check where this row came from"
        }
        let gap = Gap(type: .noRulePack, code: nil, description: description,
                      severity: .medium, requirementID: nil, citation: citation, dueDate: nil)
        return CredentialEvaluation(unevaluated: kind, id: row.id, provider: provider, asOf: asOf, expiration: end, gap: gap, version: nil)
    }

    /// A credential whose row was rejected: `unknown` with a `missing_data` gap naming the
    /// table, row and column, once per rule version in effect that its written state and
    /// license type would select (or once without a rule version when none would).
    static func undecidable(
        _ rejected: RejectedRow, kind: CredentialKind, provider: String, asOf: CalendarDate, versions: [LoadedRuleVersion]
    ) -> [CredentialEvaluation] {
        let state = rejected.string(FactColumns.state)
        let type = rejected.string(FactColumns.licenseType)
        let matching = versions.filter { loaded in
            let version = loaded.version
            guard version.credential == kind else { return false }
            if let required = version.appliesTo.state, state != required { return false }
            if let types = version.appliesTo.licenseTypes, let type, !types.contains(type) { return false }
            return true
        }
        let id = rejected.error.rowID ?? "?"
        let end = rejected.string(FactColumns.expirationDate).flatMap(CalendarDate.init(iso:))
        let gap = Gap(type: .missingData, code: nil,
                      description: "Cannot decide \(kind.noun) \(id): its row was rejected (\(rejected.error.summary))",
                      severity: .medium, requirementID: nil, citation: nil, dueDate: nil)
        if matching.isEmpty {
            return [CredentialEvaluation(unevaluated: kind, id: id, provider: provider, asOf: asOf, expiration: end, gap: gap, version: nil)]
        }
        return matching.map { CredentialEvaluation(unevaluated: kind, id: id, provider: provider, asOf: asOf, expiration: end, gap: gap, version: $0) }
    }

    /// Evaluates one rule version for one provider (used by pack tests, replay and impact).
    public static func evaluate(
        _ loaded: LoadedRuleVersion, provider: ProviderFacts, asOf: CalendarDate, recordingLog: Bool = true
    ) -> [CredentialEvaluation] {
        let context = ProviderContext(provider, lists: loaded.expressionTables)
        return provider.rows(loaded.version.credential.table)
            .filter { applies(loaded.version.appliesTo, to: $0) }
            .map { CredentialEvaluator(loaded: loaded, context: context, credential: $0, asOf: asOf).run(recordingLog: recordingLog) }
    }

    /// Whether a credential row matches a pack's `applies_to`. A license with no
    /// `license_type` matches (the evaluation then reports the type as missing data).
    static func applies(_ applicability: Applicability, to row: FactRow) -> Bool {
        if let state = applicability.state, row.string(FactColumns.state) != state { return false }
        if let types = applicability.licenseTypes, let type = row.string(FactColumns.licenseType), !types.contains(type) { return false }
        return true
    }
}

/// Per-provider values shared by every pack: the fact lists as CEL values.
struct ProviderContext {
    let facts: ProviderFacts
    let lists: [String: CELValue]
    let attributes: [String: JSONValue]
    /// CME events with their columns parsed once (every hours requirement scans them).
    let events: [CMEEvent]
    /// The provider's rejected rows by table: a requirement that reads a table with a rejected
    /// row cannot be decided.
    let rejected: [String: [FactError]]
    /// Attribute keys whose `provider_attributes` row was rejected: missing, never defaulted.
    let rejectedAttributes: Set<String>

    struct CMEEvent {
        let id: String
        let category: String
        let creditType: String?
        let credits: ExactDecimal
        let completed: CalendarDate
        let expires: CalendarDate?
    }

    /// - Parameter needed: the fact lists expressions read (only those are converted to CEL values).
    init(_ facts: ProviderFacts, lists needed: Set<String>) {
        self.facts = facts
        self.events = facts.rows(FactSchema.cmeEvents.name).compactMap { row in
            guard let completed = row.date(FactColumns.completionDate), let credits = row.decimal(FactColumns.creditsEarned) else { return nil }
            return CMEEvent(id: row.id, category: row.string(FactColumns.category) ?? "", creditType: row.string(FactColumns.creditType),
                            credits: credits, completed: completed, expires: row.date(FactColumns.expirationDate))
        }
        var lists: [String: CELValue] = [:]
        for table in ExpressionVariables.factLists where needed.contains(table) {
            lists[table] = .list(facts.rows(table).map(Self.celRow))
        }
        self.lists = lists
        self.attributes = facts.attributes
        var rejected: [String: [FactError]] = [:]
        var rejectedAttributes = Set<String>()
        for row in facts.rejected {
            rejected[row.table?.name ?? "", default: []].append(row.error)
            if row.table === FactSchema.providerAttributes, let key = row.string(FactColumns.key) { rejectedAttributes.insert(key) }
        }
        self.rejected = rejected
        self.rejectedAttributes = rejectedAttributes
    }

    static func celRow(_ row: FactRow) -> CELValue {
        guard let members = row.columns.objectMembers else { return .null }
        return CELValue.stringMap(members.map { key, value in
            // Typed as the fact schema declares the column, as the checker types it.
            switch FactSchema.columnType(named: key) {
            case .date?:
                if let d = value.stringValue.flatMap(CalendarDate.init(iso:)) { return (key, .date(d)) }
            case .decimal?:
                if let d = FactRow.decimal(value) { return (key, .decimal(d)) }
            default: break
            }
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

/// Packs by the credential table and `applies_to.state` of their versions ("" for versions
/// that name no state), so that a provider's packs are found from its credential rows.
struct VersionIndex: Sendable {
    /// Each pack's versions, sorted by version number; packs in pack order.
    let packs: [[LoadedRuleVersion]]
    /// Per credential table, per state: positions in `packs`, ascending.
    private let positions: [String: [String: [Int]]]

    /// - Parameter sorted: rule versions sorted by pack, then version.
    init(_ sorted: [LoadedRuleVersion]) {
        var packs: [[LoadedRuleVersion]] = []
        for loaded in sorted {
            if let last = packs.last?.last, last.version.pack == loaded.version.pack { packs[packs.count - 1].append(loaded) }
            else { packs.append([loaded]) }
        }
        var positions: [String: [String: [Int]]] = [:]
        for (position, versions) in packs.enumerated() {
            for loaded in versions {
                let key = loaded.version.appliesTo.state ?? ""
                var list = positions[loaded.version.credential.table, default: [:]][key, default: []]
                if list.last != position { list.append(position) }
                positions[loaded.version.credential.table, default: [:]][key] = list
            }
        }
        self.packs = packs
        self.positions = positions
    }

    /// The packs some version of which may apply to one of the provider's credentials, in pack
    /// order (a superset: `applies_to` still decides, row by row).
    func packs(for provider: ProviderFacts) -> [[LoadedRuleVersion]] {
        var found: [Int] = []
        for (table, byState) in positions {
            let rows = provider.rows(table)
            guard !rows.isEmpty else { continue }
            if let nationwide = byState[""] { found += nationwide }
            for row in rows {
                if let state = row.string("state"), !state.isEmpty, let own = byState[state] { found += own }
            }
        }
        found.sort()
        var result: [[LoadedRuleVersion]] = []
        var previous = -1
        for position in found where position != previous {
            result.append(packs[position])
            previous = position
        }
        return result
    }
}
