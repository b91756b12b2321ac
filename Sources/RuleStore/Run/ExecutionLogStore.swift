import RuleBase

extension Connection {
    /// Appends sealed log entries (inside the caller's transaction), in chain order, each with
    /// its canonical documents and the engine rule-version ids mapped to `rule_versions.id` by
    /// `ruleVersionMap` (a JSON object).
    ///
    /// Storage (migration 0006, SCHEMA.md "The execution log"): each entry is one small row of
    /// `rules_execution_entries`; its documents go to `rules_execution_documents` once per
    /// provider and content, with the member that changes every night cut out (inputs' `as_of`,
    /// outputs' `days_until_due`, both kept in the entry), so a provider whose facts did not
    /// change adds no document. The view `rules_execution_log` splices them back byte for byte.
    func appendExecutionLog(runID: String, _ entries: [(entry: String, inputs: String, outputs: String)],
                            ruleVersionMap: String) throws {
        var rows = CopyRows()
        for (entry, inputs, outputs) in entries {
            let stored = try StoredLogEntry(entry: entry, inputs: inputs, outputs: outputs)
            rows.field(stored.providerID)
            rows.field(stored.ruleVersionID)
            rows.field(stored.ruleType)
            rows.field(stored.executedAt)
            rows.field(String(stored.sequence))
            rows.field(stored.daysUntilDue.map(String.init))
            for document in [stored.inputs, stored.outputs] {
                rows.field(document.body)
                rows.field(document.spliceAt.map { "{" + $0.map(String.init).joined(separator: ",") + "}" })
                rows.field(document.spliceWhat)
            }
            rows.field(stored.inputsSHA256)
            rows.field(stored.outputsSHA256)
            rows.field(stored.previousSHA256)
            rows.field(stored.entrySHA256)
            rows.endRow()
        }
        guard !rows.isEmpty else { return }
        // The documents pass through the stage once, so they are stored there uncompressed
        // (EXTERNAL): compressing them there (pglz, as a text of more than 2 kB would be) and
        // decompressing them to hash and insert cost more server time than the final insert.
        try execute("""
            DO $stage$
            BEGIN
                IF to_regclass('pg_temp.execution_log_stage') IS NULL THEN
                    CREATE TEMPORARY TABLE execution_log_stage (provider text, rule_version text, rule_type text,
                        executed_at text, entry_sequence integer, days_until_due integer, inputs_body text, inputs_splice integer[],
                        inputs_what text, outputs_body text, outputs_splice integer[], outputs_what text, inputs_sha256 text,
                        outputs_sha256 text, entry_previous_sha256 text, entry_sha256 text) ON COMMIT DELETE ROWS;
                    ALTER TABLE execution_log_stage ALTER COLUMN inputs_body SET STORAGE EXTERNAL,
                        ALTER COLUMN outputs_body SET STORAGE EXTERNAL;
                END IF;
            END
            $stage$
            """)
        _ = try copy("""
            COPY execution_log_stage (provider, rule_version, rule_type, executed_at, entry_sequence, days_until_due, inputs_body,
                inputs_splice, inputs_what, outputs_body, outputs_splice, outputs_what, inputs_sha256, outputs_sha256, entry_previous_sha256, entry_sha256)
            FROM STDIN
            """, rows: rows)
        // The documents first (a data-modifying CTE), then the entries that refer to them; the
        // foreign keys are checked at the end of the statement.
        try execute("""
            WITH s AS MATERIALIZED (
                SELECT credrules_id(provider) AS provider_id, ($1::jsonb->>rule_version)::uuid AS rule_version_id, rule_type,
                       executed_at::date::timestamp AT TIME ZONE 'UTC' AS executed_at, entry_sequence, days_until_due,
                       inputs_body, inputs_splice, inputs_what, sha256(convert_to(inputs_body, 'UTF8')) AS inputs_document,
                       outputs_body, outputs_splice, outputs_what, sha256(convert_to(outputs_body, 'UTF8')) AS outputs_document,
                       decode(inputs_sha256, 'hex') AS inputs_sha256, decode(outputs_sha256, 'hex') AS outputs_sha256,
                       decode(entry_previous_sha256, 'hex') AS entry_previous_sha256, decode(entry_sha256, 'hex') AS entry_sha256
                FROM execution_log_stage),
            documents AS (
                INSERT INTO rules_execution_documents (provider_id, sha256, body, splice_at, splice_what)
                SELECT DISTINCT ON (provider_id, sha256) provider_id, sha256, body, splice_at, splice_what
                FROM (SELECT provider_id, inputs_document AS sha256, inputs_body AS body, inputs_splice AS splice_at, inputs_what AS splice_what FROM s
                      UNION ALL SELECT provider_id, outputs_document, outputs_body, outputs_splice, outputs_what FROM s) d
                ORDER BY provider_id, sha256
                ON CONFLICT DO NOTHING)
            INSERT INTO rules_execution_entries (provider_id, rule_version_id, evaluation_run_id, executed_at, entry_sequence,
                days_until_due, rule_type, inputs_document, outputs_document, inputs_sha256, outputs_sha256, entry_previous_sha256,
                entry_sha256)
            SELECT provider_id, rule_version_id, $2::uuid, executed_at, entry_sequence, days_until_due, rule_type, inputs_document,
                   outputs_document, inputs_sha256, outputs_sha256, entry_previous_sha256, entry_sha256
            FROM s ORDER BY entry_sequence
            """, [.text(ruleVersionMap), .text(runID)])
    }
}

/// One sealed entry as it is stored: the header's fields, and each document with the member
/// that changes with the as-of date cut out (see ``LogDocumentCut``).
struct StoredLogEntry {
    var providerID: String
    var ruleVersionID: String
    var ruleType: String
    var executedAt: String
    var sequence: Int
    var inputsSHA256: String
    var outputsSHA256: String
    var previousSHA256: String
    var entrySHA256: String
    var daysUntilDue: Int?
    var inputs: LogDocumentCut
    var outputs: LogDocumentCut

    init(entry: String, inputs inputsText: String, outputs outputsText: String) throws {
        let header = try Self.header(entry: entry, inputs: inputsText, outputs: outputsText)
        func text(_ field: String) throws -> String {
            guard let value = header[field]?.stringValue else {
                throw StoreError(statement: "execution log", message: "a sealed log entry has no `\(field)`: \(entry.prefix(200))")
            }
            return value
        }
        providerID = try text("provider_id")
        ruleVersionID = try text("rule_version_id")
        ruleType = try text("rule_type")
        executedAt = try text("executed_at")
        inputsSHA256 = try text("inputs_sha256")
        outputsSHA256 = try text("outputs_sha256")
        previousSHA256 = try text("entry_previous_sha256")
        entrySHA256 = try text("entry_sha256")
        guard case .number(let sequenceText)? = header["entry_sequence"], let sequence = Int(sequenceText) else {
            throw StoreError(statement: "execution log", message: "a sealed log entry has no `entry_sequence`: \(entry.prefix(200))")
        }
        self.sequence = sequence
        inputs = LogDocumentCut.inputs(inputsText, asOf: executedAt)
        (outputs, daysUntilDue) = LogDocumentCut.outputs(outputsText)
    }

    /// The entry without its two documents, parsed (a few hundred bytes instead of kilobytes):
    /// the line is the canonical `{…,"executed_at":…,"inputs_json":DOC,"inputs_sha256":…,
    /// "outputs_json":DOC,"outputs_sha256":…}`, the documents given beside it.
    static func header(entry: String, inputs: String, outputs: String) throws -> JSONValue {
        let line = Array(entry.utf8)
        func removing(_ key: String, _ document: String, from bytes: [UInt8]) -> [UInt8]? {
            let member = Array(",\"\(key)\":".utf8) + Array(document.utf8)
            guard let start = bytes.firstRange(of: Array(",\"\(key)\":".utf8))?.lowerBound,
                  bytes.count >= start + member.count, bytes[start..<(start + member.count)].elementsEqual(member) else { return nil }
            return Array(bytes[..<start] + bytes[(start + member.count)...])
        }
        if let withoutInputs = removing("inputs_json", inputs, from: line),
           let header = removing("outputs_json", outputs, from: withoutInputs),
           let value = try? JSONParser.parse(String(decoding: header, as: UTF8.self)) {
            return value
        }
        // Not the layout the sealer writes: read the whole line.
        do {
            return try JSONParser.parse(entry)
        } catch {
            throw StoreError(statement: "execution log", message: "a sealed log entry is not JSON (\(error)): \(entry.prefix(200))")
        }
    }
}

/// A canonical document as `rules_execution_documents` keeps it: `body` is the document with
/// what follows the calendar cut out, each cut at `spliceAt[i]` characters of `body` (Unicode
/// scalars, as PostgreSQL counts a UTF-8 text's characters; ascending) holding `m` (the member:
/// inputs' `"as_of":"…",`, outputs' `"days_until_due":n,`) or `d` (outputs: a day count `|n|` in a
/// text, ` 48 days`), in `spliceWhat`. No cut: the whole document, `spliceAt` nil. The view
/// puts the pieces back (`credrules_log_document`, migration 0006); a cut is undone by the
/// splice whatever it matched, so the bytes are exact whichever occurrences were cut.
struct LogDocumentCut: Equatable {
    var body: String
    var spliceAt: [Int]?
    var spliceWhat: String?

    /// Inputs start with `{"as_of":"<date>",` (keys are sorted): cut when the date is the
    /// entry's `executed_at` in `YYYY-MM-DD` form (what the view writes back).
    static func inputs(_ text: String, asOf: String) -> LogDocumentCut {
        let date = Array(asOf.utf8)
        let digits = date.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let prefix = "{\"as_of\":\"\(asOf)\","
        guard date.count == 10, digits, text.utf8.starts(with: prefix.utf8) else { return LogDocumentCut(body: text) }
        return LogDocumentCut(body: "{" + String(decoding: text.utf8.dropFirst(prefix.utf8.count), as: UTF8.self), spliceAt: [1], spliceWhat: "m")
    }

    init(body: String, spliceAt: [Int]? = nil, spliceWhat: String? = nil) {
        self.body = body
        self.spliceAt = spliceAt
        self.spliceWhat = spliceWhat
    }

    /// Outputs carry `"days_until_due":<n>,` at the top level: cut when `n` is an integer
    /// PostgreSQL's `integer` holds, spelled as it prints it, and another member follows; then
    /// also every day count `|n|` in a text (a space, the digits, ` day`: a gap's "in 48 days").
    static func outputs(_ text: String) -> (LogDocumentCut, daysUntilDue: Int?) {
        let bytes = Array(text.utf8)
        guard let (start, valueStart) = topLevelMember("days_until_due", in: bytes) else { return (LogDocumentCut(body: text), nil) }
        var end = valueStart
        while end < bytes.count, bytes[end] == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
        let spelled = String(decoding: bytes[valueStart..<end], as: UTF8.self)
        // Int32.min has no magnitude in `integer` (the view writes abs(n)).
        guard end < bytes.count, bytes[end] == UInt8(ascii: ","), let days = Int32(spelled), days != .min, String(days) == spelled else {
            return (LogDocumentCut(body: text), nil)
        }
        // Cuts as byte ranges of `text`, ascending and never touching (so positions in the body differ).
        var cuts: [(range: Range<Int>, what: Character)] = []
        let count = Array(String(days.magnitude).utf8), suffix = Array(" day".utf8)
        for at in dayCounts(count, followedBy: suffix, in: bytes) where at > end + 1 || at + count.count < start {
            cuts.append((at..<(at + count.count), "d"))
        }
        cuts.append((start..<(end + 1), "m"))
        cuts.sort { $0.range.lowerBound < $1.range.lowerBound }
        var body: [UInt8] = [], positions: [Int] = [], what = ""
        body.reserveCapacity(bytes.count)
        var copied = 0, characters = 0
        for cut in cuts {
            // Touching the previous cut, the two would share a position: keep this one's bytes.
            if !positions.isEmpty, cut.range.lowerBound <= copied { continue }
            let kept = bytes[copied..<cut.range.lowerBound]
            body += kept
            characters += kept.reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            positions.append(characters)
            what.append(cut.what)
            copied = cut.range.upperBound
        }
        body += bytes[copied...]
        return (LogDocumentCut(body: String(decoding: body, as: UTF8.self), spliceAt: positions, spliceWhat: what), Int(days))
    }

    /// Where `digits` stand inside a JSON string as a whole number after a space and before
    /// `suffix` (byte offsets of `bytes`).
    static func dayCounts(_ digits: [UInt8], followedBy suffix: [UInt8], in bytes: [UInt8]) -> [Int] {
        var found: [Int] = []
        var index = 0, inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                } else if byte == UInt8(ascii: " "), bytes.count >= index + 1 + digits.count + suffix.count,
                          bytes[(index + 1)..<(index + 1 + digits.count)].elementsEqual(digits),
                          bytes[(index + 1 + digits.count)..<(index + 1 + digits.count + suffix.count)].elementsEqual(suffix) {
                    found.append(index + 1)
                    index += digits.count
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            }
            index += 1
        }
        return found
    }

    /// The document with the pieces put back, as the view computes it.
    func spliced(member: String, dayCount: String?) -> String? {
        guard let spliceAt, let spliceWhat else { return body }
        var scalars = Array(body.unicodeScalars)
        for (at, what) in zip(spliceAt, spliceWhat).reversed() {
            guard let piece = what == "m" ? member : dayCount else { return nil }
            scalars.insert(contentsOf: piece.unicodeScalars, at: at)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }

    /// Where the top-level member `key` starts (its opening quote) and where its value starts,
    /// in a canonical JSON object (no white space); nil when the object has no such member.
    static func topLevelMember(_ key: String, in bytes: [UInt8]) -> (start: Int, valueStart: Int)? {
        let quotedKey = Array("\"\(key)\":".utf8)
        var depth = 0, index = 0, inString = false
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                case UInt8(ascii: "\""):
                    // A key of the outer object: right after its `{` or a `,` at depth 1.
                    if depth == 1, index > 0, bytes[index - 1] == UInt8(ascii: "{") || bytes[index - 1] == UInt8(ascii: ","),
                       bytes.count >= index + quotedKey.count, bytes[index..<(index + quotedKey.count)].elementsEqual(quotedKey) {
                        return (index, index + quotedKey.count)
                    }
                    inString = true
                default: break
                }
            }
            index += 1
        }
        return nil
    }
}

extension Connection {
    /// The columns `runLogEntries` and `logEntry` return, from the entry and document tables:
    /// the entry's sealed fields (as text, the file ids and engine rule-version id it was
    /// written under), each document's exact canonical bytes spliced back, and whether each
    /// document is present and still matches its address.
    private static let entryColumns = """
        e.id::text AS id, e.evaluation_run_id::text AS evaluation_run_id, e.entry_sequence,
        encode(e.entry_previous_sha256, 'hex') AS entry_previous_sha256, encode(e.entry_sha256, 'hex') AS entry_sha256,
        to_char((e.executed_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS executed_at,
        credrules_log_document(i.body, i.splice_at, i.splice_what, credrules_log_as_of_member(e.executed_at), NULL) AS inputs_canonical,
        encode(e.inputs_sha256, 'hex') AS inputs_sha256,
        credrules_log_document(o.body, o.splice_at, o.splice_what, credrules_log_days_member(e.days_until_due),
                               abs(e.days_until_due)::text) AS outputs_canonical,
        encode(e.outputs_sha256, 'hex') AS outputs_sha256,
        coalesce(p.external_id, p.id::text) AS provider_id, e.rule_type,
        (rv.rule_json->>'pack') || '@' || (rv.rule_json->>'version') AS rule_version_id,
        CASE WHEN i.sha256 IS NULL THEN 'missing' WHEN i.sha256 <> sha256(convert_to(i.body, 'UTF8')) THEN 'altered'
             WHEN NOT i.canonical THEN 'not canonical' ELSE 'intact' END AS inputs_document,
        CASE WHEN o.sha256 IS NULL THEN 'missing' WHEN o.sha256 <> sha256(convert_to(o.body, 'UTF8')) THEN 'altered'
             WHEN NOT o.canonical THEN 'not canonical' ELSE 'intact' END AS outputs_document
        FROM rules_execution_entries e JOIN providers p ON p.id = e.provider_id JOIN rule_versions rv ON rv.id = e.rule_version_id
        LEFT JOIN rules_execution_documents i ON i.provider_id = e.provider_id AND i.sha256 = e.inputs_document
        LEFT JOIN rules_execution_documents o ON o.provider_id = e.provider_id AND o.sha256 = e.outputs_document
        """

    /// A page of a run's log entries in chain order: `id`, `evaluation_run_id`,
    /// `entry_sequence`, `entry_previous_sha256`, `entry_sha256`, `executed_at` (the as-of
    /// date), `inputs_canonical`, `inputs_sha256`, `outputs_canonical`, `outputs_sha256`,
    /// `provider_id`, `rule_type`, `rule_version_id`, and `inputs_document`/`outputs_document`:
    /// `intact`, `missing`, `altered` (its bytes no longer hash to its address) or `not canonical`.
    public func runLogEntries(runID: String, afterSequence: Int, limit: Int) throws(StoreError) -> QueryResult {
        try execute("SELECT \(Self.entryColumns) WHERE e.evaluation_run_id = $1::uuid AND e.entry_sequence > $2 ORDER BY e.entry_sequence LIMIT $3",
                    [.text(runID), .int(afterSequence), .int(limit)])
    }

    /// One log entry by id, with the columns of ``runLogEntries(runID:afterSequence:limit:)``;
    /// no row when there is no such entry.
    public func logEntry(id: String) throws(StoreError) -> QueryResult {
        try execute("SELECT \(Self.entryColumns) WHERE e.id = $1::uuid", [.text(id)])
    }

    /// The `entry_sha256` and `entry_previous_sha256` of a run's entries with these sequence
    /// numbers (a log entry's neighbours), by sequence; several for one number when entries
    /// were inserted.
    public func logChainLinks(runID: String, sequences: [Int]) throws(StoreError) -> [(sequence: Int, sha256: String, previous: String)] {
        let result = try execute("""
            SELECT entry_sequence, encode(entry_sha256, 'hex') AS entry_sha256, encode(entry_previous_sha256, 'hex') AS entry_previous_sha256
            FROM rules_execution_entries WHERE evaluation_run_id = $1::uuid AND entry_sequence = ANY($2::integer[]) ORDER BY entry_sequence, id
            """, [.text(runID), .text("{" + sequences.map(String.init).joined(separator: ",") + "}")])
        return try (0..<result.count).map { row throws(StoreError) in
            (try result.int(row, "entry_sequence") ?? 0, try result.string(row, "entry_sha256") ?? "",
             try result.string(row, "entry_previous_sha256") ?? "")
        }
    }

    /// A run's recorded entry count and chain head, or nil when there is no such run.
    public func runChainRecord(runID: String) throws(StoreError) -> (entries: Int, head: String)? {
        let result = try execute("SELECT log_entries, last_entry_sha256 FROM evaluation_runs WHERE id = $1::uuid", [.text(runID)])
        guard result.count == 1 else { return nil }
        return (try result.int(0, "log_entries") ?? 0, try result.string(0, "last_entry_sha256") ?? "")
    }
}
