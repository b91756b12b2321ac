public import RuleBase

/// One cap of a `cme_hours` requirement (`Grammar/pack-language.md` §3.11): at most `maxHours` of the
/// events it matches count toward the requirement (VA: at most 30 Type 2 hours of the 60; TN DO: at
/// most 20 AOA Category I-B hours of the 40). Hours beyond the cap are offered but not counted.
public struct HoursCap: Sendable, Hashable {
    /// At most this many hours of the matching events count (more than 0).
    public var maxHours: ExactDecimal
    /// The capped events' categories; nil means any category.
    public var categories: [String]?
    /// The capped events' credit types; nil means any. An event with no credit type never matches.
    public var creditTypes: [String]?
    /// Credit types that are NOT capped: every other one is, an event with no credit type included
    /// (VA: what is not Type 1 is Type 2). Excludes `creditTypes`.
    public var creditTypesExcept: [String]?

    /// Creates a cap.
    public init(maxHours: ExactDecimal, categories: [String]? = nil, creditTypes: [String]? = nil, creditTypesExcept: [String]? = nil) {
        self.maxHours = maxHours
        self.categories = categories
        self.creditTypes = creditTypes
        self.creditTypesExcept = creditTypesExcept
    }

    /// Whether an event of this category and credit type falls under the cap.
    public func matches(category: String, creditType: String?) -> Bool {
        if let categories, !categories.contains(category) { return false }
        if let creditTypes, !creditTypes.contains(creditType ?? "") { return false }
        if let creditTypesExcept, let creditType, creditTypesExcept.contains(creditType) { return false }
        return true
    }

    /// The capped hours in words: `credit type aoa_1b`, `category ethics, credit type other`,
    /// `credit types other than ama_pra_1, aoa_1a`.
    public var label: String {
        var parts: [String] = []
        if let categories { parts.append((categories.count == 1 ? "category " : "categories ") + categories.joined(separator: ", ")) }
        if let creditTypes { parts.append((creditTypes.count == 1 ? "credit type " : "credit types ") + creditTypes.joined(separator: ", ")) }
        if let creditTypesExcept { parts.append("credit types other than " + creditTypesExcept.joined(separator: ", ")) }
        return parts.joined(separator: ", ")
    }
}
