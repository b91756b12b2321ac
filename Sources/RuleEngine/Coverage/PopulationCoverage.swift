public import RuleBase
public import RuleIR

/// Counts a population's credentials that no rule version in force on a date applies to, by
/// jurisdiction and credential type. Fed one facts document at a time (a whole file, or one
/// JSON Lines line), so a large population is never held in memory.
///
/// A credential is covered when some version in effect on the as-of date applies to it by the
/// rule the evaluator uses (`applies_to` state and license types); it is then evaluated by
/// `eval`. Everything else is counted here: those are the credentials `eval` says nothing about.
public struct PopulationCoverage: Sendable {
    /// One counted cell.
    public struct Count: Sendable, Hashable {
        /// `US` for credentials that name no state, else `US-XX`.
        public var jurisdiction: String
        /// A ``CoverageCredential`` raw value, or `license_other` for a license whose type is
        /// neither MD nor DO.
        public var credential: String
        /// How many credential rows.
        public var count: Int
    }

    /// The date coverage was judged on.
    public let asOf: CalendarDate
    /// Providers read.
    public private(set) var providers = 0
    /// Credential rows read (licenses, DEA registrations, CSRs, board certifications).
    public private(set) var credentials = 0
    /// Those a version in effect applies to.
    public private(set) var covered = 0
    /// Rejected rows and documents, as `eval` reports them (rejected rows are not counted).
    public private(set) var errors: [FactError] = []
    private var uncoveredCells: [String: [String: Int]] = [:]
    /// Versions in effect by credential table, then by state ("" for nationwide versions).
    private let index: [String: [String: [Applicability]]]
    /// The attributes facts may hold (the shared table and those the packs declare).
    private let attributes: AttributeCatalogue

    /// The label for licenses whose type is neither MD nor DO.
    public static let otherLicense = "license_other"

    /// Prepares a count against the versions of `ruleVersions` in force on `asOf`.
    public init(ruleVersions: [RuleVersion], asOf: CalendarDate) {
        self.asOf = asOf
        var index: [String: [String: [Applicability]]] = [:]
        for version in ruleVersions where version.effective.contains(asOf) {
            index[version.credential.table, default: [:]][version.appliesTo.state ?? "", default: []].append(version.appliesTo)
        }
        self.index = index
        attributes = AttributeCatalogue.including(ruleVersions)
    }

    /// Adds one facts document's providers.
    public mutating func add(document: JSONValue, line: Int? = nil) {
        let (loaded, rejected) = FactLoader.load(document, line: line, attributes: attributes)
        errors += rejected
        providers += loaded.count
        for provider in loaded {
            for kind in CredentialKind.allCases {
                for row in provider.rows(kind.table) { add(row, table: kind.table) }
            }
        }
    }

    /// Records a document that could not be read (for JSON Lines, a line that is not JSON).
    public mutating func reject(line: Int?, message: String) {
        errors.append(FactError(table: nil, rowID: nil, column: nil, providerID: nil, line: line, message: message))
    }

    private mutating func add(_ row: FactRow, table: String) {
        credentials += 1
        let state = row.string("state").flatMap { $0.isEmpty ? nil : $0 }
        let byState = index[table] ?? [:]
        let candidates = (state.flatMap { byState[$0] } ?? []) + (byState[""] ?? [])
        if candidates.contains(where: { Evaluator.applies($0, to: row) }) {
            covered += 1
            return
        }
        let jurisdiction = state.map { "US-\($0)" } ?? "US"
        let credential = CoverageCredential.of(table: table, licenseType: row.string("license_type"))?.rawValue ?? Self.otherLicense
        uncoveredCells[jurisdiction, default: [:]][credential, default: 0] += 1
    }

    /// Credential rows no version in effect applies to.
    public var uncovered: Int { credentials - covered }

    /// The uncovered counts by jurisdiction (`US` first, then by code) and credential type (grid order).
    public var uncoveredCounts: [Count] {
        let order = CoverageCredential.allCases.map(\.rawValue) + [Self.otherLicense]
        let jurisdictions = uncoveredCells.keys.sorted { ($0 == "US" ? 0 : 1, $0) < ($1 == "US" ? 0 : 1, $1) }
        return jurisdictions.flatMap { jurisdiction in
            let cells = uncoveredCells[jurisdiction] ?? [:]
            return cells.keys.sorted { (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1) }
                .map { Count(jurisdiction: jurisdiction, credential: $0, count: cells[$0] ?? 0) }
        }
    }
}
