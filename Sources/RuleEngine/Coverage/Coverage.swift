public import RuleBase
public import RuleIR

/// The credential types coverage is reported for: the grid's columns.
public enum CoverageCredential: String, Sendable, Hashable, CaseIterable {
    case licenseMD = "license_md"
    case licenseDO = "license_do"
    case deaRegistration = "dea_registration"
    case csrCertificate = "csr_certificate"
    case boardCertification = "board_certification"

    /// The credential table a pack for this type evaluates.
    public var kind: CredentialKind {
        switch self {
        case .licenseMD, .licenseDO: .license
        case .deaRegistration: .deaRegistration
        case .csrCertificate: .csrCertificate
        case .boardCertification: .boardCertification
        }
    }

    /// The `license_type` this column stands for (licenses only).
    public var licenseType: String? {
        switch self {
        case .licenseMD: "MD"
        case .licenseDO: "DO"
        default: nil
        }
    }

    /// The column heading.
    public var label: String {
        switch self {
        case .licenseMD: "license MD"
        case .licenseDO: "license DO"
        case .deaRegistration: "DEA"
        case .csrCertificate: "CSR"
        case .boardCertification: "board cert"
        }
    }

    /// Whether a credential of this type can belong to a state (its rows carry `state`) and
    /// whether it can belong to the nation as a whole (its rows may lack `state`), as the fact
    /// schema declares: licenses and CSRs always name their state, board certifications never
    /// do, DEA registrations may (a federal registration held per state).
    var occursInStates: Bool { self != .boardCertification }
    var occursNationally: Bool { self == .deaRegistration || self == .boardCertification }

    /// The column a credential row falls in, or nil for a license whose type is neither MD
    /// nor DO (the population count reports those as `license_other`).
    static func of(table: String, licenseType: String?) -> CoverageCredential? {
        switch table {
        case "licenses": licenseType == "MD" ? .licenseMD : licenseType == "DO" ? .licenseDO : nil
        case "dea_registrations": .deaRegistration
        case "csr_certificates": .csrCertificate
        case "board_certifications": .boardCertification
        default: nil
        }
    }
}

/// Which rule versions cover which jurisdiction and credential type, and where nothing does.
///
/// Computed from compiled rule versions alone (never YAML), so the command line and CI see the
/// same grid the engine evaluates with. Jurisdictions are the federal level (`US`) and the 50
/// states and DC (`US-TX`); a pack for any other state code adds a row of its own.
public struct CoverageReport: Sendable {
    /// The 50 states and DC, by postal code: the grid's rows whatever packs exist.
    public static let stateCodes = [
        "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS", "KY",
        "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH",
        "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY",
    ]
    /// The confidence marks of the regulations file, in the order they are reported; a
    /// requirement whose citation has no mark (or names no citation) counts as `unmarked`.
    public static let confidenceMarks = Vocabulary.confidences
    /// The key under which requirements without a confidence mark are counted.
    public static let unmarked = "unmarked"

    /// One version of a pack, summarised.
    public struct VersionSummary: Sendable, Hashable {
        /// `pack@version`.
        public var id: String
        /// The pack's identity, e.g. `US-TX/physician-license`.
        public var pack: String
        /// The version number.
        public var version: Int
        /// SHA-256 of the rule version's canonical JSON.
        public var hash: String
        /// When the version is in force.
        public var effective: EffectiveRange
        /// Whether it is in force on the report's as-of date (nil without one).
        public var inEffect: Bool?
        /// Number of requirements.
        public var requirements: Int
        /// Requirements by the confidence mark of the citation each cites: every key of
        /// ``CoverageReport/confidenceMarks`` plus ``CoverageReport/unmarked``, and any other
        /// mark a hand-written rule version carries.
        public var confidence: [String: Int]
    }

    /// The versions of one pack that fall in a cell.
    public struct PackSummary: Sendable, Hashable {
        /// The pack's identity.
        public var pack: String
        /// Its versions, by version number.
        public var versions: [VersionSummary]
    }

    /// What covers one jurisdiction × credential type.
    public struct Cell: Sendable, Hashable {
        /// Whether a pack covers the cell.
        public enum Status: String, Sendable, Hashable { case covered, gap, notApplicable = "not_applicable", notIssued = "not_issued" }
        /// `US` or `US-XX`.
        public var jurisdiction: String
        /// The column.
        public var credential: CoverageCredential
        /// Packs written for this jurisdiction (for `US`: the packs that name no state).
        public var packs: [PackSummary]
        /// For a state: nationwide packs (no `applies_to.state`) that apply to its credentials too.
        public var nationwide: [String]
        /// `covered` when some pack applies; `not_applicable` when no credential of this type
        /// can belong to this jurisdiction (a national license, a state board certification);
        /// `not_issued` when a pack of the state says, citing its law, that the state issues none.
        public var status: Status
        /// For `not_issued`: the declaring pack version and the citation it rests on.
        public var notIssued: NotIssuedSource? = nil
    }

    /// Where a state's "issues no credential of this type" comes from.
    public struct NotIssuedSource: Sendable, Hashable {
        /// `pack@version` of the declaring pack.
        public var version: String
        /// The citation.
        public var citation: Citation
    }

    /// The as-of date the versions in effect were judged on, if any.
    public var asOf: CalendarDate?
    /// Row labels in order: `US`, then `US-AK` … `US-WY`, then any other state a pack names.
    public var jurisdictions: [String]
    /// Cells, row by row, each row in ``CoverageCredential/allCases`` order.
    public var cells: [Cell]
    /// Rule versions counted.
    public var ruleVersionCount: Int
    /// Distinct packs counted.
    public var packCount: Int

    /// Builds the grid.
    /// - Parameter asOf: marks each version in force on that date.
    public init(ruleVersions: [RuleVersion], asOf: CalendarDate? = nil) {
        self.asOf = asOf
        let sorted = ruleVersions.sorted { ($0.pack, $0.version) < ($1.pack, $1.version) }
        ruleVersionCount = sorted.count
        packCount = Set(sorted.map(\.pack)).count
        let summaries = sorted.map { Self.summary($0, asOf: asOf) }

        let known = Set(Self.stateCodes)
        let extra = Set(sorted.compactMap(\.appliesTo.state)).subtracting(known).sorted()
        let states = Self.stateCodes + extra
        jurisdictions = ["US"] + states.map { "US-\($0)" }

        func packs(state: String?, credential: CoverageCredential) -> [PackSummary] {
            var result: [PackSummary] = []
            for (version, summary) in zip(sorted, summaries)
            where version.appliesTo.state == state && Self.covers(version, credential) {
                if result.last?.pack == version.pack { result[result.count - 1].versions.append(summary) }
                else { result.append(PackSummary(pack: version.pack, versions: [summary])) }
            }
            return result
        }
        var cells: [Cell] = []
        let national = Dictionary(uniqueKeysWithValues: CoverageCredential.allCases.map { ($0, packs(state: nil, credential: $0)) })
        for credential in CoverageCredential.allCases {
            let own = national[credential] ?? []
            let status: Cell.Status = !own.isEmpty ? .covered : credential.occursNationally ? .gap : .notApplicable
            cells.append(Cell(jurisdiction: "US", credential: credential, packs: own, nationwide: [], status: status))
        }
        for state in states {
            for credential in CoverageCredential.allCases {
                let own = packs(state: state, credential: credential)
                let nationwide = credential.occursInStates ? (national[credential] ?? []).map(\.pack) : []
                let absent = own.isEmpty && nationwide.isEmpty ? NotIssued.declaration(in: sorted, state: state, credential: credential.kind, asOf: asOf)
                    .map { NotIssuedSource(version: $0.version.id, citation: $0.citation) } : nil
                let status: Cell.Status = !own.isEmpty || !nationwide.isEmpty ? .covered
                    : absent != nil ? .notIssued : credential.occursInStates ? .gap : .notApplicable
                cells.append(Cell(jurisdiction: "US-\(state)", credential: credential, packs: own, nationwide: nationwide, status: status,
                                  notIssued: absent))
            }
        }
        self.cells = cells
    }

    /// The cells with no pack where credentials of that type exist.
    public var gaps: [Cell] { cells.filter { $0.status == .gap } }

    /// The cell for a jurisdiction and credential type.
    public func cell(_ jurisdiction: String, _ credential: CoverageCredential) -> Cell? {
        cells.first { $0.jurisdiction == jurisdiction && $0.credential == credential }
    }

    static func covers(_ version: RuleVersion, _ credential: CoverageCredential) -> Bool {
        guard version.credential == credential.kind else { return false }
        guard let type = credential.licenseType, let accepted = version.appliesTo.licenseTypes else { return true }
        return accepted.contains(type)
    }

    static func summary(_ version: RuleVersion, asOf: CalendarDate?) -> VersionSummary {
        let marks = Dictionary(version.citations.map { ($0.id, $0.confidence) }, uniquingKeysWith: { first, _ in first })
        var confidence = Dictionary(uniqueKeysWithValues: (confidenceMarks + [unmarked]).map { ($0, 0) })
        for requirement in version.requirements {
            let mark = marks[requirement.cite].flatMap { $0 } ?? unmarked
            confidence[mark, default: 0] += 1
        }
        return VersionSummary(
            id: version.id, pack: version.pack, version: version.version, hash: version.hash, effective: version.effective,
            inEffect: asOf.map { version.effective.contains($0) }, requirements: version.requirements.count,
            confidence: confidence)
    }
}
