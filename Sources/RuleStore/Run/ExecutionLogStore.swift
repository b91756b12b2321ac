public import RuleBase

extension Connection {
    /// Appends sealed log entries to `rules_execution_log` (inside the caller's transaction), in
    /// chain order, each with its canonical documents and the engine rule-version ids mapped to
    /// `rule_versions.id` by `ruleVersionMap` (a JSON object).
    func appendExecutionLog(runID: String, _ entries: [(entry: String, inputs: String, outputs: String)],
                            ruleVersionMap: String) throws {
        var rows = CopyRows()
        for (entry, inputs, outputs) in entries {
            rows.field(entry)
            rows.field(inputs)
            rows.field(outputs)
            rows.endRow()
        }
        try execute("CREATE TEMPORARY TABLE IF NOT EXISTS nightly_log_stage (entry text, inputs text, outputs text) ON COMMIT DELETE ROWS")
        if !rows.isEmpty {
            _ = try copy("COPY nightly_log_stage (entry, inputs, outputs) FROM STDIN", rows: rows)
        }
        try execute("""
            INSERT INTO rules_execution_log (provider_id, rule_version_id, rule_type, inputs_json, outputs_json, inputs_sha256,
                outputs_sha256, evaluation_run_id, executed_at, entry_sequence, entry_previous_sha256, entry_sha256,
                inputs_canonical, outputs_canonical)
            SELECT credrules_id(e->>'provider_id'), ($1::jsonb->>(e->>'rule_version_id'))::uuid, e->>'rule_type',
                   s.inputs::jsonb, s.outputs::jsonb, e->>'inputs_sha256', e->>'outputs_sha256', $2::uuid,
                   (e->>'executed_at')::date::timestamp AT TIME ZONE 'UTC', (e->>'entry_sequence')::integer, e->>'entry_previous_sha256',
                   e->>'entry_sha256', s.inputs, s.outputs
            FROM nightly_log_stage s, LATERAL (SELECT s.entry::jsonb AS e) j
            ORDER BY (e->>'entry_sequence')::integer
            """, [.text(ruleVersionMap), .text(runID)])
    }
}

extension Connection {
    /// A page of a run's log entries in chain order, with the file ids and engine rule-version
    /// id they were written under: `entry_sequence`, `entry_previous_sha256`, `entry_sha256`,
    /// `executed_at` (the as-of date), `inputs_canonical`, `inputs_sha256`, `outputs_canonical`,
    /// `outputs_sha256`, `provider_id`, `rule_type`, `rule_version_id`.
    public func runLogEntries(runID: String, afterSequence: Int, limit: Int) throws(StoreError) -> QueryResult {
        try execute("""
            SELECT l.entry_sequence, l.entry_previous_sha256, l.entry_sha256,
                   ((l.executed_at AT TIME ZONE 'UTC')::date)::text AS executed_at, l.inputs_canonical, l.inputs_sha256,
                   l.outputs_canonical, l.outputs_sha256, coalesce(p.external_id, p.id::text) AS provider_id, l.rule_type,
                   (rv.rule_json->>'pack') || '@' || (rv.rule_json->>'version') AS rule_version_id
            FROM rules_execution_log l JOIN providers p ON p.id = l.provider_id JOIN rule_versions rv ON rv.id = l.rule_version_id
            WHERE l.evaluation_run_id = $1::uuid AND l.entry_sequence > $2
            ORDER BY l.entry_sequence LIMIT $3
            """, [.text(runID), .int(afterSequence), .int(limit)])
    }

    /// A run's recorded entry count and chain head, or nil when there is no such run.
    public func runChainRecord(runID: String) throws(StoreError) -> (entries: Int, head: String)? {
        let result = try execute("SELECT log_entries, last_entry_sha256 FROM evaluation_runs WHERE id = $1::uuid", [.text(runID)])
        guard result.count == 1 else { return nil }
        return (try result.int(0, "log_entries") ?? 0, try result.string(0, "last_entry_sha256") ?? "")
    }
}

