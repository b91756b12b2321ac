public import RuleIR
public import RuleExpressions

/// The type environment pack expressions are checked against.
public enum PackEnvironment {
    /// Declares exactly ``ExpressionVariables/declarations(parameters:attributes:)`` with every
    /// declared provider attribute, and the fact lists' row types, so that the checker and the
    /// engine agree on names and types.
    public static func make(parameters: [Parameter], attributes: AttributeCatalogue = .shared) -> CELEnvironment {
        CELEnvironment(variables: ExpressionVariables.declarations(parameters: parameters, attributes: attributes.table)
            .compactMap { d in CELType(parsing: d.type).map { (d.name, $0) } }, rowTypes: rowTypes)
    }

    /// The row types of the fact lists (``ExpressionVariables/rowTypes``), parsed.
    public static let rowTypes = CELEnvironment.rowTypes(parsing: ExpressionVariables.rowTypes)
}
