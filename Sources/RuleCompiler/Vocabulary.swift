public import RuleIR
public import RuleExpressions

/// The closed vocabularies a pack's values are checked against (BRIEF §2, §4). `Grammar/`
/// documents each code's meaning (`Grammar/pack-language.md`); a new code is added here and there together.
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
}

/// The provider attributes packs may read (`Grammar/pack-language.md` §7): key, type, default.
public enum ProviderAttributes {
    /// Every declared attribute, sorted by key.
    public static let table: [AttributeDeclaration] = [
        AttributeDeclaration(key: "direct_patient_care", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "geriatric_patient_share", type: .decimal, defaultValue: .decimal(.zero)),
        AttributeDeclaration(key: "in_residency", type: .bool, defaultValue: .bool(false)),
        AttributeDeclaration(key: "opioid_prescribing_improvement_program", type: .bool, defaultValue: .bool(false)),
        AttributeDeclaration(key: "pain_clinic", type: .bool, defaultValue: .bool(false)),
        AttributeDeclaration(key: "practice_specialty", type: .string, defaultValue: nil),
        AttributeDeclaration(key: "prescribes_controlled_substances", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "primary_care", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "state_identified_prescriber", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "prescribes_opioids", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "primary_care_adults", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "primary_care_children", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "provides_end_of_life_care", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "treats_adults_26_plus", type: .bool, defaultValue: .bool(true)),
        AttributeDeclaration(key: "treats_children", type: .bool, defaultValue: nil),
    ]

    /// The declaration of `key`, if any.
    public static func declaration(of key: String) -> AttributeDeclaration? { table.first { $0.key == key } }
}

/// The type environment pack expressions are checked against.
public enum PackEnvironment {
    /// Declares exactly ``ExpressionVariables/declarations(parameters:attributes:)`` with every
    /// declared provider attribute, so that the checker and the engine agree on names and types.
    public static func make(parameters: [Parameter]) -> CELEnvironment {
        CELEnvironment(variables: ExpressionVariables.declarations(parameters: parameters, attributes: ProviderAttributes.table)
            .compactMap { d in CELType(parsing: d.type).map { (d.name, $0) } })
    }
}
