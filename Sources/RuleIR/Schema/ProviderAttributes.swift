/// The provider attributes packs may read and `provider_attributes` rows may hold
/// (`Grammar/pack-language.md` §7): key, type, default.
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
        AttributeDeclaration(key: "prescribes_opioids", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "primary_care", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "primary_care_adults", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "primary_care_children", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "provides_end_of_life_care", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "state_identified_prescriber", type: .bool, defaultValue: nil),
        AttributeDeclaration(key: "treats_adults_26_plus", type: .bool, defaultValue: .bool(true)),
        AttributeDeclaration(key: "treats_children", type: .bool, defaultValue: nil),
    ]

    /// The declared keys, sorted.
    public static let keys = table.map(\.key)

    /// The declaration of `key`, if any.
    public static func declaration(of key: String) -> AttributeDeclaration? { table.first { $0.key == key } }
}
