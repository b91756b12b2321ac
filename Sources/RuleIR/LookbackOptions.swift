public import RuleBase

/// One way to meet a `cme_hours` requirement whose rule offers several look-backs of which any one
/// satisfies (`any_of`, `Grammar/pack-language.md` §3.14): Kansas accepts 50 credits (20 Category I)
/// in 18 months, 100 (40) in 30 or 150 (60) in 42.
public struct LookbackOption: Sendable, Hashable {
    /// Unique within the requirement.
    public var id: String
    /// Names the option in reasons and gaps.
    public var title: String
    /// The window: the months ending on the cycle end.
    public var lookbackMonths: Int
    /// Every figure must be reached in the window for the option to hold.
    public var figures: [HoursFigure]

    /// Creates an option.
    public init(id: String, title: String, lookbackMonths: Int, figures: [HoursFigure]) {
        self.id = id
        self.title = title
        self.lookbackMonths = lookbackMonths
        self.figures = figures
    }
}

/// Hours of matching events an option needs: a total (no filters) or a minimum of some categories
/// or credit types.
public struct HoursFigure: Sendable, Hashable {
    /// The hours needed.
    public var hours: ExactDecimal
    /// Accepted categories; nil means all.
    public var categories: [String]?
    /// Accepted credit types; nil means all.
    public var creditTypes: [String]?

    /// Creates a figure.
    public init(hours: ExactDecimal, categories: [String]?, creditTypes: [String]?) {
        self.hours = hours
        self.categories = categories
        self.creditTypes = creditTypes
    }
}
