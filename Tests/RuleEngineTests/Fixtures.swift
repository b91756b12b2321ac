import RuleBase
import RuleEngine
import RuleIR

/// A small Texas-like rule version built directly as IR, so engine tests do not depend on the
/// YAML front end.
enum Fixtures {
    static func date(_ s: String) -> CalendarDate { CalendarDate(iso: s) ?? CalendarDate(year: 1970, month: 1, day: 1)! }

    static func expr(_ source: String, attributes: [String] = []) -> Expression {
        Expression(source: source, type: "bool", attributes: attributes)
    }

    static var texas: RuleVersion {
        var current = Requirement(id: "license-current", title: "License is current", kind: .credentialCurrent, cite: "licensing",
                                  severity: .critical, gapType: .credentialExpired)
        current.cadence = nil
        var total = Requirement(id: "cme-total", title: "48 hours of CME", kind: .cmeHours, cite: "cme", severity: .high, gapType: .cmeHoursShort)
        total.hours = .expression(Expression(source: "params.total_hours", type: "decimal", attributes: []))
        var ethics = Requirement(id: "cme-ethics", title: "2 hours of ethics", kind: .cmeHours, cite: "cme", severity: .high,
                                 gapType: .cmeCategoryShort)
        ethics.hours = .constant(ExactDecimal(2))
        ethics.categories = ["ethics"]
        var opioid = Requirement(id: "opioid", title: "Opioid prescribing", kind: .cmeHours, cite: "opioid", severity: .high,
                                 gapType: .cmeCategoryShort)
        opioid.hours = .constant(ExactDecimal(2))
        opioid.categories = ["opioid_prescribing", "pain_management"]
        opioid.cadence = Cadence(renewals: [1, 2], thenEvery: 4, fromRenewal: nil)
        opioid.when = expr("provider.direct_patient_care", attributes: ["direct_patient_care"])
        var pain = Requirement(id: "pain-course", title: "12-hour pain course", kind: .oneTimeTraining, cite: "cme", severity: .high,
                               gapType: .trainingMissing)
        pain.hours = .constant(ExactDecimal(12))
        pain.categories = ["pain_management"]
        pain.deadline = .earliestOf([.renewal(2), .monthsAfterIssue(48)])
        pain.when = expr("!(board_certifications.exists(c, c.specialty in ['radiology', 'pathology']))")
        return RuleVersion(
            pack: "US-TX/test-license", version: 1, title: "Test license", authority: "Test board", credential: .license,
            appliesTo: Applicability(state: "TX", licenseTypes: ["MD", "DO"]),
            effective: EffectiveRange(from: date("2020-01-01"), to: nil),
            citations: [
                Citation(id: "cme", text: "22 TAC §161.35"), Citation(id: "licensing", text: "Tex. Occ. Code §156.001"),
                Citation(id: "opioid", text: "Tex. Occ. Code §156.055"), Citation(id: "first", text: "22 TAC §161.35(b)"),
            ],
            parameters: [Parameter(name: "total_hours", type: .decimal, values: [
                .init(from: date("2019-09-01"), value: .decimal(ExactDecimal(48))),
            ])],
            attributes: [AttributeDeclaration(key: "direct_patient_care", type: .bool, defaultValue: nil)],
            cycle: Cycle(months: 24, cmeWindowMonths: 24, warnWithinDays: 90),
            requirements: [current, total, ethics, opioid, pain],
            exemptions: [
                Exemption(id: "first-renewal", when: expr("cycle.renewal_number == 1"), exempts: ["cme-total", "cme-ethics"], except: [],
                          cite: "first", precedence: 0),
            ],
            tests: [], notes: nil)
    }

    static func loaded(_ version: RuleVersion = texas) throws -> LoadedRuleVersion { try LoadedRuleVersion(version) }

    /// One provider's facts document.
    static func facts(
        provider: String = "p1", issue: String = "2015-03-01", expiration: String = "2027-01-31", status: String = "active",
        events: [(String, String, String, String)] = [], attributes: [(String, JSONValue)] = [("direct_patient_care", .bool(false))],
        extra: [(String, JSONValue)] = []
    ) -> JSONValue {
        var tables: [(String, JSONValue)] = [
            ("providers", .array([.object([("id", .string(provider))])])),
            ("licenses", .array([.object([
                ("id", .string("L-\(provider)")), ("provider_id", .string(provider)), ("state", .string("TX")),
                ("license_type", .string("MD")), ("status", .string(status)), ("issue_date", .string(issue)),
                ("expiration_date", .string(expiration)), ("license_number", .string("TX-\(provider)")),
            ])])),
            ("cme_events", .array(events.map { id, category, credits, completed in
                .object([("id", .string(id)), ("provider_id", .string(provider)), ("category", .string(category)),
                         ("credits_earned", .number(credits)), ("completion_date", .string(completed))])
            })),
            ("provider_attributes", .array(attributes.map { key, value in
                .object([("provider_id", .string(provider)), ("key", .string(key)), ("value", value)])
            })),
        ]
        tables += extra
        return .object(tables)
    }

    static let fullEvents: [(String, String, String, String)] = [
        ("E1", "general", "44", "2025-06-01"), ("E2", "ethics", "2", "2025-07-01"), ("E3", "general", "2.5", "2026-01-10"),
        ("E4", "pain_management", "12", "2016-05-01"),
    ]
}
