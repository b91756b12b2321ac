/// A compiled regular expression for `matches`.
///
/// Uses the standard library's `Regex` with Unicode-scalar semantics, which agrees with RE2
/// (CEL's engine) on the syntax rules use: literals, classes, alternation, repetition,
/// anchors, groups. Backreferences and look-around are RE2 errors but Swift accepts them;
/// we do not reject them.
struct CELRegex: @unchecked Sendable {
    // Regex is an immutable value; it is only read after construction.
    private let regex: Regex<AnyRegexOutput>

    static func compile(_ pattern: String) throws(EvalFailure) -> CELRegex {
        do {
            return CELRegex(regex: try Regex(pattern).matchingSemantics(.unicodeScalar))
        } catch {
            throw EvalFailure("invalid regular expression '\(pattern)'")
        }
    }

    private init(regex: Regex<AnyRegexOutput>) { self.regex = regex }

    /// Whether any substring matches (RE2 `PartialMatch`, as CEL's `matches` specifies).
    func matches(_ text: String) -> Bool {
        ((try? regex.firstMatch(in: text)) ?? nil) != nil
    }
}
