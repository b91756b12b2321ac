import RuleBase

/// A credential type the pack's jurisdiction does not issue at all, by its own law (e.g. Texas
/// has issued no controlled-substances registration since 2016-09-01), with the citation that says
/// so (`not_issued:`, `Grammar/pack-language.md` §2.1). Coverage reports the cell as "none issued"
/// rather than a gap in our packs, and a stored credential of that type in that state is reported
/// with the citation, as data no rule can apply to.
public struct NotIssued: Sendable, Hashable {
    /// The credential type the jurisdiction does not issue.
    public var credential: CredentialKind
    /// Citation id.
    public var cite: String

    /// Creates a declaration.
    public init(credential: CredentialKind, cite: String) {
        self.credential = credential
        self.cite = cite
    }
}

extension NotIssued {
    var json: JSONValue { .object([("credential", .string(credential.rawValue)), ("cite", .string(cite))]) }

    init(_ v: JSONValue, index: Int) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "not_issued[\(index)]").asObject()
        self.init(credential: try r.enumValue("credential"), cite: try r.string("cite"))
    }
}
