public import RuleBase
import RuleIR

extension CoverageReport {
    /// The format tag of the JSON document.
    public static let formatTag = "credrules.coverage/1"

    /// The whole report as one JSON document (for CI): the grid, the gaps and, when given, the
    /// population's uncovered credentials. Keys in a fixed order; arrays in grid order.
    public func json(population: PopulationCoverage? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("format", .string(Self.formatTag)),
            ("as_of", asOf.map { .string($0.description) } ?? .null),
            ("credential_types", .array(CoverageCredential.allCases.map { .string($0.rawValue) })),
            ("confidence_marks", .array((Self.confidenceMarks + [Self.unmarked]).map { .string($0) })),
            ("summary", .object([
                ("rule_versions", .int(ruleVersionCount)), ("packs", .int(packCount)), ("jurisdictions", .int(jurisdictions.count)),
                ("covered", .int(cells.count(where: { $0.status == .covered }))), ("gaps", .int(gaps.count)),
                ("not_applicable", .int(cells.count(where: { $0.status == .notApplicable }))),
                ("not_issued", .int(cells.count(where: { $0.status == .notIssued }))),
            ])),
            ("jurisdictions", .array(jurisdictions.map { jurisdiction in
                .object([
                    ("jurisdiction", .string(jurisdiction)),
                    ("cells", .array(cells.filter { $0.jurisdiction == jurisdiction }.map(Self.json))),
                ])
            })),
            ("gaps", .array(gaps.map { .object([("jurisdiction", .string($0.jurisdiction)), ("credential", .string($0.credential.rawValue))]) })),
        ]
        if let population { members.append(("population", Self.json(population))) }
        return .object(members)
    }

    static func json(_ cell: Cell) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("credential", .string(cell.credential.rawValue)),
            ("status", .string(cell.status.rawValue)),
            ("packs", .array(cell.packs.map { pack in
                .object([("pack", .string(pack.pack)), ("versions", .array(pack.versions.map(json)))])
            })),
            ("nationwide", .array(cell.nationwide.map { .string($0) })),
        ]
        if let source = cell.notIssued {
            members.append(("not_issued", .object([
                ("declared_by", .string(source.version)), ("citation", .string(source.citation.text)),
                ("confidence", source.citation.confidence.map { .string($0) } ?? .null),
            ])))
        }
        return .object(members)
    }

    static func json(_ version: VersionSummary) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(version.id)), ("version", .int(version.version)), ("hash", .string(version.hash)),
            ("effective", .object([
                ("from", .string(version.effective.from.description)),
                ("to", version.effective.to.map { .string($0.description) } ?? .null),
            ])),
        ]
        if let inEffect = version.inEffect { members.append(("in_effect", .bool(inEffect))) }
        members.append(("requirements", .int(version.requirements)))
        members.append(("confidence", .object(confidenceColumns(version).map { ($0, .int($1)) })))
        return .object(members)
    }

    static func json(_ population: PopulationCoverage) -> JSONValue {
        .object([
            ("as_of", .string(population.asOf.description)),
            ("providers", .int(population.providers)), ("credentials", .int(population.credentials)),
            ("covered", .int(population.covered)), ("uncovered", .int(population.uncovered)),
            ("uncovered_by_cell", .array(population.uncoveredCounts.map {
                .object([("jurisdiction", .string($0.jurisdiction)), ("credential", .string($0.credential)), ("count", .int($0.count))])
            })),
            ("rejected", .int(population.errors.count)),
            ("errors", .array(population.errors.map(\.json))),
        ])
    }

    /// The confidence counts in report order: the five marks, `unmarked`, then any other mark.
    static func confidenceColumns(_ version: VersionSummary) -> [(String, Int)] {
        let fixed = confidenceMarks + [unmarked]
        let others = version.confidence.keys.filter { !fixed.contains($0) }.sorted()
        return (fixed + others).map { ($0, version.confidence[$0] ?? 0) }
    }

    // MARK: Text

    /// The report for people: the grid at a glance, then every pack version with its
    /// requirements by confidence, then (with a population) the uncovered credentials.
    ///
    /// In the grid a cell names the pack(s) written for it (the part after `US-XX/`, with
    /// version numbers), `US` when only a nationwide pack applies, `none (MARK)` when a pack of the state cites that it issues none, `GAP` when nothing does, and
    /// `-` when no credential of that type belongs to the jurisdiction.
    public func text(population: PopulationCoverage? = nil) -> String {
        var out = ""
        let covered = cells.count(where: { $0.status == .covered })
        out += "\(ruleVersionCount) rule version\(ruleVersionCount == 1 ? "" : "s") in \(packCount) pack\(packCount == 1 ? "" : "s"); "
        out += "\(jurisdictions.count) jurisdictions × \(CoverageCredential.allCases.count) credential types: "
        out += "\(covered) covered, \(gaps.count) gap\(gaps.count == 1 ? "" : "s"), "
        let notIssued = cells.count(where: { $0.status == .notIssued })
        if notIssued > 0 { out += "\(notIssued) not issued by the state, " }
        out += "\(cells.count(where: { $0.status == .notApplicable })) not applicable\n\n"

        var grid: [[String]] = [["jurisdiction"] + CoverageCredential.allCases.map(\.label)]
        for jurisdiction in jurisdictions {
            grid.append([jurisdiction] + cells.filter { $0.jurisdiction == jurisdiction }.map(Self.gridText))
        }
        out += Self.columns(grid)
        out += "(a cell names the packs written for it, @ their versions; US: only a nationwide pack applies; "
        out += "none (MARK): the state issues none, as a pack cites with that confidence; GAP: no pack; -: no credential of that type belongs there)\n"
        let absent = cells.filter { $0.status == .notIssued }
        if !absent.isEmpty {
            out += "\n" + Self.columns([["jurisdiction", "issues no", "as cited by", "citation"]] + absent.map { cell in
                let mark = cell.notIssued?.citation.confidence.map { " (\($0))" } ?? ""
                return [cell.jurisdiction, cell.credential.label, cell.notIssued?.version ?? "", (cell.notIssued?.citation.text ?? "") + mark]
            })
        }

        out += "\n"
        var details: [[String]] = [["pack", "version", "effective"] + (asOf == nil ? [] : ["in effect"])
            + ["requirements"] + (Self.confidenceMarks + [Self.unmarked])]
        var seen = Set<String>()
        for cell in cells {
            for pack in cell.packs {
                for version in pack.versions where seen.insert(version.id).inserted {
                    let effective = "\(version.effective.from) – \(version.effective.to?.description ?? "open")"
                    var row = [version.pack, String(version.version), effective]
                    if let inEffect = version.inEffect { row.append(inEffect ? "yes" : "no") }
                    row.append(String(version.requirements))
                    row += Self.confidenceColumns(version).map { $1 == 0 ? "." : String($1) }
                    details.append(row)
                }
            }
        }
        out += Self.columns(details)
        out += "(requirements counted by the confidence mark of the citation each cites; `unmarked`: a citation without a mark)\n"

        if let population {
            out += "\nPopulation as of \(population.asOf): \(population.providers) providers, \(population.credentials) credentials, "
            out += "\(population.covered) covered, \(population.uncovered) uncovered"
            out += population.errors.isEmpty ? "\n" : "; \(population.errors.count) rejected row(s) not counted\n"
            let counts = population.uncoveredCounts
            if !counts.isEmpty {
                let labels = Dictionary(uniqueKeysWithValues: CoverageCredential.allCases.map { ($0.rawValue, $0.label) })
                out += "\n" + Self.columns([["jurisdiction", "credential", "uncovered"]] + counts.map {
                    [$0.jurisdiction, labels[$0.credential] ?? "license, other type", String($0.count)]
                })
            }
        }
        return out
    }

    static func gridText(_ cell: Cell) -> String {
        switch cell.status {
        case .notApplicable: return "-"
        case .gap: return "GAP"
        case .notIssued: return "none" + (cell.notIssued?.citation.confidence.map { " (\($0))" } ?? "")
        case .covered:
            guard !cell.packs.isEmpty else { return "US" }
            return cell.packs.map { pack in
                let name = pack.pack.split(separator: "/", maxSplits: 1).last.map(String.init) ?? pack.pack
                return name + "@" + pack.versions.map { String($0.version) }.joined(separator: ",")
            }.joined(separator: " ")
        }
    }

    /// Left-aligned columns, two spaces apart, no trailing spaces.
    static func columns(_ rows: [[String]]) -> String {
        let widths = rows.reduce(into: [Int]()) { widths, row in
            for (index, cell) in row.enumerated() {
                if index < widths.count { widths[index] = max(widths[index], cell.count) } else { widths.append(cell.count) }
            }
        }
        return rows.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            return line
        }.joined(separator: "\n") + "\n"
    }
}
