import ArgumentParser
import Foundation
import RuleBase
import RuleEngine
import RuleIR
import RuleStore

/// `credrules explain`: the decision tree of one provider's evaluation, from files or from the
/// database (with the document each counted fact came from).
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Show how a provider's verdicts were decided, requirement by requirement.",
        discussion: """
            From files: --packs and --facts (and --as-of). From the database (--database URL or \
            $CREDRULES_DATABASE_URL, without --facts): the provider's stored facts are evaluated with the published \
            rule versions (each proven against its hash) as credrules_engine, in one read-only snapshot, and every \
            fact row that counted (the credential itself, the CME events counted, the registrations or \
            certifications held) is followed by the document it came from: documents.s3_uri and sha256_hash, \
            through the row's extracted_from_doc_id and its document_lineage rows, or "no source document on \
            record"; so are the rows the pack's conditions and exemptions read without counting them ("also \
            read", e.g. a board certification an exemption asks about). Each verdict is followed by the one on \
            record (compliance_windows: status, as-of date, evaluation run) and whether they differ. --provider is the provider's file id (providers.external_id) or uuid. Without --as-of, the \
            date of the provider's latest verdicts on record (compliance_windows.as_of), else of the latest \
            completed run. Writes one audit_logs row and nothing else. A provider the database does not have \
            exits 2.
            """)

    @Option(help: "The provider: its file id, or (with --database) its file id or uuid.")
    var provider: String

    @Option(help: "Rule packs (YAML) or compiled rule versions (JSON): files or folders (with --facts).")
    var packs: [String] = []

    @Option(help: "The facts file (.json, or .jsonl / .ndjson for JSON Lines); without it, the database.")
    var facts: String?

    @Option(help: "The evaluation date, YYYY-MM-DD (required with --facts).")
    var asOf: String?

    @OptionGroup var databaseOptions: DatabaseOptions

    @Option(help: "human, or json (the same content: one object with the provider's evaluations).")
    var format: TestCommand.ReportFormat = .human

    func run() throws {
        guard let facts else {
            guard packs.isEmpty else {
                throw ValidationError("--packs goes with --facts; from the database, explain uses the published rule versions")
            }
            guard databaseOptions.database != nil || ProcessInfo.processInfo.environment["CREDRULES_DATABASE_URL"]?.isEmpty == false else {
                throw ValidationError("give --packs and --facts (files), or --database URL (the stored facts and published rule versions)")
            }
            return try runOnDatabase()
        }
        guard databaseOptions.database == nil else { throw ValidationError("--facts and --database exclude each other: give one source of facts") }
        guard !packs.isEmpty else { throw ValidationError("--facts needs --packs (the rule packs to evaluate with)") }
        guard let asOf else { throw ValidationError("--facts needs --as-of (the evaluation date)") }
        try runOnFiles(try FactsOptions.parse(["--facts", facts, "--as-of", asOf]))
    }

    private func runOnFiles(_ factsOptions: FactsOptions) throws {
        let date = try factsOptions.date()
        let evaluator = Evaluator(ruleVersions: try RuleVersionLoading.load(packs), tracing: true)
        guard let document = try Self.document(for: provider, in: factsOptions) else {
            throw ValidationError("provider `\(provider)` has no rows in \(factsOptions.facts)")
        }
        let (providers, errors) = FactLoader.load(document, attributes: evaluator.attributes)
        for error in errors where error.providerID == provider || error.providerID == nil { FileIO.printError("rejected: \(error.summary)") }
        guard let facts = providers.first(where: { $0.providerID == provider }) else {
            throw ValidationError("provider `\(provider)` has no valid rows in \(factsOptions.facts)")
        }
        print(Self.report(evaluator.evaluate(facts, asOf: date), provider: provider, date: date, evaluator: evaluator,
                          evidence: nil, format: format, extra: []), terminator: "")
    }

    /// What explain prints: the evaluations for people (each followed by a blank line) or as one
    /// JSON document; `extra` members go into the document. `onRecord` gives, per evaluation, a
    /// line for people and a member for the document (the verdict the database holds).
    static func report(_ evaluations: [CredentialEvaluation], provider: String, date: CalendarDate, evaluator: Evaluator,
                       evidence: Evidence?, format: TestCommand.ReportFormat, extra: [(String, JSONValue)],
                       onRecord: ((CredentialEvaluation) -> (line: String, member: (String, JSONValue)))? = nil) -> String {
        func version(of e: CredentialEvaluation) -> RuleVersion? {
            guard e.wasEvaluated else { return nil }
            return evaluator.ruleVersions.first { $0.version.id == e.ruleVersionID }?.version
        }
        if format == .json {
            return JSONValue.object([
                ("provider_id", .string(provider)), ("as_of", .string(date.description)),
            ] + extra + [
                ("evaluations", .array(evaluations.map { e in
                    let json = version(of: e).map { Explain.json(e, version: $0, evidence: evidence) } ?? Explain.json(unevaluated: e, evidence: evidence)
                    guard let onRecord, let members = json.objectMembers else { return json }
                    return .object(members + [onRecord(e).member])
                })),
            ]).prettyText + "\n"
        }
        if evaluations.isEmpty { return "\(provider): no rule pack in effect on \(date) applies to this provider's credentials\n" }
        return evaluations.map { e in
            (version(of: e).map { Explain.render(e, version: $0, evidence: evidence) } ?? Explain.render(unevaluated: e, evidence: evidence))
                + (onRecord.map { "\n" + $0(e).line } ?? "") + "\n\n"
        }.joined()
    }

    private func runOnDatabase() throws {
        let requestedDate = try asOf.map { text in
            guard let date = CalendarDate(iso: text) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(text)`") }
            return date
        }
        let connection = try databaseOptions.connect()
        let engine = DatabaseRole.engine.rawValue
        let output = try databaseOptions.audited(connection, role: engine, action: "explain", resource: "providers") {
            // The engine's grants: it reads every fact, document and lineage row and writes no fact;
            // the same reader the nightly run is, so the explanation is of the verdicts it writes.
            try connection.assumeRole(.engine)
            return try connection.readOnlySnapshot { () throws -> (String, [(String, JSONValue)]) in
                guard let stored = try connection.provider(matching: provider) else {
                    throw UsageFailure(description: "no provider with file id or uuid `\(provider)` in the database")
                }
                let date: CalendarDate
                if let requestedDate {
                    date = requestedDate
                } else if let latest = try connection.latestVerdictDate(providerID: stored.id) {
                    date = latest
                    FileIO.printError("as of \(latest): the provider's latest verdicts on record (--as-of to choose another date)")
                } else if let latest = try connection.latestCompletedRunDate() {
                    date = latest
                    FileIO.printError("as of \(latest): the latest completed run, which has no verdict for this provider (--as-of to choose another date)")
                } else {
                    throw ValidationError("--as-of is needed: no verdict or completed run is on record to take the date from")
                }
                let (loaded, databaseIDs) = try RunCommand.publishedVersions(connection)
                let evaluator = Evaluator(ruleVersions: loaded, tracing: true)
                let (providers, errors) = FactLoader.load(try JSONParser.parse(try connection.factsDocument(providerIDs: [stored.id])), attributes: evaluator.attributes)
                for error in errors { FileIO.printError("rejected: \(error.summary)") }
                guard let facts = providers.first(where: { $0.providerID == stored.externalID }) else {
                    throw DatabaseFailure(message: "provider `\(stored.externalID)` (\(stored.id)): every stored row was rejected")
                }
                let evaluations = evaluator.evaluate(facts, asOf: date)
                let evidence = try Self.evidence(for: evaluations, provider: stored, evaluator: evaluator, connection: connection)
                let used = Set(evaluations.filter(\.wasEvaluated).map(\.ruleVersionID)).sorted()
                let versionRows = JSONValue.object(used.map { ($0, databaseIDs[$0].map { .string($0) } ?? .null) })
                let verdicts = try connection.verdictsOnRecord(providerID: stored.id)
                let text = Self.report(evaluations, provider: stored.externalID, date: date, evaluator: evaluator, evidence: evidence,
                                       format: format, extra: [("provider_uuid", .string(stored.id)), ("rule_version_ids", versionRows)]) { e in
                    let ruleVersionRow = e.wasEvaluated ? databaseIDs[e.ruleVersionID] : nil
                    return Self.onRecord(verdicts.first { $0.credentialID == e.credentialID && $0.ruleVersionID == ruleVersionRow }, e)
                }
                let documents = Set(evidence.documents.values.flatMap { $0.map(\.id) })
                return (text, [
                    ("provider_id", .string(stored.id)), ("as_of", .string(date.description)), ("evaluations", .int(evaluations.count)),
                    ("rule_version_ids", versionRows), ("fact_rows_cited", .int(evidence.documents.count)),
                    ("documents_cited", .int(documents.count)), ("rejected_rows", .int(errors.count)),
                ])
            }
        }
        print(output, terminator: "")
    }

    /// The verdict the database holds for an evaluation's credential and rule version, beside the
    /// one just made: they differ when the facts or the rule versions changed since it was written.
    static func onRecord(_ verdict: StoredVerdict?, _ e: CredentialEvaluation) -> (line: String, member: (String, JSONValue)) {
        guard let verdict else {
            return ("  on record: no verdict for this credential and rule version", ("on_record", .null))
        }
        let run = verdict.evaluationRunID.map { " (evaluation run \($0))" } ?? ""
        let differs = verdict.status != e.status.rawValue
        let when = verdict.asOf.map { " as of \($0)" } ?? ""
        let note = differs ? " — differs from this evaluation: the facts, the rule versions or the date changed since" : ""
        return ("  on record: \(verdict.status)\(when)\(run)\(note)", ("on_record", .object([
            ("compliance_status", .string(verdict.status)), ("as_of", verdict.asOf.map { .string($0.description) } ?? .null),
            ("evaluation_run_id", verdict.evaluationRunID.map { .string($0) } ?? .null), ("same_status", .bool(!differs)),
        ])))
    }

    /// The documents of every fact row the evaluations counted, from the store.
    private static func evidence(for evaluations: [CredentialEvaluation], provider: ProviderKey, evaluator: Evaluator,
                                 connection: Connection) throws -> Evidence {
        var rows: [FactRowReference] = []
        var seen: Set<FactRowReference> = []
        for e in evaluations {
            let version = e.wasEvaluated ? evaluator.ruleVersions.first { $0.version.id == e.ruleVersionID }?.version : nil
            let read = version.map { Explain.alsoRead(e, version: $0) } ?? []
            for row in Explain.countedFacts(e, version: version) + read where seen.insert(row).inserted { rows.append(row) }
        }
        var documents: [FactRowReference: [SourceDocument]] = [:]
        for row in rows { documents[row] = [] }
        for source in try connection.factSources(providerID: provider.id, rows: rows.map { ($0.table, $0.id) }) {
            let via = (source.isCurrent ? ["extracted_from_doc_id"] : [])
                + (source.lineageColumns.isEmpty ? [] : ["document_lineage " + source.lineageColumns.joined(separator: ",")])
            documents[FactRowReference(table: source.table, id: source.rowID), default: []].append(SourceDocument(
                id: source.documentID, s3URI: source.s3URI, sha256: source.sha256, fileType: source.fileType, via: via))
        }
        return Evidence(documents: documents)
    }
}

extension ExplainCommand {
    /// The facts document holding `provider`: the whole file for JSON, the provider's line for
    /// JSON Lines (found without parsing the lines that cannot hold it).
    static func document(for provider: String, in options: FactsOptions) throws -> JSONValue? {
        guard options.isJSONLines else { return try options.wholeDocument().document }
        var found: JSONValue?
        try LineReader.forEachLine(path: options.facts, role: "the facts file", maximumLineBytes: FactsLimits.maximumLineBytes) { line, _ in
            let text = line.bytes.text
            guard text.contains("\"\(provider)\""), let document = try? JSONParser.parse(text),
                  document["providers"]?.arrayValue?.contains(where: { $0["id"]?.stringValue == provider }) == true
            else { return true }
            found = document
            return false
        }
        return found
    }
}
