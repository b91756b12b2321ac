import RuleBase

/// An alternative: when its condition holds, the named requirements are `met` another way
/// (a current board certification, a residency, a post-test option), under its own citation.
///
/// Unlike an ``Exemption`` (the rule does not apply), an alternative says the rule applies and is
/// satisfied; the result records which alternative satisfied it. A requirement that is met on its
/// own counts as met by its own facts: an alternative is tried only when the requirement would
/// otherwise be `unmet` or `unknown`.
public struct Alternative: Sendable, Hashable {
    /// Unique id (distinct from requirement and exemption ids).
    public var id: String
    /// Human title, e.g. "current ABMS board certification (MOC)".
    public var title: String
    /// Condition.
    public var when: Expression
    /// Requirement ids it satisfies, in pack order of the list.
    public var satisfies: [String]
    /// Citation id.
    public var cite: String

    /// Creates an alternative.
    public init(id: String, title: String, when: Expression, satisfies: [String], cite: String) {
        self.id = id
        self.title = title
        self.when = when
        self.satisfies = satisfies
        self.cite = cite
    }
}

extension Alternative {
    var json: JSONValue {
        .object([
            ("id", .string(id)), ("title", .string(title)), ("when", when.json),
            ("satisfies", .array(satisfies.map { .string($0) })), ("cite", .string(cite)),
        ])
    }

    init(_ v: JSONValue, index: Int) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "alternatives[\(index)]").asObject()
        self.init(
            id: try r.string("id"), title: try r.string("title"), when: try Expression(try r.object("when")),
            satisfies: try r.optionalStrings("satisfies") ?? [], cite: try r.string("cite"))
    }
}
