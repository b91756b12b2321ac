import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR

/// The facts-file schema (BRIEF §2 with its documented extensions): column types per table,
/// used to type test facts written in YAML.
enum FactsSchema {
    enum Column: Sendable { case string, date, number, stringList, attributeValue }

    static let tables: [String: [String: Column]] = [
        "providers": ["id": .string, "org_id": .string, "first_name": .string, "last_name": .string, "npi": .string,
                      "email": .string, "phone": .string, "date_of_birth": .date],
        "provider_states": ["provider_id": .string, "state": .string],
        "licenses": ["id": .string, "provider_id": .string, "state": .string, "license_number": .string, "license_type": .string,
                     "status": .string, "issue_date": .date, "expiration_date": .date, "credential_version_id": .string,
                     "extracted_from_doc_id": .string],
        "dea_registrations": ["id": .string, "provider_id": .string, "registration_number": .string, "schedules": .stringList,
                              "state": .string, "issue_date": .date, "expiration_date": .date, "extracted_from_doc_id": .string],
        "csr_certificates": ["id": .string, "provider_id": .string, "state": .string, "csr_number": .string, "issue_date": .date,
                             "expiration_date": .date, "extracted_from_doc_id": .string],
        "board_certifications": ["id": .string, "provider_id": .string, "specialty": .string, "board_name": .string,
                                 "issue_date": .date, "expiration_date": .date, "extracted_from_doc_id": .string],
        "cme_events": ["id": .string, "provider_id": .string, "title": .string, "category": .string, "credit_type": .string,
                       "credits_earned": .number, "completion_date": .date, "expiration_date": .date,
                       "extracted_from_doc_id": .string],
        "provider_attributes": ["provider_id": .string, "key": .string, "value": .attributeValue],
    ]

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
            if let f = e["gaps"] {
                let allowed = GapType.allCases.map(\.rawValue) + customCodes
                expectation.gaps = typer.oneOfList(f.value, allowed, id: "pack.unknownValue", what: "gap type")?.sorted()
            }
        }
        let errorsAfter = typer.sink.diagnostics.filter { $0.severity == .error }.count
        guard errorsAfter == errorsBefore, let name, let asOf, let facts else { return nil }
        return PackTest(name: name, asOf: asOf, facts: facts, expect: expectation)
    }

    /// Converts YAML facts to the facts-file JSON: tables of rows, each value typed by its column.
    mutating func facts(_ node: YAMLNode) -> JSONValue? {
        guard let tables = PackSyntaxReader.expectMapping(node, what: "`facts`", into: &typer.sink) else { return nil }
        var out: [(String, JSONValue)] = []
        let tableNames = FactsSchema.tables.keys.sorted()
        for table in tables {
            guard let columns = FactsSchema.tables[table.key.value] else {
                typer.report(Diagnostic(
                    id: "pack.unknownKey", message: "unknown facts table `\(table.key.value)`", span: table.key.span,
                    help: Suggestions.didYouMean(table.key.value, in: tableNames)
                        ?? "expected one of: " + tableNames.map { "`\($0)`" }.joined(separator: ", ")))
                continue
            }
            guard let rows = PackSyntaxReader.expectSequence(table.value, what: "rows of `\(table.key.value)`", into: &typer.sink) else { continue }
            var jsonRows: [JSONValue] = []
            for row in rows {
                guard let cells = PackSyntaxReader.expectMapping(row, what: "a `\(table.key.value)` row", into: &typer.sink) else { continue }
                var members: [(String, JSONValue)] = []
                let attributeKey = cells.first { $0.key.value == "key" }?.value.scalar?.value
                for cell in cells {
                    guard let column = columns[cell.key.value] else {
                        typer.report(Diagnostic(
                            id: "pack.unknownKey", message: "unknown column `\(cell.key.value)` in `\(table.key.value)`",
                            span: cell.key.span, help: Suggestions.didYouMean(cell.key.value, in: columns.keys.sorted())))
                        continue
                    }
                    if let value = factValue(cell.value, column: column, attributeKey: attributeKey) {
                        members.append((cell.key.value, value))
                    }
                }
                if columns["provider_id"] != nil, !members.contains(where: { $0.0 == "provider_id" }) {
                    members.append(("provider_id", .string(FactsSchema.testProvider)))
                }
                if table.key.value == "provider_attributes", let key = attributeKey, ProviderAttributes.declaration(of: key) == nil,
                    let keyNode = cells.first(where: { $0.key.value == "key" })?.value
                {
                    let keys = ProviderAttributes.table.map(\.key)
                    typer.report(Diagnostic(
                        id: "pack.unknownAttribute", message: "unknown provider attribute `\(key)`", span: keyNode.span,
                        help: Suggestions.didYouMean(key, in: keys)))
                }
                jsonRows.append(.object(members))
            }
            out.append((table.key.value, .array(jsonRows)))
        }
        return .object(out)
    }

    mutating func factValue(_ node: YAMLNode, column: FactsSchema.Column, attributeKey: String?) -> JSONValue? {
        if let s = node.scalar, s.isNullLike { return .null }
        switch column {
        case .string: return typer.string(node).map { .string($0) }
        case .date: return typer.date(node).map { .string($0.description) }
        case .number: return typer.decimal(node, what: "a number of credits").map { .number($0.description) }
        case .stringList:
            return typer.scalarList(node, what: "strings").map { .array($0.map { .string($0.value) }) }
        case .attributeValue:
            guard let key = attributeKey, let declaration = ProviderAttributes.declaration(of: key) else {
                return typer.string(node).map { .string($0) }
            }
            return scalarValue(node, type: declaration.type)?.json
        }
    }
}
