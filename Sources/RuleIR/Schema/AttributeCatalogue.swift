/// The provider attributes one evaluation (or one pack) knows: the shared table
/// (``ProviderAttributes``) and those packs declare themselves (`attributes:`,
/// `Grammar/pack-language.md` §7.1). Facts are validated against it and expressions checked
/// against it, so a pack-declared key is as strictly typed as a shared one.
public struct AttributeCatalogue: Sendable, Hashable {
    /// Every declaration, sorted by key.
    public let table: [AttributeDeclaration]
    private let byKey: [String: AttributeDeclaration]

    /// A catalogue of `declarations`; when a key appears twice the first declaration is kept
    /// (the compiler refuses two packs that disagree, ``PackCompiler``).
    public init(_ declarations: [AttributeDeclaration]) {
        var byKey: [String: AttributeDeclaration] = [:]
        for declaration in declarations where byKey[declaration.key] == nil { byKey[declaration.key] = declaration }
        self.byKey = byKey
        table = byKey.values.sorted { $0.key < $1.key }
    }

    /// The shared table only.
    public static let shared = AttributeCatalogue(ProviderAttributes.table)

    /// The shared table and the attributes `versions` declare.
    public static func including(_ versions: [RuleVersion]) -> AttributeCatalogue {
        let declared = versions.flatMap { $0.attributes.filter { $0.meaning != nil } }
        return declared.isEmpty ? shared : AttributeCatalogue(ProviderAttributes.table + declared)
    }

    /// The declared keys, sorted.
    public var keys: [String] { table.map(\.key) }

    /// The declaration of `key`, if any.
    public func declaration(of key: String) -> AttributeDeclaration? { byKey[key] }
}
