import RuleBase

/// The closed vocabularies that pack values and fact columns are checked against (BRIEF §2,
/// §4). `Grammar/` documents each code's meaning (`Grammar/pack-language.md`,
/// `Grammar/categories.md`); a new code is added here and there together.
public enum Vocabulary {
    /// `cme_events.category` codes.
    public static let cmeCategories = [
        "general", "ethics", "pain_management", "end_of_life_care", "opioid_prescribing", "substance_use_disorder",
        "medical_errors", "patient_safety", "risk_management", "domestic_violence", "child_abuse", "human_trafficking",
        "hiv_aids", "implicit_bias", "cultural_competency", "sexual_harassment_prevention", "dementia",
        "infection_control", "geriatrics", "suicide_prevention", "health_equity", "professional_boundaries",
        "laws_and_rules", "electronic_health_records", "dependent_adult_abuse", "prescription_drug_monitoring", "nutrition",
        "behavioral_health", "lgbtq_health", "sexual_assault",
    ]
    /// `cme_events.credit_type` codes.
    public static let creditTypes = ["ama_pra_1", "aoa_1a", "aoa_1b", "other"]
    /// `board_certifications.specialty` codes.
    public static let specialties = [
        "addiction_medicine", "addiction_psychiatry", "radiology", "pathology", "internal_medicine", "family_medicine",
        "psychiatry", "emergency_medicine", "anesthesiology", "pain_medicine", "hospice_and_palliative_medicine",
        "pediatrics", "urgent_care",
    ]
    /// `licenses.license_type` codes.
    public static let licenseTypes = ["MD", "DO", "PA", "NP", "RN"]
    /// `licenses.status` codes.
    public static let licenseStatuses = ["active", "inactive", "expired", "suspended", "revoked"]
    /// `compliance_status` codes.
    public static let complianceStatuses = ["compliant", "in_progress", "at_risk", "non_compliant", "unknown"]
    /// Citation confidence marks.
    public static let confidences = ["V", "V2", "P", "R", "C"]
    /// Two-letter USPS codes of the states, the District of Columbia and the territories, with
    /// their names (so that `Virginia` can be answered with `VA`). The same list as
    /// `Tools/gen_pack_schema.py`'s `STATES`.
    public static let stateNames: [(code: String, name: String)] = [
        ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
        ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"), ("FL", "Florida"),
        ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"),
        ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"),
        ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"),
        ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"),
        ("NM", "New Mexico"), ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"),
        ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
        ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"),
        ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
        ("PR", "Puerto Rico"), ("GU", "Guam"), ("VI", "U.S. Virgin Islands"), ("AS", "American Samoa"),
        ("MP", "Northern Mariana Islands"),
    ]
    /// The state codes alone.
    public static let states = stateNames.map(\.code)
}

/// A closed vocabulary a fact column takes: its codes and how to name it in a message.
public struct FactVocabulary: Sendable {
    /// What a code is, in words (`license status`).
    public let what: String
    /// Every accepted code, in documentation order.
    public let codes: [String]
    private let accepted: Set<String>

    /// Creates a vocabulary.
    public init(what: String, codes: [String]) {
        self.what = what
        self.codes = codes
        self.accepted = Set(codes)
    }

    /// Whether `code` is one of the codes (exactly: codes are case-sensitive).
    public func contains(_ code: String) -> Bool { accepted.contains(code) }

    /// Why `value` is not a code: what was expected, with a did-you-mean when a code is close
    /// (by edit distance, ignoring case; for states, also by the state's name).
    public func rejection(of value: String) -> String {
        var suggestion = Suggestions.closest(to: value, in: codes)
        if suggestion == nil, self.codes == Vocabulary.states {
            let name = value.lowercased()
            suggestion = Vocabulary.stateNames.first { $0.name.lowercased() == name }?.code
                ?? Suggestions.closest(to: value, in: Vocabulary.stateNames.map(\.name)).flatMap { closest in
                    Vocabulary.stateNames.first { $0.name == closest }?.code
                }
        }
        let expected = codes.count <= 12
            ? "one of " + codes.map { "`\($0)`" }.joined(separator: ", ")
            : (self.codes == Vocabulary.states ? "a two-letter USPS code such as `TX` or `DC`"
                : "one of the \(codes.count) codes of Grammar/categories.md")
        return "`\(value)` is not a \(what): expected \(expected)" + (suggestion.map { "; did you mean `\($0)`?" } ?? "")
    }

    /// `licenses.status`.
    public static let licenseStatus = FactVocabulary(what: "license status", codes: Vocabulary.licenseStatuses)
    /// `licenses.license_type`.
    public static let licenseType = FactVocabulary(what: "license type", codes: Vocabulary.licenseTypes)
    /// Every `state` column.
    public static let state = FactVocabulary(what: "state code", codes: Vocabulary.states)
    /// `cme_events.category`.
    public static let cmeCategory = FactVocabulary(what: "CME category", codes: Vocabulary.cmeCategories)
    /// `cme_events.credit_type`.
    public static let creditType = FactVocabulary(what: "credit type", codes: Vocabulary.creditTypes)
    /// `board_certifications.specialty`.
    public static let specialty = FactVocabulary(what: "specialty", codes: Vocabulary.specialties)
}
