public import RuleBase
public import RuleEngine

/// The database as a population run's facts source: a shard's providers in id order, a page at a
/// time after a resume point, each page's facts read with one set-based statement. It reads on
/// its own connection, so the next page is read while the writer's connection commits the last.
public struct DatabaseFactsSource: FactsSource {
    private let connection: Connection
    private let shard: Shard
    private let pageSize: Int
    private var after: String?
    private var sessionReady = false

    /// Reads `shard`'s providers after the provider id `after` (nil: from the first), `pageSize` at a time.
    public init(connection: Connection, shard: Shard, after: String?, pageSize: Int) {
        self.connection = connection
        self.shard = shard
        self.after = after
        self.pageSize = max(1, pageSize)
    }

    public mutating func nextBatch() throws -> FactsBatch<[ProviderKey]>? {
        if !sessionReady {
            try connection.prepareNightlySession()
            sessionReady = true
        }
        let page = try connection.providerPage(after: after, shard: shard, limit: pageSize)
        guard let last = page.last else { return nil }
        after = last.id
        return try Self.batch(connection, page)
    }

    /// The facts of `providers` as one batch.
    static func batch(_ connection: Connection, _ providers: [ProviderKey]) throws -> FactsBatch<[ProviderKey]> {
        let facts = try connection.factsDocument(providerIDs: providers.map(\.id))
        let document = try FactsDocument(bytes: Array(facts.utf8))
        return FactsBatch(.document(document, groups: 0..<document.groupCount), context: providers)
    }
}

/// One provider as a facts source (`eval --database --provider`): one batch, then none.
public struct SingleProviderFactsSource: FactsSource {
    private let connection: Connection
    private var provider: ProviderKey?

    public init(connection: Connection, provider: ProviderKey) {
        self.connection = connection
        self.provider = provider
    }

    public mutating func nextBatch() throws -> FactsBatch<[ProviderKey]>? {
        guard let provider else { return nil }
        self.provider = nil
        return try DatabaseFactsSource.batch(connection, [provider])
    }
}

/// The database as a population run's results sink: each batch written in one transaction
/// (``Connection/writeNightlyBatch(runID:_:ruleVersionIDs:ruleVersionMap:)``), the run's counts
/// carried in `evaluation_runs` so a resumed run continues them.
public final class NightlyResultsSink: ResultsSink {
    private let connection: Connection
    private let runID: String
    private let ruleVersionIDs: [String: String]
    private let ruleVersionMap: String
    /// The run's totals so far (those of the interrupted run when resuming).
    public private(set) var counts: NightlyCounts
    /// Whether each batch opens its own transaction (off when the caller holds one).
    private let ownsTransaction: Bool
    /// Called after each batch is committed, with the batch's provider count.
    public var batchWritten: (Int) -> Void = { _ in }
    private var sessionReady = false

    /// - Parameters:
    ///   - ruleVersionIDs: `rule_versions.id` by engine id (`pack@version`).
    ///   - ownsTransaction: false when the caller has opened the one transaction every batch goes into.
    public init(connection: Connection, runID: String, ruleVersionIDs: [String: String], counts: NightlyCounts = NightlyCounts(),
                ownsTransaction: Bool = true) {
        self.connection = connection
        self.runID = runID
        self.ruleVersionIDs = ruleVersionIDs
        ruleVersionMap = JSONValue.object(ruleVersionIDs.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }).canonicalText
        self.counts = counts
        self.ownsTransaction = ownsTransaction
    }

    /// The entries' documents are cut from the evaluated rows.
    public var readsEvaluatedLog: Bool { true }

    public func write(_ batch: SealedBatch<[ProviderKey]>) throws {
        let rows = try NightlyBatchRows(batch, ruleVersionIDs: ruleVersionIDs)
        var next = counts
        next.add(batch, gapTypes: rows.gapTypes)
        if !sessionReady {
            try connection.prepareNightlySession()
            sessionReady = true
        }
        if ownsTransaction {
            try connection.transaction { try connection.writeNightlyRows(runID: runID, rows, counts: next, ruleVersionMap: ruleVersionMap) }
        } else {
            try connection.writeNightlyRows(runID: runID, rows, counts: next, ruleVersionMap: ruleVersionMap)
        }
        counts = next
        batchWritten(batch.providerCount)
    }
}

/// A run's running totals, kept in `evaluation_runs.counts_json` so a resumed run continues them.
public struct NightlyCounts: Sendable {
    public var providers = 0
    public var rejected = 0
    public var windows = 0
    public var gaps = 0
    public var logEntries = 0
    public var statuses: [String: Int] = [:]
    public var gapTypes: [String: Int] = [:]

    public init() {}

    /// The totals `counts_json` holds (windows, gaps and entries are the run record's own columns).
    public init(json text: String, windows: Int = 0, gaps: Int = 0, logEntries: Int = 0) {
        self.windows = windows
        self.gaps = gaps
        self.logEntries = logEntries
        guard let value = try? JSONParser.parse(text) else { return }
        if case .number(let n)? = value["providers"] { providers = Int(n) ?? 0 }
        if case .number(let n)? = value["rejected_rows"] { rejected = Int(n) ?? 0 }
        for (key, count) in value["statuses"]?.objectMembers ?? [] { if case .number(let n) = count { statuses[key] = Int(n) ?? 0 } }
        for (key, count) in value["gap_types"]?.objectMembers ?? [] { if case .number(let n) = count { gapTypes[key] = Int(n) ?? 0 } }
    }

    mutating func add(_ batch: SealedBatch<[ProviderKey]>, gapTypes types: [String: Int]) {
        providers += batch.context.count
        for part in batch.parts {
            rejected += part.evaluated.errors.count
            statuses.merge(part.evaluated.statusCounts, uniquingKeysWith: +)
            windows += part.evaluated.windowLines.count
            gaps += part.evaluated.gapLines.count
            logEntries += part.log.count
        }
        gapTypes.merge(types, uniquingKeysWith: +)
    }

    /// `counts_json`: canonical, keys sorted.
    public var json: JSONValue {
        func object(_ counts: [String: Int]) -> JSONValue {
            .object(counts.sorted { $0.key < $1.key }.map { ($0.key, .number(String($0.value))) })
        }
        return .object([("gap_types", object(gapTypes)), ("providers", .number(String(providers))),
                        ("rejected_rows", .number(String(rejected))), ("statuses", object(statuses))])
    }
}

/// One batch as the rows `COPY` sends to the staging tables: window and gap fields in column
/// order (provider and rule version already as row ids), and the sealed log entries with their
/// two documents cut from the evaluated rows by `logLayout` (no re-parse of the entries).
struct NightlyBatchRows {
    var providers: [ProviderKey]
    var windows = CopyRows()
    var gaps = CopyRows()
    var windowCount = 0
    var gapCount = 0
    var entries: [(entry: String, inputs: String, outputs: String)] = []
    var gapTypes: [String: Int] = [:]
    /// The run's chain head after the batch.
    var lastEntrySHA256: String

    /// The batch's rows to write; each window and gap in its staging table's COPY order
    /// (``NightlyOutputTable/stageColumns``).
    init(_ batch: SealedBatch<[ProviderKey]>, ruleVersionIDs: [String: String]) throws {
        providers = batch.context
        lastEntrySHA256 = batch.chain.head
        var rowIDs: [String: String] = [:]
        for key in batch.context { rowIDs[key.externalID] = key.id }
        func providerRowID(_ value: JSONValue?) -> String? {
            guard let id = value?.stringValue else { return nil }
            return rowIDs[id] ?? RowID.uuid(forExternalID: id)
        }
        func ruleVersionRowID(_ value: JSONValue?) -> String? { value?.stringValue.flatMap { ruleVersionIDs[$0] } }
        for part in batch.parts {
            let evaluated = part.evaluated
            for row in evaluated.windowLines.rows {
                let window = try Self.parse(row, table: "compliance_windows")
                windows.field(String(windowCount))
                windows.field(providerRowID(window["provider_id"]))
                windows.field(Self.text(window["license_id"]))
                for column in ["cme_window_start", "cme_window_end", "next_renewal_date", "days_until_due", "compliance_status"] {
                    windows.field(Self.text(window[column]))
                }
                windows.field(ruleVersionRowID(window["rule_version_id"]))
                for column in ["as_of", "credential_type", "credential_id", "renewal_number"] { windows.field(Self.text(window[column])) }
                windows.endRow()
                windowCount += 1
            }
            for row in evaluated.gapLines.rows {
                let gap = try Self.parse(row, table: "compliance_gap_analysis")
                gaps.field(String(gapCount))
                gaps.field(providerRowID(gap["provider_id"]))
                for column in ["gap_type", "description", "severity"] { gaps.field(Self.text(gap[column])) }
                gaps.field(ruleVersionRowID(gap["rule_version_id"]))
                for column in ["credential_id", "requirement_id", "citation", "code", "due_date"] { gaps.field(Self.text(gap[column])) }
                gaps.endRow()
                gapCount += 1
                if let type = gap["gap_type"]?.stringValue { gapTypes[type, default: 0] += 1 }
            }
            let sealed = part.log.rows
            entries.reserveCapacity(entries.count + sealed.count)
            for (index, entry) in sealed.enumerated() {
                let documents = evaluated.logDocuments(row: index)
                entries.append((String(decoding: entry, as: UTF8.self), String(decoding: documents.inputs, as: UTF8.self),
                                String(decoding: documents.outputs, as: UTF8.self)))
            }
        }
    }

    /// A row the engine wrote (canonical JSON, so it parses).
    private static func parse(_ row: ArraySlice<UInt8>, table: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(String(decoding: row, as: UTF8.self))
        } catch {
            throw StoreError(statement: "COPY \(table)", message: "an evaluated row is not JSON: \(error.message)")
        }
    }

    /// A field's text for COPY: strings as they are, numbers as spelled, null (or absent) as NULL.
    private static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .number(let text)?: text
        case .bool(let flag)?: flag ? "true" : "false"
        case .null?, nil: nil
        case let other?: other.canonicalText
        }
    }
}
