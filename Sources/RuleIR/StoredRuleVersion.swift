public import RuleBase

/// Why a stored rule version was refused.
public struct StoredRuleVersionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Sendable, Hashable {
        /// The bytes do not hash to the recorded hash: they were changed after publication.
        case hashMismatch
        /// The bytes are not UTF-8 JSON.
        case notJSON
        /// The JSON is not a rule version of a known format (a missing or ill-typed field).
        case notARuleVersion
        /// A key the rule-version format does not have.
        case unknownKey
        /// Decoding and re-encoding does not give the same bytes: this build would evaluate
        /// something other than what was published, or publish other bytes under the same rule.
        case doesNotRoundTrip
    }

    /// The kind of problem.
    public var kind: Kind
    /// Where in the JSON (`requirements[2].hours`), when known.
    public var path: String?
    /// One sentence saying what is wrong.
    public var message: String

    public var description: String { (path.map { "\($0): " } ?? "") + message }
}

/// A rule version read back from storage (a database row or a compiled file) and proven to be
/// exactly what was published: its bytes hash to the recorded hash, it carries no key this build
/// does not understand, and decoding then re-encoding it gives the same bytes, so evaluating it
/// evaluates the rule that was cited.
///
/// Published versions are cited by hash for years; a build whose canonicalisation drifted, or a
/// version written by a newer build with fields this one would silently drop, must fail loudly
/// here rather than evaluate a different rule under the same hash.
public struct StoredRuleVersion: Sendable {
    /// The decoded rule version.
    public let ruleVersion: RuleVersion
    /// The SHA-256 of the stored bytes (= the recorded hash).
    public let hash: String

    /// Checks and decodes `bytes`, the canonical JSON exactly as stored (no trailing newline),
    /// against `recordedHash`, the hash it was published under.
    public init(bytes: [UInt8], recordedHash: String) throws(StoredRuleVersionError) {
        let actual = sha256Hex(bytes: bytes)
        guard actual == recordedHash.lowercased() else {
            throw StoredRuleVersionError(
                kind: .hashMismatch, path: nil,
                message: "the stored bytes hash to \(actual), not to the recorded \(recordedHash): they were changed after publication")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StoredRuleVersionError(kind: .notJSON, path: nil, message: "the stored bytes are not valid UTF-8")
        }
        let stored: JSONValue
        do {
            stored = try JSONParser.parse(text)
        } catch {
            throw StoredRuleVersionError(kind: .notJSON, path: nil, message: "the stored bytes are not JSON (\(error))")
        }
        let version: RuleVersion
        do {
            version = try RuleVersion(json: stored)
        } catch {
            throw StoredRuleVersionError(kind: .notARuleVersion, path: error.path.isEmpty ? nil : error.path, message: error.message)
        }
        let reencoded = version.json
        if let (path, value) = Self.firstUnknownKey(stored: stored, known: reencoded, path: "") {
            throw StoredRuleVersionError(
                kind: .unknownKey, path: path,
                message: value.isNull
                    ? "`\(path)` is null; the canonical form omits an absent value"
                    : "unknown key `\(path)`: \(RuleVersion.formatTag) has no such field (written by another version of credrules?)")
        }
        let canonical = Array(version.canonicalJSON.utf8)
        guard canonical == bytes else {
            let difference = stored.differences(to: reencoded, path: "$", limit: 1).first
            throw StoredRuleVersionError(
                kind: .doesNotRoundTrip, path: nil,
                message: difference.map { "decoding and re-encoding changes the value: \($0)" }
                    ?? "the stored bytes are not in canonical form (key order, spacing or number spelling); "
                    + "the first difference is at byte \(zip(canonical, bytes).prefix { $0 == $1 }.count)")
        }
        self.ruleVersion = version
        self.hash = actual
    }

    /// Reads a compiled rule-version file as `credrules compile` writes it: the canonical bytes
    /// followed by one newline, which is not part of the hashed bytes.
    public init(fileBytes: [UInt8], recordedHash: String) throws(StoredRuleVersionError) {
        var bytes = fileBytes
        if bytes.last == 0x0A { bytes.removeLast() }
        try self.init(bytes: bytes, recordedHash: recordedHash)
    }

    /// The first key (depth first, in stored order) present in `stored` but not in `known`.
    static func firstUnknownKey(stored: JSONValue, known: JSONValue, path: String) -> (String, JSONValue)? {
        switch (stored, known) {
        case let (.object(members), .object(knownMembers)):
            for (key, value) in members {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let match = knownMembers.first(where: { $0.0 == key })?.1 else { return (child, value) }
                if let found = firstUnknownKey(stored: value, known: match, path: child) { return found }
            }
        case let (.array(items), .array(knownItems)):
            for (index, (item, knownItem)) in zip(items, knownItems).enumerated() {
                if let found = firstUnknownKey(stored: item, known: knownItem, path: "\(path)[\(index)]") { return found }
            }
        default:
            break
        }
        return nil
    }
}
