public import RuleBase

/// One published rule version as stored: the exact canonical bytes and the hash they were
/// published under (the CLI proves them with RuleIR's stored-version loader before evaluating).
public struct PublishedRuleVersion: Sendable, Hashable {
    /// `rule_versions.id`.
    public let id: String
    public let ruleType: String
    public let versionNumber: Int
    public let canonicalBytes: [UInt8]
    public let sha256: String
}

/// A page of providers: uuid and file id (the engine evaluates under the file id).
public struct ProviderKey: Sendable, Hashable {
    /// `providers.id`.
    public let id: String
    /// The file id: `external_id`, or the uuid's text when there is none.
    public let externalID: String
}

/// `--shard k/n`: provider `p` belongs to shard `credrules_shard_of(p, n)` (SQL, migration 0004):
/// the first 32 bits of MD5 of the uuid's text, read as an unsigned big-endian number, mod n.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Parses `k/n` with 0 ≤ k < n.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count > 0, index >= 0, index < count
        else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }
}

/// Which of a run's two sessions a shard lock is for (the first key of its advisory lock).
public enum ShardSession: String, Sendable {
    case writing = "credrules.run"
    case reading = "credrules.run.reader"
}

/// An `evaluation_runs` row as the nightly job sees it.
public struct EvaluationRunRecord: Sendable {
    public let id: String
    public let status: String
    public let providersDone: Int
    public let resumeAfterProviderID: String?
    public let logEntries: Int
    public let lastEntrySHA256: String
    public let batchesDone: Int
    public let windowsWritten: Int
    public let gapsWritten: Int
    public let countsJSON: String
}

extension Connection {
    /// Every published rule version: per (rule type, engine id) only the latest `version_number`
    /// is returned by the caller's choice; here all rows, in a stable order.
    public func publishedRuleVersions() throws(StoreError) -> [PublishedRuleVersion] {
        let result = try execute(
            "SELECT id::text, rule_type, version_number, rule_canonical, rule_sha256 FROM rule_versions ORDER BY rule_type, version_number")
        var versions: [PublishedRuleVersion] = []
        for row in 0..<result.count {
            versions.append(PublishedRuleVersion(
                id: try result.string(row, "id") ?? "", ruleType: try result.string(row, "rule_type") ?? "",
                versionNumber: try result.int(row, "version_number") ?? 0,
                canonicalBytes: Array((try result.string(row, "rule_canonical") ?? "").utf8),
                sha256: try result.string(row, "rule_sha256") ?? ""))
        }
        return versions
    }

    /// Session settings for the run's statements. No JIT: the batch statements are planned
    /// with costs that grow with the tables (past `jit_above_cost` at some 100,000 providers),
    /// yet each touches only a batch's rows, so compiling them (a few hundred milliseconds a
    /// statement) cost more than it could ever save, on every batch. 64 MB of local buffers
    /// for the staging tables (a batch's log documents are some 4 MB; with the default 8 MB
    /// the session wrote its temporary files out every batch); PostgreSQL takes it only
    /// before the session's first temporary table, so a session that has one keeps its own
    /// (refused inside a subtransaction, so a caller's transaction goes on).
    public func prepareNightlySession() throws(StoreError) {
        // Nor parallel workers: two processes started for a page of a few hundred rows.
        try execute("SELECT set_config('jit', 'off', false), set_config('max_parallel_workers_per_gather', '0', false)")
        try execute("""
            DO $settings$
            BEGIN
                PERFORM set_config('temp_buffers', '64MB', false);
            EXCEPTION WHEN invalid_parameter_value THEN
                NULL;
            END
            $settings$
            """)
    }

    /// Tries the session advisory lock of a shard; false when another session holds it. A run
    /// takes both: `.writing` on the session that writes the batches, `.reading` on the one that
    /// reads the facts, so while either session of a run lives (a reader whose writer was killed
    /// goes on until it next speaks to the server) no other run takes the shard.
    public func tryLockShard(_ shard: Shard, session: ShardSession = .writing) throws(StoreError) -> Bool {
        try execute("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", [.text(session.rawValue), .text(shard.description)]).scalar == "t"
    }

    /// The newest run with this key, if any.
    public func latestRun(key: String) throws(StoreError) -> EvaluationRunRecord? {
        let result = try execute("""
            SELECT id::text, status, providers_done, resume_after_provider_id::text, log_entries, last_entry_sha256, batches_done,
                   windows_written, gaps_written, counts_json::text
            FROM evaluation_runs WHERE run_key = $1 ORDER BY started_at DESC, id DESC LIMIT 1
            """, [.text(key)])
        guard result.count == 1 else { return nil }
        return EvaluationRunRecord(
            id: try result.string(0, "id") ?? "", status: try result.string(0, "status") ?? "",
            providersDone: try result.int(0, "providers_done") ?? 0, resumeAfterProviderID: try result.string(0, "resume_after_provider_id"),
            logEntries: try result.int(0, "log_entries") ?? 0, lastEntrySHA256: try result.string(0, "last_entry_sha256") ?? "",
            batchesDone: try result.int(0, "batches_done") ?? 0, windowsWritten: try result.int(0, "windows_written") ?? 0,
            gapsWritten: try result.int(0, "gaps_written") ?? 0, countsJSON: try result.string(0, "counts_json") ?? "{}")
    }

    /// Starts a run record and returns its id; `shard` nil for a run of one provider (`eval --provider`).
    public func startRun(key: String, asOf: CalendarDate, ruleVersionIDs: [String], shard: Shard?, forced: Bool) throws(StoreError) -> String {
        try execute("""
            INSERT INTO evaluation_runs (as_of, rule_version_ids, shard, run_key, forced)
            VALUES ($1::date, $2::uuid[], $3, $4, $5) RETURNING id::text
            """, [.text(asOf.description), .text("{" + ruleVersionIDs.joined(separator: ",") + "}"), shard.map { .text($0.description) },
                  .text(key), .text(forced ? "true" : "false")]).scalar ?? ""
    }

    /// Ends a run: `completed` or `failed` (with the error).
    public func finishRun(id: String, status: String, error: String? = nil) throws(StoreError) {
        try execute("""
            UPDATE evaluation_runs SET status = $2, completed_at = now(), updated_at = now(), error_message = $3 WHERE id = $1
            """, [.text(id), .text(status), error.map { .text($0) }])
    }

    /// Marks a run that stopped (killed, or failed on an error) as running again, to be continued
    /// from its last committed batch.
    public func reopenRun(id: String) throws(StoreError) {
        try execute("""
            UPDATE evaluation_runs SET status = 'running', completed_at = NULL, updated_at = now(), error_message = NULL WHERE id = $1
            """, [.text(id)])
    }

    /// The next page of a shard's providers after `after` (keyset by id). `ORDER BY providers.id`:
    /// a bare `id` is the output column, the uuid's text, which no index holds, so every page
    /// sorted all the providers after `after` (at 100,000 providers, 12% of the run's server time).
    public func providerPage(after: String?, shard: Shard, limit: Int) throws(StoreError) -> [ProviderKey] {
        let result = try execute("""
            SELECT id::text, coalesce(external_id, id::text) AS external_id FROM providers
            WHERE ($1::uuid IS NULL OR id > $1::uuid) AND credrules_shard_of(id, $2) = $3
            ORDER BY providers.id LIMIT $4
            """, [after.map { .text($0) }, .int(shard.count), .int(shard.index), .int(limit)])
        var keys: [ProviderKey] = []
        for row in 0..<result.count {
            keys.append(ProviderKey(id: try result.string(row, "id") ?? "", externalID: try result.string(row, "external_id") ?? ""))
        }
        return keys
    }

    /// How many of a shard's providers come after `after` (all of them for nil): the work left.
    public func providerCount(after: String?, shard: Shard) throws(StoreError) -> Int {
        Int(try execute("""
            SELECT count(*) FROM providers WHERE ($1::uuid IS NULL OR id > $1::uuid) AND credrules_shard_of(id, $2) = $3
            """, [after.map { .text($0) }, .int(shard.count), .int(shard.index)]).scalar ?? "") ?? 0
    }

    /// The facts of these providers as one facts document (table name → rows, under file ids),
    /// the shape `eval` reads from a file, in one statement. Protected columns (ciphertext) are
    /// left out: the engine holds no key and no rule reads them.
    public func factsDocument(providerIDs: [String]) throws(StoreError) -> String {
        try execute(NightlyFacts.documentSQL, [.text("{" + providerIDs.joined(separator: ",") + "}")]).scalar ?? "{}"
    }

    /// Writes one batch inside the caller's transaction: the providers' current windows and gaps
    /// brought up to date with the batch's (``NightlyOutputTable``: a row that did not change is not
    /// written), the log entries appended, the run's resume point, chain head and counts advanced.
    func writeNightlyRows(runID: String, _ rows: NightlyBatchRows, counts: NightlyCounts, ruleVersionMap: String) throws {
        guard let last = rows.providers.last else { return }
        let providers = SQLParameter.text("{" + rows.providers.map(\.id).joined(separator: ",") + "}")
        for (table, staged) in [(NightlyOutputTable.windows, rows.windows), (NightlyOutputTable.gaps, rows.gaps)] {
            try execute(table.stageSQL)
            try execute(table.matchTableSQL)
            if !staged.isEmpty {
                try copy("COPY \(table.stage) (\(table.stageColumns.map(\.name).joined(separator: ", "))) FROM STDIN", rows: staged)
            }
            try execute(table.matchSQL, [providers])
            try execute(table.deleteSQL, [providers])
            try execute(table.updateSQL, [.text(runID), providers])
            try execute(table.insertSQL, [.text(runID)])
        }
        try appendExecutionLog(runID: runID, rows.entries, ruleVersionMap: ruleVersionMap)
        try execute("""
            UPDATE evaluation_runs SET providers_done = providers_done + $2, resume_after_provider_id = $3::uuid,
                batches_done = batches_done + 1, windows_written = windows_written + $4, gaps_written = gaps_written + $5,
                log_entries = log_entries + $6, last_entry_sha256 = $7, counts_json = $8::jsonb, updated_at = now()
            WHERE id = $1
            """, [.text(runID), .int(rows.providers.count), .text(last.id), .int(rows.windowCount),
                  .int(rows.gapCount), .int(rows.entries.count), .text(rows.lastEntrySHA256), .text(counts.json.canonicalText)])
    }
}

/// The facts query of the nightly run, built from the import's table list (so the two agree).
///
/// Each table is read per provider of the batch (`CROSS JOIN LATERAL … OFFSET 0`, which the
/// planner cannot flatten into a join): a nested loop of index scans on `provider_id`, so a
/// batch costs what its rows cost whatever the population's size. As a plain join or `= ANY`
/// filter the planner chose, from the statistics, a sequential scan or a hash of the whole table
/// once the batch was a small share of it: every batch read every fact row of the population,
/// and the run grew with the square of the population. The provider's file id comes from the
/// batch's own providers row, not a lookup per fact row.
enum NightlyFacts {
    /// The fact tables the engine reads, in the file format.
    static let tables = ["providers", "provider_states", "provider_attributes", "licenses", "dea_registrations",
                         "csr_certificates", "board_certifications", "cme_events"]

    static let documentSQL: String = {
        var members: [String] = []
        for name in tables {
            guard let table = ImportTables.byName[name] else { continue }
            var selects: [String] = []
            if table.identity == .fileID { selects.append("coalesce(t.external_id, t.id::text) AS id") }
            for column in table.columns {
                switch column.kind {
                case .encrypted, .blindIndex: continue
                case .reference where column.db == "provider_id":
                    selects.append("b.external_id AS \(column.json)")
                case .reference:
                    let target = column.db == "org_id" ? "organizations" : column.db == "extracted_from_doc_id" ? "documents" : nil
                    if let target {
                        selects.append("(SELECT coalesce(x.external_id, x.id::text) FROM \(target) x WHERE x.id = t.\(column.db)) AS \(column.json)")
                    } else {
                        selects.append("t.\(column.db)::text AS \(column.json)")
                    }
                default:
                    selects.append("t.\(column.db) AS \(column.json)")
                }
            }
            let key = name == "providers" ? "t.id" : "t.provider_id"
            let order = table.identity == .fileID ? "r.id" : "r.provider_id, r.key"
            members.append("""
                '\(name)', (SELECT coalesce(json_agg(json_strip_nulls(row_to_json(r)) ORDER BY \(order)), '[]'::json) FROM (SELECT \(selects.joined(separator: ", "))
                FROM batch b CROSS JOIN LATERAL (SELECT * FROM \(name) t WHERE \(key) = b.id OFFSET 0) t) r)
                """)
        }
        return """
            WITH batch AS MATERIALIZED (
                SELECT p.id, coalesce(p.external_id, p.id::text) AS external_id FROM unnest($1::uuid[]) AS u (id)
                CROSS JOIN LATERAL (SELECT * FROM providers p WHERE p.id = u.id OFFSET 0) p)
            SELECT json_build_object(
            """ + members.joined(separator: ", ") + ")::text"
    }()
}

/// How a batch's rows of one output table become the providers' current rows, so that a night
/// writes only what changed: each staged row is matched to a current row of the same provider by
/// its key (credential, rule version, and for a gap its type, requirement and code) and, among rows
/// with the same key, by position in content order. A matched row is updated where a column
/// differs (its change event holds those columns, migration 0012), an unmatched current row is
/// deleted, an unmatched staged row inserted. Before, every row was deleted and inserted again
/// each night: two whole-row change events per window and gap, about 3.4 kB per evaluation a
/// night, seven times what the execution log adds (SCHEMA.md, "The nightly outputs").
struct NightlyOutputTable: Sendable {
    let table: String
    /// The session's staging table (COPY target: the output tables force row-level security, which
    /// COPY FROM does not support) and its columns in COPY order, each with its type.
    let stage: String
    let stageColumns: [(name: String, type: String)]
    let match: String
    /// Expressions over a row `r` of the table or of its stage (the key columns share their names).
    let key: [String]
    let order: [String]
    /// Each written column and its value from the staged row `s` (`$1` is the run's id).
    let columns: [(column: String, value: String)]

    init(table: String, stage: String, stageColumns: [(name: String, type: String)], match: String, key: [String], order: [String],
         columns: [(column: String, value: String)]) {
        self.table = table
        self.stage = stage
        self.stageColumns = [("stage_row", "integer")] + stageColumns
        self.match = match
        self.key = key
        self.order = order
        self.columns = columns + [("evaluation_run_id", "$1::uuid")]
    }

    static let windows = NightlyOutputTable(
        table: "compliance_windows", stage: "nightly_window_stage",
        stageColumns: [("provider_id", "uuid"), ("license_file_id", "text"), ("cme_window_start", "date"), ("cme_window_end", "date"),
                       ("next_renewal_date", "date"), ("days_until_due", "integer"), ("compliance_status", "text"),
                       ("rule_version_id", "uuid"), ("as_of", "date"), ("credential_type", "text"), ("credential_id", "text"),
                       ("renewal_number", "integer")],
        match: "nightly_window_match",
        key: ["r.provider_id", "coalesce(r.credential_type, '')", "coalesce(r.credential_id, '')",
              "coalesce(r.rule_version_id, '00000000-0000-0000-0000-000000000000')"],
        order: ["r.cme_window_start", "r.cme_window_end", "r.next_renewal_date", "r.compliance_status", "r.renewal_number"],
        // The license is looked up per window (a subquery on its key): the staging table has no
        // statistics, and as a join the planner may hash the whole licenses table every batch.
        columns: [("provider_id", "s.provider_id"), ("license_id", "(SELECT l.id FROM licenses l WHERE l.id = credrules_id(s.license_file_id))"),
                  ("cme_window_start", "s.cme_window_start"), ("cme_window_end", "s.cme_window_end"),
                  ("next_renewal_date", "s.next_renewal_date"), ("days_until_due", "s.days_until_due"),
                  ("compliance_status", "s.compliance_status"), ("rule_version_id", "s.rule_version_id"), ("as_of", "s.as_of"),
                  ("credential_type", "s.credential_type"), ("credential_id", "s.credential_id"), ("renewal_number", "s.renewal_number")])

    static let gaps = NightlyOutputTable(
        table: "compliance_gap_analysis", stage: "nightly_gap_stage",
        stageColumns: [("provider_id", "uuid"), ("gap_type", "text"), ("description", "text"), ("severity", "text"),
                       ("rule_version_id", "uuid"), ("credential_id", "text"), ("requirement_id", "text"), ("citation", "text"),
                       ("code", "text"), ("due_date", "date")],
        match: "nightly_gap_match",
        key: ["r.provider_id", "coalesce(r.credential_id, '')", "coalesce(r.rule_version_id, '00000000-0000-0000-0000-000000000000')",
              "r.gap_type", "coalesce(r.requirement_id, '')", "coalesce(r.code, '')"],
        order: ["r.description", "r.severity", "r.citation", "r.due_date"],
        columns: ["provider_id", "gap_type", "description", "severity", "rule_version_id", "credential_id", "requirement_id",
                  "citation", "code", "due_date"].map { ($0, "s.\($0)") })

    var stageSQL: String {
        "CREATE TEMPORARY TABLE IF NOT EXISTS \(stage) (\(stageColumns.map { "\($0.name) \($0.type)" }.joined(separator: ", "))) ON COMMIT DELETE ROWS"
    }

    /// A staged row's current row (`stage_row` NULL: the current row goes; `current_id` NULL: the staged row is new).
    var matchTableSQL: String {
        "CREATE TEMPORARY TABLE IF NOT EXISTS \(match) (current_id uuid, stage_row integer) ON COMMIT DELETE ROWS"
    }

    /// Pairs staged rows with the current rows of the batch's providers (`$1`, uuid[]).
    var matchSQL: String {
        let keys = key.enumerated().map { "\($0.element) AS k\($0.offset)" }.joined(separator: ", ")
        let numbered = "row_number() OVER (PARTITION BY \(key.joined(separator: ", ")) ORDER BY \(order.joined(separator: ", "))) AS n"
        let same = (key.indices.map { "i.k\($0) = c.k\($0)" } + ["i.n = c.n"]).joined(separator: " AND ")
        return """
            INSERT INTO \(match) (current_id, stage_row)
            SELECT c.id, i.stage_row
            FROM (SELECT r.stage_row, \(keys), \(numbered) FROM \(stage) r) i
            FULL JOIN (SELECT r.id, \(keys), \(numbered) FROM \(table) r WHERE r.provider_id = ANY($1::uuid[])) c ON \(same)
            """
    }

    // The delete and the update also name the batch's providers (`$1`, `$2`): the match table has no
    // statistics, and without the provider index the planner hashed the whole output table every batch.
    var deleteSQL: String {
        "DELETE FROM \(table) t USING \(match) m WHERE t.provider_id = ANY($1::uuid[]) AND m.stage_row IS NULL AND t.id = m.current_id"
    }

    var updateSQL: String {
        let targets = columns.map { "t.\($0.column)" }.joined(separator: ", ")
        let values = columns.map(\.value).joined(separator: ", ")
        return """
            UPDATE \(table) t SET \(columns.map { "\($0.column) = \($0.value)" }.joined(separator: ", ")), updated_at = now()
            FROM \(match) m JOIN \(stage) s ON s.stage_row = m.stage_row
            WHERE t.provider_id = ANY($2::uuid[]) AND t.id = m.current_id AND (\(targets)) IS DISTINCT FROM (\(values))
            """
    }

    var insertSQL: String {
        """
        INSERT INTO \(table) (\(columns.map(\.column).joined(separator: ", ")))
        SELECT \(columns.map(\.value).joined(separator: ", "))
        FROM \(stage) s JOIN \(match) m ON m.stage_row = s.stage_row WHERE m.current_id IS NULL ORDER BY s.stage_row
        """
    }
}

