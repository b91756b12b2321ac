import RuleBase
import RuleExpressions
import RuleIR

/// A rule version with every expression compiled once, ready to evaluate many providers.
///
/// Compiling here (rather than trusting the compiler's output) also re-checks the rule version:
/// a replayed or hand-edited rule version with a bad expression fails to load.
public final class LoadedRuleVersion: Sendable {
    /// The rule version.
    public let version: RuleVersion
    /// SHA-256 of its canonical JSON.
    public let hash: String
    /// `pack@version` (made once: every evaluation records it).
    public let id: String
    /// Boxed: a lookup per evaluation then retains one reference, not each field of the program.
    private let compiled: [String: Program]

    private final class Program: Sendable {
        let expression: CompiledExpression
        init(_ expression: CompiledExpression) { self.expression = expression }
    }
    /// The fact tables this version reads (for the execution log's inputs).
    let tablesRead: [String]
    /// The fact lists its expressions name.
    let expressionTables: Set<String>
    /// For each requirement, in pack order: the exemptions that cover it, highest precedence
    /// first and then in pack order (decided once, not per provider).
    let exemptionsByRequirement: [[Exemption]]
    /// For each requirement, in pack order: the alternatives that satisfy it, in pack order.
    let alternativesByRequirement: [[Alternative]]
    /// Each citation's legal reference by citation id (computed once: every gap cites one).
    let citationReferences: [String: String]
    /// The pack's grace period: the one on its `credential_current` requirement (found once: every
    /// credential's cycle asks for it).
    let gracePeriod: GracePeriod?
    /// What fills each slot of the environment, in slot order.
    let slotPlan: [SlotSource]
    /// Parameters and attributes in the order their values are computed.
    let sortedParameters: [Parameter]
    let sortedAttributes: [AttributeDeclaration]

    /// Where a slot's value comes from.
    enum SlotSource: Sendable {
        case fixed(FixedVariable)
        case parameter(Int)
        case attribute(Int)
        case unbound
    }

    /// What fills each fixed slot, decided once per rule version.
    enum FixedVariable: Sendable {
        case asOf, credentialID, credentialState, credentialLicenseType, credentialStatus, credentialIssueDate
        case credentialExpirationDate, cycleStart, cycleEnd, renewalNumber, monthsLicensed
        case factList(String)

        init?(_ name: String) {
            switch name {
            case "as_of": self = .asOf
            case "credential.id": self = .credentialID
            case "credential.state": self = .credentialState
            case "credential.license_type": self = .credentialLicenseType
            case "credential.status": self = .credentialStatus
            case "credential.issue_date": self = .credentialIssueDate
            case "credential.expiration_date": self = .credentialExpirationDate
            case "cycle.start": self = .cycleStart
            case "cycle.end": self = .cycleEnd
            case "cycle.renewal_number": self = .renewalNumber
            case "cycle.months_licensed": self = .monthsLicensed
            default:
                guard ExpressionVariables.factLists.contains(name) else { return nil }
                self = .factList(name)
            }
        }
    }

    /// An expression in a rule version that does not compile.
    public struct LoadError: Error, Sendable, CustomStringConvertible {
        /// Which rule version.
        public var ruleVersionID: String
        /// The expression text.
        public var expression: String
        /// Why.
        public var message: String

        public var description: String { "\(ruleVersionID): expression `\(expression)`: \(message)" }
    }

    /// Compiles every expression of `version`.
    public init(_ version: RuleVersion) throws(LoadError) {
        self.version = version
        self.hash = version.hash
        self.id = version.id
        let declarations = ExpressionVariables.declarations(parameters: version.parameters, attributes: version.attributes)
        var variables: [(name: String, type: CELType)] = []
        for declaration in declarations {
            guard let type = CELType(parsing: declaration.type) else {
                throw LoadError(ruleVersionID: version.id, expression: declaration.name, message: "unknown type `\(declaration.type)`")
            }
            variables.append((declaration.name, type))
        }
        let environment = CELEnvironment(variables: variables, rowTypes: Self.rowTypes)
        var compiled: [String: Program] = [:]
        var expressions: [Expression] = []
        for requirement in version.requirements {
            if let when = requirement.when { expressions.append(when) }
            if let check = requirement.check { expressions.append(check) }
            if case .expression(let e)? = requirement.hours { expressions.append(e) }
        }
        expressions += version.exemptions.map(\.when)
        expressions += version.alternatives.map(\.when)
        for expression in expressions where compiled[expression.source] == nil {
            switch CompiledExpression.compile(expression.source, in: environment, check: true) {
            case .success(let c): compiled[expression.source] = Program(c)
            case .failure(let issues):
                throw LoadError(ruleVersionID: version.id, expression: expression.source,
                                message: issues.issues.map(\.message).joined(separator: "; "))
            }
        }
        self.compiled = compiled
        // The lists the checker resolved in some expression: a table's name inside a string
        // literal is not a read.
        let expressionTables = Set(compiled.values.flatMap(\.expression.variables)).intersection(ExpressionVariables.factLists)
        self.expressionTables = expressionTables
        self.tablesRead = LogDocuments.tablesRead(by: version, expressionTables: expressionTables)
        self.exemptionsByRequirement = version.requirements.map { requirement in
            version.exemptions.indices
                .filter { version.exemptions[$0].covers(requirement.id) }
                .sorted { (version.exemptions[$0].precedence, -$0) > (version.exemptions[$1].precedence, -$1) }
                .map { version.exemptions[$0] }
        }
        self.alternativesByRequirement = version.requirements.map { requirement in
            version.alternatives.filter { $0.satisfies.contains(requirement.id) }
        }
        self.citationReferences = Dictionary(version.citations.map { ($0.id, $0.reference) }, uniquingKeysWith: { first, _ in first })
        self.gracePeriod = version.requirements.first { $0.kind == .credentialCurrent && $0.grace != nil }?.grace
        let parameters = version.parameters.sorted { $0.name < $1.name }
        let attributes = version.attributes.sorted { $0.key < $1.key }
        self.sortedParameters = parameters
        self.sortedAttributes = attributes
        self.slotPlan = environment.variables.map { variable in
            if let fixed = FixedVariable(variable.name) { return .fixed(fixed) }
            if let index = parameters.firstIndex(where: { "params.\($0.name)" == variable.name }) { return .parameter(index) }
            if let index = attributes.firstIndex(where: { "provider.\($0.key)" == variable.name }) { return .attribute(index) }
            return .unbound
        }
    }

    /// The fact lists' row types, as the compiler checks them.
    static let rowTypes = CELEnvironment.rowTypes(parsing: ExpressionVariables.rowTypes)

    /// Evaluates an expression of this rule version with the given variable values.
    func evaluate(_ expression: Expression, _ activation: CELActivation) -> Result<CELValue, EvaluationFailure> {
        guard let program = compiled[expression.source] else { return .failure(EvaluationFailure(message: "expression was not compiled")) }
        switch program.expression.evaluate(activation) {
        case .success(let value): return .success(value)
        case .failure(let issue): return .failure(EvaluationFailure(message: issue.message))
        }
    }

    /// Why an expression failed at run time.
    struct EvaluationFailure: Error {
        var message: String
    }
}
