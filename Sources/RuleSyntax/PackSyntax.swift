public import RuleBase
public import RuleYAML

/// A key and its value as written in a mapping, with both positions.
public struct SyntaxField: Sendable {
    /// The key scalar (its span is where "missing"/"unknown" style errors point).
    public var key: YAMLScalar
    /// The value node, untyped.
    public var value: YAMLNode
    /// The language key this field is read as: the key text, or for a misspelled key (already
    /// reported as `pack.unknownKey`) the key it was taken for, so that one typo does not also
    /// produce "missing key" and "undefined reference" errors for everything it contained.
    public var name: String

    /// Creates a field read under its own key, or under `readAs` when the key is a recovered misspelling.
    public init(key: YAMLScalar, value: YAMLNode, readAs: String? = nil) {
        self.key = key
        self.value = value
        self.name = readAs ?? key.value
    }

    /// Whether the key was misspelled and is read as ``name``.
    public var isRecovered: Bool { name != key.value }
}

/// A mapping whose keys were checked against a known set; unknown keys were reported and dropped.
public struct SyntaxMapping: Sendable {
    /// The fields in document order.
    public var fields: [SyntaxField]
    /// The mapping node's span (for "missing key" errors).
    public var span: SourceSpan
    /// Unknown keys that could not be taken for any language key; what they held was not read.
    public var unreadKeys: [YAMLScalar]

    /// Creates a mapping.
    public init(fields: [SyntaxField], span: SourceSpan, unreadKeys: [YAMLScalar] = []) {
        self.fields = fields
        self.span = span
        self.unreadKeys = unreadKeys
    }

    /// The field named `name`, if written.
    public subscript(_ name: String) -> SyntaxField? { fields.first { $0.name == name } }
}

/// An entry of a mapping keyed by user-chosen ids (`citations`, `parameters`): the id and its value.
public struct SyntaxNamed<Body: Sendable>: Sendable {
    /// The id as written (key scalar).
    public var key: YAMLScalar
    /// The parsed body.
    public var body: Body

    /// Creates a named entry.
    public init(key: YAMLScalar, body: Body) {
        self.key = key
        self.body = body
    }
}

/// A citation: a plain string, or a mapping of `text`, `url`, `confidence`, `note`.
public enum CitationSyntax: Sendable {
    /// `id: "22 Tex. Admin. Code §161.35"`.
    case text(YAMLScalar)
    /// `id: {text: …, url: …}`.
    case detailed(SyntaxMapping)
}

/// One pack test: `name`, `as_of`, `facts`, `expect`.
public struct TestSyntax: Sendable {
    /// The test mapping.
    public var mapping: SyntaxMapping
    /// The `expect` mapping, when written as one.
    public var expect: SyntaxMapping?
}

/// The untyped tree of one rule pack: every key checked against the language's key sets, every
/// value still a YAML node with its span. Embedded expressions stay ``YAMLScalar``s so that the
/// compiler can map an error's offset back to the file. Typing (dates, ids, enums) and
/// cross-references are the compiler's job.
public struct PackSyntax: Sendable {
    /// The file path.
    public var path: String
    /// The document's top-level mapping.
    public var document: SyntaxMapping
    /// `applies_to`.
    public var appliesTo: SyntaxMapping?
    /// `effective`.
    public var effective: SyntaxMapping?
    /// `citations` by id, in document order.
    public var citations: [SyntaxNamed<CitationSyntax>]
    /// `parameters` by name, in document order.
    public var parameters: [SyntaxNamed<SyntaxMapping>]
    /// `cycle`.
    public var cycle: SyntaxMapping?
    /// `requirements`, in order.
    public var requirements: [SyntaxMapping]
    /// `exemptions`, in order.
    public var exemptions: [SyntaxMapping]
    /// `tests`, in order; nil when the key is absent.
    public var tests: [TestSyntax]?
    /// `alternatives`, in order.
    public var alternatives: [SyntaxMapping] = []
    /// `attributes` (provider attributes the pack declares) by key, in document order.
    public var attributes: [SyntaxNamed<SyntaxMapping>] = []
    /// `not_issued` entries (credential types the jurisdiction does not issue), in order.
    public var notIssued: [SyntaxMapping] = []
}
