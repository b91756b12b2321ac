public import RuleBase
import RuleIR

/// The hash chain that makes a run's execution log tamper-evident (Grammar/execution-log.md).
///
/// Every entry carries `entry_sequence` (1, 2, … in file order), `entry_previous_sha256` (the
/// previous entry's `entry_sha256`; 64 zeros for the first) and `entry_sha256`: the SHA-256 of
/// the canonical JSON of the entry's other fields, with `inputs_json` and `outputs_json`
/// standing in by their own recorded SHA-256s. So each entry's hash covers every stored field,
/// and the last entry's hash covers the whole log in order; the run manifest records it with
/// the entry count. Entries are sealed in file order by the one writer of a run, after the
/// cores have made and hashed their documents, so sealing costs one hash of a few hundred
/// bytes per entry.
public struct LogChain: Sendable {
    /// The run manifest's `format`.
    public static let manifestFormat = "credrules.run-manifest/1"
    /// `entry_previous_sha256` of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// Entries sealed so far.
    public private(set) var count = 0
    /// The last sealed entry's `entry_sha256` (``genesis`` before the first).
    public private(set) var head = LogChain.genesis
    private var header: [UInt8] = []

    /// Creates a chain with no entries.
    public init() {
        header.reserveCapacity(1024)
    }

    /// Continues a chain of `count` sealed entries whose last `entry_sha256` is `head` (a
    /// resumed database run picks its chain up where the last committed batch left it).
    public init(continuingAfter count: Int, head: String) {
        self.init()
        self.count = count
        self.head = head
    }

    /// Seals a batch's log rows, in order, after the entries already sealed.
    public mutating func seal(_ batch: EvaluationBatch) -> JSONLines {
        var sealed = JSONLines()
        let rows = batch.logLines.count
        // Each row gains its chain fields: 193 bytes and the sequence's digits. Reserved in full,
        // or the last rows would copy the whole buffer once more.
        sealed.reserve(batch.logLines.bytes.count + rows * (193 + String(count + rows).utf8.count))
        let bytes = batch.logLines.bytes
        let layout = batch.logLayout
        for row in 0..<rows {
            let start = layout[row * 5], inputsKey = layout[row * 5 + 1], inputsEnd = layout[row * 5 + 2]
            let outputsKey = layout[row * 5 + 3], outputsEnd = layout[row * 5 + 4]
            let end = row + 1 < rows ? layout[(row + 1) * 5] - 1 : bytes.count - 1
            let previous = head
            count += 1
            // The header: the chain fields, then the row's members without the two documents
            // (`"executed_at":…,` · `"inputs_sha256":…,` · `"outputs_sha256":…, … }`).
            header.removeAll(keepingCapacity: true)
            Self.appendChainFields(previous: previous, sequence: count, to: &header)
            header += bytes[(start + 1)..<inputsKey]
            header += bytes[(inputsEnd + 1)..<outputsKey]
            header += bytes[(outputsEnd + 1)..<end]
            head = sha256Hex(bytes: header[...])
            sealed.appendRow { line in
                Self.appendChainFields(previous: previous, sequence: count, to: &line)
                line += #""entry_sha256":""#.utf8
                line += head.utf8
                line += #"","#.utf8
                line += bytes[(start + 1)..<end]
            }
        }
        return sealed
    }

    /// `{"entry_previous_sha256":"…","entry_sequence":N,`
    private static func appendChainFields(previous: String, sequence: Int, to out: inout [UInt8]) {
        out += #"{"entry_previous_sha256":""#.utf8
        out += previous.utf8
        out += #"","entry_sequence":"#.utf8
        out += String(sequence).utf8
        out.append(UInt8(ascii: ","))
    }

    /// The `entry_sha256` an entry should carry: the hash of its canonical JSON without
    /// `entry_sha256`, `inputs_json` and `outputs_json`.
    public static func entryHash(of entry: JSONValue) -> String? {
        guard let members = entry.objectMembers else { return nil }
        let header = members.filter { !["entry_sha256", "inputs_json", "outputs_json"].contains($0.0) }
        return sha256Hex(JSONValue.object(header).canonicalText)
    }
}

extension LogChain {
    /// The fields a sealed entry holds, in canonical order.
    public static let entryFields = [
        "entry_previous_sha256", "entry_sequence", "entry_sha256", "executed_at", "inputs_json", "inputs_sha256",
        "outputs_json", "outputs_sha256", "provider_id", "rule_type", "rule_version_id",
    ]

    /// What is wrong with one entry on its own, field by field (empty when nothing is): its
    /// hash against its fields, each document against its recorded SHA-256, and each outer
    /// field against the copy `inputs_json` holds (`provider_id`, `rule_version_id`, and the
    /// as-of date as `executed_at`; `rule_type` is the pack part of the rule version's id).
    public static func problems(in entry: JSONValue) -> [String] {
        guard let members = entry.objectMembers else { return ["the entry is not a JSON object"] }
        var problems: [String] = []
        let present = Set(members.map(\.0))
        for field in entryFields where !present.contains(field) { problems.append("field `\(field)` is missing") }
        for field in members.map(\.0) where !entryFields.contains(field) { problems.append("field `\(field)` is not an entry field (it was added)") }
        let inputs = entry["inputs_json"], outputs = entry["outputs_json"]
        if let inputs, let recorded = entry["inputs_sha256"]?.stringValue, recorded != sha256Hex(inputs.canonicalText) {
            problems.append("inputs_json does not match inputs_sha256")
        }
        if let outputs, let recorded = entry["outputs_sha256"]?.stringValue, recorded != sha256Hex(outputs.canonicalText) {
            problems.append("outputs_json does not match outputs_sha256")
        }
        func compare(_ field: String, _ copy: JSONValue?, _ copyName: String) {
            guard let value = entry[field], let copy, value != copy else { return }
            problems.append("\(field) \(value.compactText) differs from \(copyName) \(copy.compactText)")
        }
        compare("provider_id", inputs?["provider_id"], "inputs_json.provider_id")
        compare("rule_version_id", inputs?["rule_version_id"], "inputs_json.rule_version_id")
        compare("executed_at", inputs?["as_of"], "inputs_json.as_of")
        if let id = inputs?["rule_version_id"]?.stringValue, let at = id.lastIndex(of: "@") {
            compare("rule_type", .string(String(id[..<at])), "the pack of inputs_json.rule_version_id")
        }
        if let recorded = entry["entry_sha256"]?.stringValue, let computed = entryHash(of: entry), recorded != computed {
            // The fields above name what changed when they can; else it is a chain field.
            problems.append(problems.isEmpty
                ? "entry_sha256 does not match the entry's fields: entry_sha256, entry_sequence or entry_previous_sha256 was altered"
                : "entry_sha256 does not match the entry's fields")
        }
        return problems
    }
}

/// Checks a run's log entry by entry, in file order, against its hash chain, and at the end
/// against the run manifest: reports entries missing, out of order, repeated or inserted.
public struct LogChainVerifier: Sendable {
    /// The next `entry_sequence` expected: one past the highest seen.
    private var expected = 1
    /// The `entry_sha256` of the entry with the highest sequence seen (the chain's head so far).
    private var head = LogChain.genesis
    /// Sequences skipped so far: missing, unless they turn up later (then out of order).
    private var skipped: Set<Int> = []

    /// Creates a verifier at the start of a log.
    public init() {}

    /// Checks where `entry`, read on `line`, stands in the chain; returns what is wrong with
    /// its place (what is wrong with its own fields is ``LogChain/problems(in:)``).
    public mutating func check(_ entry: JSONValue, line: Int) -> [String] {
        guard case .number(let sequenceText)? = entry["entry_sequence"], let sequence = Int(sequenceText),
              let hash = entry["entry_sha256"]?.stringValue, let link = entry["entry_previous_sha256"]?.stringValue else {
            return ["the entry has no entry_sequence, entry_sha256 or entry_previous_sha256: it is not part of a sealed log"]
        }
        if sequence == expected {
            defer { head = hash; expected += 1 }
            guard link != head else { return [] }
            return [sequence == 1
                ? "entry_previous_sha256 is not the chain's start (64 zeros): the entry was altered or entries before it were removed"
                : "entry_previous_sha256 is not entry \(sequence - 1)'s entry_sha256: that entry was altered, or an entry was inserted or replaced"]
        }
        if sequence > expected {
            // A gap: the link points at an entry not read (yet), so only the gap is recorded.
            skipped.formUnion(expected..<sequence)
            head = hash
            expected = sequence + 1
            return []
        }
        if skipped.remove(sequence) != nil {
            return ["entry \(sequence) is out of order: it is at line \(line), after entry \(expected - 1)"]
        }
        return ["entry \(sequence) appears again at line \(line): an entry was inserted or repeated"]
    }

    /// Problems left at the end of the log: entries never found, and a count or head that
    /// differs from the run manifest's (when there is one).
    public func finish(manifestEntries: Int?, manifestHead: String?) -> [String] {
        var problems: [String] = []
        if !skipped.isEmpty { problems.append("missing: \(Self.ranges(skipped.sorted()))") }
        let last = expected - 1
        if let manifestEntries, manifestEntries != last {
            problems.append(manifestEntries > last
                ? "the run manifest records \(manifestEntries) entries; the log ends after entry \(last): missing: "
                    + Self.ranges(Array((last + 1)...manifestEntries))
                : "the run manifest records \(manifestEntries) entries; the log holds entries up to \(last)")
        } else if let manifestHead, manifestHead != head {
            problems.append("the last entry's entry_sha256 is not the run manifest's last_entry_sha256: the log is not the one the run wrote")
        }
        return problems
    }

    /// `entry 3`, `entries 3–5, 9`.
    static func ranges(_ numbers: [Int]) -> String {
        var parts: [String] = []
        var index = 0
        while index < numbers.count {
            var end = index
            while end + 1 < numbers.count, numbers[end + 1] == numbers[end] + 1 { end += 1 }
            parts.append(end == index ? "\(numbers[index])" : "\(numbers[index])–\(numbers[end])")
            index = end + 1
        }
        return (numbers.count == 1 ? "entry " : "entries ") + parts.joined(separator: ", ")
    }
}
