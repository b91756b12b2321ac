import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

/// Pack-test facts are typed and validated by ``FactSchema``, the schema the engine validates
/// facts files against: a test cannot pass on a fact the engine would reject.
enum PackTestFacts {
    /// The provider id given to test rows that name none.
    static let testProvider = "test-provider"
}

extension PackChecker {
    mutating func packTest(_ t: TestSyntax, requirementIDs: [String: SourceSpan], customCodes: [String]) -> PackTest? {
        let errorsBefore = typer.sink.diagnostics.filter { $0.severity == .error }.count
        let m = t.mapping
        let name = typer.require(m, "name", in: "a test").flatMap { typer.string($0.value) }
        let asOf = typer.require(m, "as_of", in: "a test").flatMap { typer.date($0.value) }
        let facts = typer.require(m, "facts", in: "a test").flatMap { self.facts($0.value) }
        var expectation = PackTest.Expectation(status: nil, met: nil, unmet: nil, exempt: nil, notApplicable: nil, unknown: nil, gaps: nil)
        if typer.require(m, "expect", in: "a test") != nil, let e = t.expect {
            expectation.status = e["status"].flatMap { typer.oneOf($0.value, Vocabulary.complianceStatuses, what: "compliance status") }
            let known = requirementIDs.keys.sorted()
            func ids(_ key: String, _ typer: inout Typer) -> [String]? {
                guard let f = e[key], let items = typer.scalarList(f.value, what: "requirement ids") else { return nil }
                return items.compactMap { s in
                    if requirementIDs[s.value] != nil { return s.value }
                    typer.report(Diagnostic(
                        id: "pack.undefinedRequirement", message: "no requirement has id `\(s.value)`", span: s.span,
                        help: Suggestions.didYouMean(s.value, in: known)))
                    return nil
                }.sorted()
            }
            expectation.met = ids("met", &typer)
            expectation.unmet = ids("unmet", &typer)
            expectation.exempt = ids("exempt", &typer)
            expectation.notApplicable = ids("not_applicable", &typer)
            expectation.unknown = ids("unknown", &typer)
            expectation.metByAlternative = ids("met_by_alternative", &typer)
            if let f = e["gaps"] {
                let allowed = GapType.allCases.map(\.rawValue) + customCodes
                expectation.gaps = typer.oneOfList(f.value, allowed, id: "pack.unknownValue", what: "gap type")?.sorted()
            }
        }
        let errorsAfter = typer.sink.diagnostics.filter { $0.severity == .error }.count
        guard errorsAfter == errorsBefore, let name, let asOf, let facts else { return nil }
        return PackTest(name: name, asOf: asOf, facts: facts, expect: expectation)
    }

    /// Converts YAML facts to the facts-file JSON: tables of rows, each value typed by its
    /// column and checked as the engine checks a facts file (vocabularies, declared
    /// attributes, an issue date on or before the expiration date).
    mutating func facts(_ node: YAMLNode) -> JSONValue? {
        guard let tables = PackSyntaxReader.expectMapping(node, what: "`facts`", into: &typer.sink) else { return nil }
        var out: [(String, JSONValue)] = []
        let tableNames = FactSchema.tableNames
        for table in tables {
            guard let schema = FactSchema.byName[table.key.value] else {
                typer.report(Diagnostic(
                    id: "pack.unknownKey", message: "unknown facts table `\(table.key.value)`", span: table.key.span,
                    help: Suggestions.didYouMean(table.key.value, in: tableNames)
                        ?? "expected one of: " + tableNames.map { "`\($0)`" }.joined(separator: ", ")))
                continue
            }
            guard let rows = PackSyntaxReader.expectSequence(table.value, what: "rows of `\(schema.name)`", into: &typer.sink) else { continue }
            var jsonRows: [JSONValue] = []
            for row in rows {
                guard let cells = PackSyntaxReader.expectMapping(row, what: "a `\(schema.name)` row", into: &typer.sink) else { continue }
                jsonRows.append(factRow(cells, schema: schema, span: row.span))
            }
            out.append((schema.name, .array(jsonRows)))
        }
        return .object(out)
    }

    private mutating func factRow(_ cells: [YAMLMapping.Entry], schema: FactTable, span: SourceSpan) -> JSONValue {
        var members: [(String, JSONValue)] = []
        let keyCell = cells.first { $0.key.value == FactColumns.key }
        let attributeKey = keyCell?.value.scalar?.value
        var dates: [String: (CalendarDate, SourceSpan)] = [:]
        let errorsBefore = typer.sink.diagnostics.count
        for cell in cells {
            guard let column = schema.column(cell.key.value) else {
                typer.report(Diagnostic(
                    id: "pack.unknownKey", message: "unknown column `\(cell.key.value)` in `\(schema.name)`",
                    span: cell.key.span, help: Suggestions.didYouMean(cell.key.value, in: schema.columnNames)
                        ?? "columns: " + schema.columnNames.map { "`\($0)`" }.joined(separator: ", ")))
                continue
            }
            guard let value = factValue(cell.value, column: column, attributeKey: attributeKey) else { continue }
            if !value.isNull, let problem = column.problem(with: value, attributeKey: attributeKey, attributes: attributeCatalogue) {
                typer.report(Diagnostic(id: "pack.invalidFact", message: "\(schema.name).\(column.name): \(problem)", span: cell.value.span))
                continue
            }
            if column.type == .date, let text = value.stringValue, let date = CalendarDate(iso: text) { dates[column.name] = (date, cell.value.span) }
            members.append((cell.key.value, value))
        }
        if schema.ownedByProvider, !members.contains(where: { $0.0 == FactColumns.providerID }) {
            members.append((FactColumns.providerID, .string(PackTestFacts.testProvider)))
        }
        if schema === FactSchema.providerAttributes, let key = attributeKey, let keyNode = keyCell?.value,
            attributeCatalogue.declaration(of: key) == nil
        {
            typer.report(Diagnostic(
                id: "pack.unknownAttribute", message: "unknown provider attribute `\(key)`", span: keyNode.span,
                help: Suggestions.didYouMean(key, in: attributeCatalogue.keys)))
        }
        if let problem = FactSchema.dateOrderProblem(issue: dates[FactColumns.issueDate]?.0, expiration: dates[FactColumns.expirationDate]?.0) {
            typer.report(Diagnostic(id: "pack.invalidFact", message: "\(schema.name): \(problem)",
                                    span: dates[FactColumns.issueDate]?.1 ?? span))
        }
        // A missing column usually follows from a misspelled one, already reported.
        for column in schema.declared where column.required && column.name != FactColumns.providerID && typer.sink.diagnostics.count == errorsBefore {
            if !members.contains(where: { $0.0 == column.name }), !cells.contains(where: { $0.key.value == column.name }) {
                typer.report(Diagnostic(
                    id: "pack.invalidFact", message: "a `\(schema.name)` row needs `\(column.name)`", span: PackSyntaxReader.startSpan(span),
                    help: "the engine rejects a `\(schema.name)` row without `\(column.name)`; add it"))
            }
        }
        return .object(members)
    }

    mutating func factValue(_ node: YAMLNode, column: FactColumn, attributeKey: String?) -> JSONValue? {
        if let s = node.scalar, s.isNullLike { return .null }
        let declared = attributeKey.flatMap(attributeCatalogue.declaration(of:))?.type
        if column.type == .bool || (column.type == .attributeValue && declared == .bool), let s = node.scalar, s.style != .plain {
            // The engine rejects the JSON string "true" for a bool; so does a test.
            typer.report(Diagnostic(id: "pack.wrongType", message: "expected true or false, found `\(s.value)` (a quoted string)",
                                    span: s.span, help: "write it unquoted"))
            return nil
        }
        switch column.type {
        case .string, .json: return typer.string(node).map { .string($0) }
        case .date: return typer.date(node).map { .string($0.description) }
        case .decimal: return typer.decimal(node, what: "a number of credits").map { .number($0.description) }
        case .bool: return typer.bool(node).map { .bool($0) }
        case .stringList:
            return typer.scalarList(node, what: "strings").map { .array($0.map { .string($0.value) }) }
        case .attributeValue:
            guard let key = attributeKey, let declaration = attributeCatalogue.declaration(of: key) else {
                return typer.string(node).map { .string($0) }
            }
            return scalarValue(node, type: declaration.type)?.json
        }
    }
}
