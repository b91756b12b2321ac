/// The key sets of the pack language (`Grammar/pack-language.md` §2–§5), in one place so the
/// syntax reader and the did-you-mean suggestions agree.
public enum PackKeys {
    /// Top-level keys.
    public static let document = [
        "pack", "version", "title", "authority", "credential", "applies_to", "effective", "citations",
        "parameters", "cycle", "requirements", "exemptions", "tests", "notes",
        "alternatives", "attributes", "not_issued",
    ]
    /// Top-level keys that must be present.
    public static let requiredDocument = [
        "pack", "version", "title", "authority", "credential", "applies_to", "effective", "citations", "cycle",
        "requirements",
    ]
    /// `applies_to` keys.
    public static let appliesTo = ["state", "license_types"]
    /// `effective` keys.
    public static let effective = ["from", "to"]
    /// Keys of a citation written as a mapping.
    public static let citation = ["text", "url", "confidence", "note"]
    /// Keys of a parameter.
    public static let parameter = ["type", "values"]
    /// `cycle` keys.
    public static let cycle = ["months", "cme_window_months", "warn_within_days", "first_term_months"]
    /// Keys every requirement may have.
    public static let requirementCommon = ["id", "kind", "title", "cite", "severity", "when", "cadence", "consequence"]
    /// Keys by requirement kind, beyond the common ones.
    public static let requirementByKind: [String: [String]] = [
        "credential_current": ["grace", "expiry"],
        "cme_hours": ["hours", "categories", "credit_types", "lookback_months", "window", "categories_except", "carry_forward", "caps", "any_of", "prorate"],
        "one_time_training": ["hours", "categories", "credit_types", "deadline", "counts_from"],
        "registration_current": ["registration", "same_state"],
        "certification_current": ["specialties"],
        "custom": ["check", "code", "message"],
    ]
    /// Every key a requirement of some kind may have.
    public static let requirementAll: [String] = requirementCommon + Array(Set(requirementByKind.values.joined())).sorted()
    /// Exemption keys.
    public static let exemption = ["id", "when", "exempts", "except", "cite", "precedence"]
    /// Alternative keys (`Grammar/pack-language.md` §4.1).
    public static let alternative = ["id", "title", "when", "satisfies", "cite"]
    /// Test keys.
    public static let test = ["name", "as_of", "facts", "expect"]
    /// `expect` keys.
    public static let expect = ["status", "met", "unmet", "exempt", "not_applicable", "unknown", "gaps", "met_by_alternative"]
    /// `carry_forward` keys.
    public static let carryForward = ["max_hours", "excluding_categories"]
    /// Keys of one cap of a `cme_hours` requirement (§3.11).
    public static let cap = ["max_hours", "categories", "credit_types", "credit_types_except"]
    /// `expiry` keys (`credential_current`, §3.12).
    public static let expiry = ["day", "years", "surnames", "since", "cite", "license_types"]
    /// Cadence keys.
    public static let cadence = ["every", "renewals", "then_every", "from_renewal"]
    /// `grace` keys (`credential_current`).
    public static let grace = ["days", "months", "practice", "cme", "cite", "until_end_of_month_after"]
    /// Deadline forms (exactly one per deadline mapping).
    public static let deadline = [
        "renewal", "months_after_issue", "years_after_issue", "date", "first_renewal_after", "earliest_of", "latest_of",
    ]
    /// Keys of a provider attribute a pack declares (`Grammar/pack-language.md` §7.1).
    public static let attribute = ["type", "meaning", "default"]
    /// Keys of an `any_of` option (`cme_hours`, `Grammar/pack-language.md` §3.14).
    public static let anyOfOption = ["id", "title", "lookback_months", "all_of"]
    /// Keys of an `all_of` figure of an `any_of` option.
    public static let hoursFigure = ["hours", "categories", "credit_types"]
    /// `consequence` keys (`Grammar/pack-language.md` §3.13).
    public static let consequence = ["becomes", "cite"]
    /// Keys of a `not_issued` entry (`Grammar/pack-language.md` §2.1).
    public static let notIssued = ["credential", "cite"]
    /// Keys of a decoupled CME window: `months` and exactly one of the end forms.
    public static let window = ["months", "ends_days_before_expiration", "ends_on", "cycles_from"]
    /// Keys of a series of expiry years (`years: {every: 3, including: 2026}`, §3.12).
    public static let expiryYearSeries = ["every", "including"]
    /// `prorate` keys (`cme_hours`, §3.15).
    public static let prorate = ["per_months", "round"]
}
