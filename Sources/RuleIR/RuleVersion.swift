public import RuleBase

/// A compiled rule pack: the typed intermediate representation the evaluator runs.
///
/// It is stored as canonical JSON (``RuleVersion/canonicalJSON``) whose SHA-256 identifies it
/// (``RuleVersion/hash``). The evaluator needs nothing else: it never re-reads YAML.
public struct RuleVersion: Sendable, Hashable {
    /// The format tag written into every rule version.
    public static let formatTag = "credrules.rule-version/1"

    /// Identity that never changes across versions, e.g. `US-TX/physician-license`.
    public var pack: String
    /// Version number (`rule_versions.version_number`).
    public var version: Int
    /// Human title.
    public var title: String
    /// Board or agency.
    public var authority: String
    /// Which fact table holds the credential the pack evaluates.
    public var credential: CredentialKind
    /// Which credential rows the pack applies to.
    public var appliesTo: Applicability
    /// When this version is in force.
    public var effective: EffectiveRange
    /// Citations by id, sorted by id.
    public var citations: [Citation]
    /// Parameters whose value changes by date, sorted by name.
    public var parameters: [Parameter]
    /// Provider attributes the pack's expressions read, with their declared types and defaults.
    public var attributes: [AttributeDeclaration]
    /// Renewal cycle and windows.
    public var cycle: Cycle
    /// Requirements in pack order.
    public var requirements: [Requirement]
    /// Exemptions in pack order.
    public var exemptions: [Exemption]
    /// The pack's own test cases, copied as data.
    public var tests: [PackTest]
    /// Free text: uncertain sources and readings chosen.
    public var notes: String?
    /// Alternatives that satisfy requirements another way, in pack order (omitted from the JSON when empty).
    public var alternatives: [Alternative]
    /// Credential types the jurisdiction does not issue, with their citations (omitted from the JSON when empty).
    public var notIssued: [NotIssued]

    /// Creates a rule version.
    public init(
        pack: String, version: Int, title: String, authority: String, credential: CredentialKind,
        appliesTo: Applicability, effective: EffectiveRange, citations: [Citation], parameters: [Parameter],
        attributes: [AttributeDeclaration], cycle: Cycle, requirements: [Requirement], exemptions: [Exemption],
        tests: [PackTest], notes: String?, alternatives: [Alternative] = [], notIssued: [NotIssued] = []
    ) {
        self.pack = pack
        self.version = version
        self.title = title
        self.authority = authority
        self.credential = credential
        self.appliesTo = appliesTo
        self.effective = effective
        self.citations = citations
        self.parameters = parameters
        self.attributes = attributes
        self.cycle = cycle
        self.requirements = requirements
        self.exemptions = exemptions
        self.tests = tests
        self.notes = notes
        self.alternatives = alternatives
        self.notIssued = notIssued
    }

    /// `pack@version`: the rule version's id in files (`rule_versions.id` holds it too).
    public var id: String { "\(pack)@\(version)" }
}

/// The credential tables a pack can evaluate.
public enum CredentialKind: String, Sendable, Hashable, CaseIterable {
    case license
    case deaRegistration = "dea_registration"
    case csrCertificate = "csr_certificate"
    case boardCertification = "board_certification"

    /// The facts table that holds rows of this kind.
    public var table: String { FactSchema.table(for: self).name }
}

/// Which credential rows a pack applies to; nil means any.
public struct Applicability: Sendable, Hashable {
    /// Two-letter state code.
    public var state: String?
    /// Accepted license types (`MD`, `DO`).
    public var licenseTypes: [String]?

    /// Creates an applicability filter.
    public init(state: String?, licenseTypes: [String]?) {
        self.state = state
        self.licenseTypes = licenseTypes
    }
}

/// An inclusive date range; `to` nil means open-ended.
public struct EffectiveRange: Sendable, Hashable {
    /// First day in force.
    public var from: CalendarDate
    /// Last day in force, if any.
    public var to: CalendarDate?

    /// Creates a range.
    public init(from: CalendarDate, to: CalendarDate?) {
        self.from = from
        self.to = to
    }

    /// Whether `date` lies in the range.
    public func contains(_ date: CalendarDate) -> Bool {
        date >= from && (to.map { date <= $0 } ?? true)
    }

    /// Whether the two ranges share a day.
    public func overlaps(_ other: EffectiveRange) -> Bool {
        (other.to.map { from <= $0 } ?? true) && (to.map { other.from <= $0 } ?? true)
    }
}

/// A citation of the law a requirement encodes.
public struct Citation: Sendable, Hashable {
    /// Id used by `cite:`.
    public var id: String
    /// The citation text, e.g. `22 Tex. Admin. Code §161.35`.
    public var text: String
    /// Source page, if given.
    public var url: String?
    /// Confidence mark (`V`, `V2`, `P`, `R`, `C`).
    public var confidence: String?
    /// Free text about the source.
    public var note: String?

    /// The legal reference alone: the text up to its first comma outside parentheses
    /// (`22 Tex. Admin. Code §161.35(a) (formerly §166.2), 48 credits…` gives the part before
    /// the comma). Gap descriptions cite this, so packs write the reference first.
    public var reference: String {
        var depth = 0
        var previous: Character = " "
        for index in text.indices {
            let c = text[index]
            if c == "(" { depth += 1 } else if c == ")" { depth = max(0, depth - 1) }
            if c == " ", previous == ",", depth == 0 {
                return String(text[..<text.index(before: index)])
            }
            previous = c
        }
        return text
    }

    /// Creates a citation.
    public init(id: String, text: String, url: String? = nil, confidence: String? = nil, note: String? = nil) {
        self.id = id
        self.text = text
        self.url = url
        self.confidence = confidence
        self.note = note
    }
}

/// The value types a parameter or attribute can have.
public enum ValueType: String, Sendable, Hashable, CaseIterable {
    case int, decimal, bool, string, date
}

/// A typed scalar value held in the IR (parameter values, attribute defaults).
public enum ScalarValue: Sendable, Hashable, CustomStringConvertible {
    case int(Int64)
    case decimal(ExactDecimal)
    case bool(Bool)
    case string(String)
    case date(CalendarDate)

    /// The value's type.
    public var type: ValueType {
        switch self {
        case .int: .int
        case .decimal: .decimal
        case .bool: .bool
        case .string: .string
        case .date: .date
        }
    }

    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .decimal(let v): v.description
        case .bool(let v): v ? "true" : "false"
        case .string(let v): v
        case .date(let v): v.description
        }
    }
}

/// A parameter with dated values.
public struct Parameter: Sendable, Hashable {
    /// Name, referenced as `params.NAME`.
    public var name: String
    /// Declared type.
    public var type: ValueType
    /// Values by the date from which each applies, sorted by date.
    public var values: [DatedValue]

    /// A value and the first cycle end it applies to.
    public struct DatedValue: Sendable, Hashable {
        /// Applies to cycles ending on or after this date.
        public var from: CalendarDate
        /// The value.
        public var value: ScalarValue

        /// Creates a dated value.
        public init(from: CalendarDate, value: ScalarValue) {
            self.from = from
            self.value = value
        }
    }

    /// Creates a parameter.
    public init(name: String, type: ValueType, values: [DatedValue]) {
        self.name = name
        self.type = type
        self.values = values
    }

    /// The value in force for a cycle ending on `date`: the latest dated value on or before it.
    public func value(forCycleEnding date: CalendarDate) -> ScalarValue? {
        values.last { $0.from <= date }?.value
    }
}

/// A provider attribute a pack reads (declared in `Grammar/pack-language.md` §7).
public struct AttributeDeclaration: Sendable, Hashable {
    /// The key in `provider_attributes`.
    public var key: String
    /// Declared type.
    public var type: ValueType
    /// The documented default, when a board's rule makes one reasonable.
    public var defaultValue: ScalarValue?
    /// What the attribute means, for one a pack declares itself (`attributes:`, `Grammar/pack-language.md` §7.1);
    /// nil for the shared table's (``ProviderAttributes``), whose meanings are in `Grammar/pack-language.md` §7.
    public var meaning: String?

    /// Creates a declaration.
    public init(key: String, type: ValueType, defaultValue: ScalarValue?) {
        self.key = key
        self.type = type
        self.defaultValue = defaultValue
    }
}

/// Renewal cycle and windows.
public struct Cycle: Sendable, Hashable {
    /// Renewal cycle length in months.
    public var months: Int
    /// CME window length in months (equal to `months` unless decoupled).
    public var cmeWindowMonths: Int
    /// Warning window in days for `at_risk` and `credential_expiring`.
    public var warnWithinDays: Int
    /// The longest first term, from issue to first expiration (default `months`; California's
    /// first term runs to the end of the issue month two years on, so up to 25 months).
    public var firstTermMonths: Int

    /// Creates a cycle.
    public init(months: Int, cmeWindowMonths: Int, warnWithinDays: Int, firstTermMonths: Int? = nil) {
        self.months = months
        self.cmeWindowMonths = cmeWindowMonths
        self.warnWithinDays = warnWithinDays
        self.firstTermMonths = firstTermMonths ?? months
    }
}

/// Gap severities (output vocabulary).
public enum GapSeverity: String, Sendable, Hashable, CaseIterable, Comparable {
    case low, medium, high, critical

    private var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }

    public static func < (lhs: GapSeverity, rhs: GapSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// Gap types (output vocabulary).
public enum GapType: String, Sendable, Hashable, CaseIterable {
    case credentialExpired = "credential_expired"
    case credentialExpiring = "credential_expiring"
    case credentialInactive = "credential_inactive"
    case cmeHoursShort = "cme_hours_short"
    case cmeCategoryShort = "cme_category_short"
    case trainingMissing = "training_missing"
    case registrationMissing = "registration_missing"
    case registrationExpired = "registration_expired"
    case certificationExpired = "certification_expired"
    case missingData = "missing_data"
    /// No rule version in effect covers the credential (its state, license type or kind has no pack).
    case noRulePack = "no_rule_pack"
    case custom
    /// The credential's expiration date has passed but the board's grace period has not ended.
    case credentialInGrace = "credential_in_grace"
    /// The stored expiration date is not the one the board's expiry rule gives (§3.12); the
    /// evaluation still uses the stored date.
    case expirationMismatch = "expiration_mismatch"
    /// A requirement unmet at its deadline takes the credential out of active status under the board's rule
    /// (inactive, suspended or revoked: the requirement's `consequence`), rather than leaving it expired.
    case credentialDeactivated = "credential_deactivated"
}

/// An expression embedded in a pack: its text, as checked by the compiler.
public struct Expression: Sendable, Hashable {
    /// The CEL text.
    public var source: String
    /// The type the checker inferred (`bool`, `int`, `decimal`).
    public var type: String
    /// Provider attribute keys the expression reads (sorted), so the engine can report a
    /// missing fact instead of guessing.
    public var attributes: [String]

    /// Creates an expression.
    public init(source: String, type: String, attributes: [String]) {
        self.source = source
        self.type = type
        self.attributes = attributes
    }
}

/// How many hours a requirement needs: a constant or an expression.
public enum HoursSpec: Sendable, Hashable {
    case constant(ExactDecimal)
    case expression(Expression)
    /// `hours: any`: the rule names no hour figure; any matching record (in the window, for `cme_hours`) completes it.
    case anyRecord
}

/// Which renewals a requirement applies to.
public struct Cadence: Sendable, Hashable {
    /// Listed renewals (1-based).
    public var renewals: [Int]
    /// After the last listed renewal (or from the start, when none are listed), every Nth.
    public var thenEvery: Int?
    /// Every renewal from this one on.
    public var fromRenewal: Int?

    /// Creates a cadence.
    public init(renewals: [Int], thenEvery: Int?, fromRenewal: Int?) {
        self.renewals = renewals
        self.thenEvery = thenEvery
        self.fromRenewal = fromRenewal
    }

    /// Whether the cadence includes renewal `n`.
    public func includes(renewal n: Int) -> Bool {
        if renewals.contains(n) { return true }
        if let from = fromRenewal, n >= from { return true }
        if let every = thenEvery, every > 0 {
            let last = renewals.max() ?? 0
            return n > last && (n - last) % every == 0
        }
        return false
    }
}

/// A deadline for a one-time training.
public indirect enum Deadline: Sendable, Hashable {
    case renewal(Int)
    case monthsAfterIssue(Int)
    case date(CalendarDate)
    case firstRenewalAfter(CalendarDate)
    case earliestOf([Deadline])
    case latestOf([Deadline])
}

/// The kinds of requirement, each with fixed meaning.
public enum RequirementKind: String, Sendable, Hashable, CaseIterable {
    case credentialCurrent = "credential_current"
    case cmeHours = "cme_hours"
    case oneTimeTraining = "one_time_training"
    case registrationCurrent = "registration_current"
    case certificationCurrent = "certification_current"
    case custom
}

/// One requirement of a pack.
public struct Requirement: Sendable, Hashable {
    /// Unique id in the pack.
    public var id: String
    /// Human title.
    public var title: String
    /// The kind.
    public var kind: RequirementKind
    /// Citation id.
    public var cite: String
    /// Severity of the gap it produces.
    public var severity: GapSeverity
    /// Gap type it produces when unmet.
    public var gapType: GapType
    /// Applicability condition.
    public var when: Expression?
    /// Renewals it applies to; nil means every renewal.
    public var cadence: Cadence?
    /// Hours needed (`cme_hours`, `one_time_training`).
    public var hours: HoursSpec?
    /// Accepted CME categories; nil means all.
    public var categories: [String]?
    /// Accepted credit types; nil means all.
    public var creditTypes: [String]?
    /// Window override in months (`cme_hours`).
    public var lookbackMonths: Int?
    /// Deadline (`one_time_training`).
    public var deadline: Deadline?
    /// Registration table (`registration_current`).
    public var registration: CredentialKind?
    /// Whether the registration must be for the credential's state.
    public var sameState: Bool?
    /// Accepted specialties (`certification_current`).
    public var specialties: [String]?
    /// The condition (`custom`).
    public var check: Expression?
    /// The custom gap code (`custom`).
    public var code: String?
    /// The custom gap message (`custom`).
    public var message: String?
    /// The grace period after the expiration date (`credential_current`).
    public var grace: GracePeriod?
    /// A CME window decoupled from the renewal (`cme_hours`); its last day is the deadline.
    public var window: CMEWindow?
    /// Categories that never count (`cme_hours`: every other category does); nil means none excluded.
    public var excludedCategories: [String]?
    /// The earliest completion date that counts (`one_time_training`): older records never do.
    public var countsFrom: CalendarDate?
    /// Excess hours of the previous window that count in this one (`cme_hours`).
    public var carryForward: CarryForward?
    /// At most so many hours of some events count (`cme_hours`, §3.11); nil means no cap.
    public var caps: [HoursCap]?
    /// The date the board's rule gives the credential's expiration (`credential_current`, §3.12).
    public var expiry: ExpiryRule?
    /// What the board does to the credential when the requirement is unmet at its deadline, other than expiry.
    public var consequence: Consequence?
    /// Look-backs of which any one satisfies the requirement (`cme_hours`, in place of `hours`).
    public var anyOf: [LookbackOption]?
    /// Hours reduced pro rata by months licensed under a period (`cme_hours`, §3.15); nil means never.
    public var prorate: Proration?

    /// Creates a requirement with the fields every kind has; set the rest by assignment.
    public init(id: String, title: String, kind: RequirementKind, cite: String, severity: GapSeverity, gapType: GapType) {
        self.id = id
        self.title = title
        self.kind = kind
        self.cite = cite
        self.severity = severity
        self.gapType = gapType
    }
}

/// `carry_forward` (`Grammar/pack-language.md` §3.2): the previous window's hours beyond the requirement,
/// capped, count in the current window.
public struct CarryForward: Sendable, Hashable {
    /// At most this many hours carry.
    public var maxHours: ExactDecimal
    /// Hours of these categories never carry (required topics).
    public var excludingCategories: [String]

    /// Creates a carry-forward rule.
    public init(maxHours: ExactDecimal, excludingCategories: [String]) {
        self.maxHours = maxHours
        self.excludingCategories = excludingCategories
    }
}

/// An exemption: when its condition holds, the named requirements are `exempt`.
public struct Exemption: Sendable, Hashable {
    /// Unique id.
    public var id: String
    /// Condition.
    public var when: Expression
    /// Requirement ids exempted; nil means all.
    public var exempts: [String]?
    /// With `exempts` nil: the ids that stay due.
    public var except: [String]
    /// Citation id.
    public var cite: String
    /// Higher wins when several exemptions match one requirement.
    public var precedence: Int

    /// Creates an exemption.
    public init(id: String, when: Expression, exempts: [String]?, except: [String], cite: String, precedence: Int) {
        self.id = id
        self.when = when
        self.exempts = exempts
        self.except = except
        self.cite = cite
        self.precedence = precedence
    }

    /// Whether the exemption names requirement `id`.
    public func covers(_ requirementID: String) -> Bool {
        if let exempts { return exempts.contains(requirementID) }
        return !except.contains(requirementID)
    }
}

/// A test case carried in the pack and run by the engine.
public struct PackTest: Sendable, Hashable {
    /// Test name.
    public var name: String
    /// Evaluation date.
    public var asOf: CalendarDate
    /// Facts in the facts-file format.
    public var facts: JSONValue
    /// Expected outcome.
    public var expect: Expectation

    /// What a test asserts; nil fields are not checked.
    public struct Expectation: Sendable, Hashable {
        /// Expected `compliance_status`.
        public var status: String?
        /// Requirement ids expected in each state.
        public var met: [String]?
        public var unmet: [String]?
        public var exempt: [String]?
        public var notApplicable: [String]?
        public var unknown: [String]?
        /// Expected gap types, as a multiset (sorted).
        public var gaps: [String]?
        /// Requirement ids expected `met` by an alternative (§4.1), not by their own facts.
        public var metByAlternative: [String]?

        /// Creates an expectation.
        public init(
            status: String?, met: [String]?, unmet: [String]?, exempt: [String]?, notApplicable: [String]?,
            unknown: [String]?, gaps: [String]?
        ) {
            self.status = status
            self.met = met
            self.unmet = unmet
            self.exempt = exempt
            self.notApplicable = notApplicable
            self.unknown = unknown
            self.gaps = gaps
        }
    }

    /// Creates a test.
    public init(name: String, asOf: CalendarDate, facts: JSONValue, expect: Expectation) {
        self.name = name
        self.asOf = asOf
        self.facts = facts
        self.expect = expect
    }
}
