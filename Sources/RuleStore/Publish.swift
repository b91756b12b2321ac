/// A compiled rule version as the store publishes it: the CLI compiles packs and hands these
/// over, so the store never depends on the compiler.
public struct PublishableRuleVersion: Sendable {
    /// The pack's identity (`US-TX/physician-license`): versions are numbered per rule type.
    public var ruleType: String
    /// The canonical JSON bytes of the rule version.
    public var canonicalJSON: String
    /// Hex SHA-256 of ``canonicalJSON``.
    public var sha256: String
    /// The CME hours it requires, for `cme_categories_required`.
    public var cmeRequirements: [CMERequirement]

    public init(ruleType: String, canonicalJSON: String, sha256: String, cmeRequirements: [CMERequirement]) {
        self.ruleType = ruleType
        self.canonicalJSON = canonicalJSON
        self.sha256 = sha256
        self.cmeRequirements = cmeRequirements
    }
}

/// One `cme_categories_required` row: hours in a category (nil: any category) per cycle.
/// Rows of one requirement listing several categories are alternatives, not each required.
public struct CMERequirement: Sendable, Hashable {
    public var requirementID: String
    public var state: String
    public var cycleLengthMonths: Int
    public var category: String?
    /// Decimal text, e.g. `2` or `1.5`.
    public var creditsRequired: String

    public init(requirementID: String, state: String, cycleLengthMonths: Int, category: String?, creditsRequired: String) {
        self.requirementID = requirementID
        self.state = state
        self.cycleLengthMonths = cycleLengthMonths
        self.category = category
        self.creditsRequired = creditsRequired
    }
}

/// What publishing one rule version did.
public struct PublishOutcome: Sendable, Hashable {
    public let ruleType: String
    public let versionNumber: Int
    /// False when the latest published version of the rule type already has these bytes.
    public let published: Bool
    public let id: String
}

extension Connection {
    /// Publishes rule versions in one transaction, in the order given: each whose bytes were
    /// never published under its rule type becomes version `latest + 1` (rule_versions is
    /// append-only, a published version never changes), with its `cme_categories_required`
    /// rows; one already published is reported with its number. (A pack may have several
    /// versions in effect at once, for different dates, so "already published" looks at every
    /// version, not only the latest.) Concurrent publishers of one rule type are serialised.
    public func publish(_ versions: [PublishableRuleVersion]) throws -> [PublishOutcome] {
        try transaction {
            var outcomes: [PublishOutcome] = []
            for version in versions {
                try execute("SELECT pg_advisory_xact_lock(hashtext('credrules.publish:' || $1))", [.text(version.ruleType)])
                let existing = try execute(
                    "SELECT id::text, version_number FROM rule_versions WHERE rule_type = $1 AND rule_sha256 = $2",
                    [.text(version.ruleType), .text(version.sha256)])
                if existing.count == 1 {
                    outcomes.append(PublishOutcome(ruleType: version.ruleType, versionNumber: try existing.int(0, "version_number") ?? 0,
                                                   published: false, id: try existing.string(0, "id") ?? ""))
                    continue
                }
                let latest = try execute("SELECT max(version_number) FROM rule_versions WHERE rule_type = $1", [.text(version.ruleType)])
                let number = (latest.scalar.flatMap { Int($0) } ?? 0) + 1
                let id = RowID.uuid(forExternalID: "rule_versions:\(version.ruleType)@\(number):\(version.sha256)")
                try execute("""
                    INSERT INTO rule_versions (id, rule_type, version_number, rule_json, rule_canonical, rule_sha256)
                    VALUES ($1, $2, $3, $4::text::jsonb, $4::text, $5)
                    """, [.text(id), .text(version.ruleType), .int(number), .text(version.canonicalJSON), .text(version.sha256)])
                for requirement in version.cmeRequirements {
                    try execute("""
                        INSERT INTO cme_categories_required (state, cycle_length_months, category, credits_required, rule_version_id, requirement_id)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        """, [.text(requirement.state), .int(requirement.cycleLengthMonths), requirement.category.map { .text($0) },
                              .text(requirement.creditsRequired), .text(id), .text(requirement.requirementID)])
                }
                outcomes.append(PublishOutcome(ruleType: version.ruleType, versionNumber: number, published: true, id: id))
            }
            return outcomes
        }
    }
}
