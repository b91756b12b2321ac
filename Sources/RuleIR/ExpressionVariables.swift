/// The variables every pack expression may read, with their CEL types as text
/// (`Grammar/pack-language.md` §6).
///
/// The compiler type-checks against this list and the engine binds exactly these names, so
/// both sides share one definition. Types are strings because this module does not depend on
/// the expression language; `CELType(parsing:)` reads them.
public enum ExpressionVariables {
    /// The CEL type of a fact list: a list of rows typed by the fact schema.
    public static func factListType(_ table: String) -> String { "list(row(\(table)))" }

    /// Per fact list, its row type's columns with their CEL types as text, from ``FactSchema``:
    /// `r.NAME` in a comprehension over the list is checked against these.
    public static let rowTypes: [(table: String, columns: [(name: String, type: String)])] = factLists.compactMap { name in
        FactSchema.byName[name].map { table in (name, table.columns.map { ($0.name, celType(of: $0.type)) }) }
    }

    /// The CEL type (as text) of a fact column's values in an expression.
    static func celType(of type: FactColumnType) -> String {
        switch type {
        case .string: "string"
        case .date: "date"
        case .decimal: "decimal"
        case .bool: "bool"
        case .stringList: "list(string)"
        case .json, .attributeValue: "dyn"
        }
    }

    /// The fact tables exposed as lists, in a fixed order.
    public static let factLists = [
        FactSchema.licenses, FactSchema.deaRegistrations, FactSchema.csrCertificates, FactSchema.boardCertifications,
        FactSchema.cmeEvents,
    ].map(\.name)

    /// The declarations that do not depend on the pack: `as_of`, `credential.*`, `cycle.*` and the fact lists.
    public static let fixed: [(name: String, type: String)] = [
        ("as_of", "date"),
        ("credential.id", "string"),
        ("credential.state", "string"),
        ("credential.license_type", "string"),
        ("credential.status", "string"),
        ("credential.issue_date", "date"),
        ("credential.expiration_date", "date"),
        ("cycle.start", "date"),
        ("cycle.end", "date"),
        ("cycle.renewal_number", "int"),
        ("cycle.months_licensed", "int"),
    ] + factLists.map { ($0, factListType($0)) }

    /// Every declared variable: the fixed ones, `provider.KEY` for each attribute and
    /// `params.NAME` for each parameter, sorted by name so that the list is deterministic.
    ///
    /// - Parameters:
    ///   - parameters: The pack's parameters (`params.NAME`, typed as declared).
    ///   - attributes: The provider attributes expressions may read (`provider.KEY`).
    /// - Returns: `(name, CEL type text)` pairs.
    public static func declarations(
        parameters: [Parameter], attributes: [AttributeDeclaration]
    ) -> [(name: String, type: String)] {
        var all = fixed
        all += attributes.map { ("provider." + $0.key, $0.type.rawValue) }
        all += parameters.map { ("params." + $0.name, $0.type.rawValue) }
        return all.sorted { $0.name < $1.name }
    }
}
