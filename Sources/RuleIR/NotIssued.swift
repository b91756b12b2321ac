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

extension NotIssued {
    /// The declaration that `state` issues no credential of `kind`, with its citation, from the
    /// packs of that state among `versions` (sorted by pack, then version number). Of each pack the
    /// version in force on `asOf` with the highest number speaks for it (without a date, its latest
    /// version), as the evaluator chooses versions, so a later version that drops the declaration
    /// (the state began issuing one) ends it. Packs are asked in pack order.
    public static func declaration(
        in versions: [RuleVersion], state: String, credential kind: CredentialKind, asOf: CalendarDate?
    ) -> (version: RuleVersion, citation: Citation)? {
        var speaking: [String: RuleVersion] = [:]
        for version in versions where version.appliesTo.state == state && (asOf.map { version.effective.contains($0) } ?? true) {
            speaking[version.pack] = version
        }
        for pack in speaking.keys.sorted() {
            guard let version = speaking[pack], let entry = version.notIssued.first(where: { $0.credential == kind }),
                  let citation = version.citations.first(where: { $0.id == entry.cite })
            else { continue }
            return (version, citation)
        }
        return nil
    }
}
