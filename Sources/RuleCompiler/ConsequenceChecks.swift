import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

extension PackChecker {
    /// `consequence:` of a requirement (`Grammar/pack-language.md` §3.13): what the board does to the
    /// credential when the requirement is unmet at its deadline.
    mutating func consequence(_ f: SyntaxField, context: String) -> Consequence? {
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.consequence, context: "`consequence`", into: &typer.sink) else {
            return nil
        }
        let becomes = typer.require(m, "becomes", in: "`consequence` of \(context)",
                                    help: "say what the credential becomes: " + Consequence.Becomes.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", "))
            .flatMap { typer.oneOf($0.value, Consequence.Becomes.allCases.map(\.rawValue), what: "consequence") }
            .flatMap(Consequence.Becomes.init(rawValue:))
        let cite = m["cite"] != nil ? self.cite(m, context: "`consequence` of \(context)") : nil
        guard let becomes, m["cite"] == nil || cite != nil else { return nil }
        return Consequence(becomes: becomes, cite: cite)
    }
}
