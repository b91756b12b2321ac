public import RuleBase
import Crypto

/// A rule-version document that does not match the IR's shape.
public struct RuleVersionDecodingError: Error, Sendable, CustomStringConvertible {
    /// JSON path of the offending value, e.g. `requirements[2].hours`.
    public var path: String
    /// What is wrong.
    public var message: String

    public var description: String { "\(path): \(message)" }
}

/// SHA-256 of text's UTF-8 bytes, as lowercase hex.
public func sha256Hex(_ text: String) -> String {
    sha256Hex(bytes: Array(text.utf8))
}

/// SHA-256 of bytes, as lowercase hex.
public func sha256Hex(bytes: [UInt8]) -> String {
    sha256Hex(bytes: bytes[...])
}

/// SHA-256 of part of a buffer, as lowercase hex.
public func sha256Hex(bytes: ArraySlice<UInt8>) -> String {
    var hasher = SHA256()
    bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    // Every log entry hashes three times: the digits straight into the string's storage, no
    // iterator, array or table allocated per hash.
    return hasher.finalize().withUnsafeBytes { digest in
        String(unsafeUninitializedCapacity: 2 * digest.count) { hex in
            for (index, byte) in digest.enumerated() {
                hex[2 * index] = hexDigit(byte >> 4)
                hex[2 * index + 1] = hexDigit(byte & 0x0F)
            }
            return 2 * digest.count
        }
    }
}

@inline(__always)
private func hexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}

extension RuleVersion {
    /// The canonical JSON text: the bytes that are hashed and stored.
    public var canonicalJSON: String { json.canonicalText }

    /// SHA-256 of ``canonicalJSON``.
    public var hash: String { sha256Hex(canonicalJSON) }

    /// The rule version as a JSON value (snake_case keys; optional fields omitted when nil).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("format", .string(Self.formatTag)),
            ("pack", .string(pack)),
            ("version", .int(version)),
            ("title", .string(title)),
            ("authority", .string(authority)),
            ("credential", .string(credential.rawValue)),
            ("applies_to", appliesTo.json),
            ("effective", effective.json),
            ("citations", .array(citations.map(\.json))),
            ("parameters", .array(parameters.map(\.json))),
            ("attributes", .array(attributes.map(\.json))),
            ("cycle", cycle.json),
            ("requirements", .array(requirements.map(\.json))),
            ("exemptions", .array(exemptions.map(\.json))),
            ("tests", .array(tests.map(\.json))),
        ]
        if let notes { members.append(("notes", .string(notes))) }
        // Absent when empty, so packs without alternatives keep their bytes.
        if !alternatives.isEmpty { members.append(("alternatives", .array(alternatives.map(\.json)))) }
        if !notIssued.isEmpty { members.append(("not_issued", .array(notIssued.map(\.json)))) }
        return .object(members)
    }

    /// Decodes canonical (or any equivalent) rule-version JSON.
    public init(json: JSONValue) throws(RuleVersionDecodingError) {
        let r = JSONReader(json, path: "")
        let format = try r.string("format")
        guard format == Self.formatTag else {
            throw RuleVersionDecodingError(path: "format", message: "unsupported rule-version format `\(format)`; expected `\(Self.formatTag)`")
        }
        self.init(
            pack: try r.string("pack"),
            version: try r.int("version"),
            title: try r.string("title"),
            authority: try r.string("authority"),
            credential: try r.enumValue("credential"),
            appliesTo: try Applicability(try r.object("applies_to")),
            effective: try EffectiveRange(try r.object("effective")),
            citations: try r.array("citations").map { x throws(RuleVersionDecodingError) in try Citation(x) },
            parameters: try r.array("parameters").map { x throws(RuleVersionDecodingError) in try Parameter(x) },
            attributes: try r.array("attributes").map { x throws(RuleVersionDecodingError) in try AttributeDeclaration(x) },
            cycle: try Cycle(try r.object("cycle")),
            requirements: try r.array("requirements").map { x throws(RuleVersionDecodingError) in try Requirement(x) },
            exemptions: try r.array("exemptions").map { x throws(RuleVersionDecodingError) in try Exemption(x) },
            tests: try r.array("tests").map { x throws(RuleVersionDecodingError) in try PackTest(x) },
            notes: try r.optionalString("notes"),
            alternatives: try (r.optionalValue("alternatives") == nil ? [] : r.array("alternatives")).enumerated().map {
                x throws(RuleVersionDecodingError) in try Alternative(x.element, index: x.offset)
            },
            notIssued: try (r.optionalValue("not_issued") == nil ? [] : r.array("not_issued")).enumerated().map {
                x throws(RuleVersionDecodingError) in try NotIssued(x.element, index: x.offset)
            }
        )
        // A key this build does not know would be dropped in silence, and the rule evaluated
        // would not be the one written (a field added by a newer credrules, a typo in a
        // hand-edited file). Null members are allowed here: they mean "absent".
        if let (path, _) = StoredRuleVersion.firstUnknownKey(stored: json, known: self.json, path: "", ignoringNulls: true) {
            throw RuleVersionDecodingError(path: path, message: "unknown key: \(Self.formatTag) has no such field")
        }
    }

    /// Parses rule-version JSON text.
    public init(jsonText: String) throws(RuleVersionDecodingError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(jsonText)
        } catch {
            throw RuleVersionDecodingError(path: "", message: "not JSON: \(error)")
        }
        try self.init(json: value)
    }
}

// MARK: - Members

private func optional(_ members: inout [(String, JSONValue)], _ key: String, _ value: JSONValue?) {
    if let value { members.append((key, value)) }
}

private func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }

extension Applicability {
    var json: JSONValue {
        var m: [(String, JSONValue)] = []
        optional(&m, "state", state.map { .string($0) })
        optional(&m, "license_types", licenseTypes.map(strings))
        return .object(m)
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        self.init(state: try r.optionalString("state"), licenseTypes: try r.optionalStrings("license_types"))
    }
}

extension EffectiveRange {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [("from", .string(from.description))]
        optional(&m, "to", to.map { .string($0.description) })
        return .object(m)
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        self.init(from: try r.date("from"), to: try r.optionalDate("to"))
    }
}

extension Citation {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [("id", .string(id)), ("text", .string(text))]
        optional(&m, "url", url.map { .string($0) })
        optional(&m, "confidence", confidence.map { .string($0) })
        optional(&m, "note", note.map { .string($0) })
        return .object(m)
    }

    init(_ v: JSONValue) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "citations").asObject()
        self.init(
            id: try r.string("id"), text: try r.string("text"), url: try r.optionalString("url"),
            confidence: try r.optionalString("confidence"), note: try r.optionalString("note"))
    }
}

extension ScalarValue {
    /// The value as JSON: ints and decimals as numbers, dates as strings.
    public var json: JSONValue {
        switch self {
        case .int(let v): .number(String(v))
        case .decimal(let v): .number(v.description)
        case .bool(let v): .bool(v)
        case .string(let v): .string(v)
        case .date(let v): .string(v.description)
        }
    }

    /// Reads a JSON value as a scalar of the given type (numbers may be JSON numbers or decimal strings).
    public init?(json: JSONValue, type: ValueType) {
        switch (type, json) {
        case (.int, .number(let text)): guard let v = Int64(text) else { return nil }; self = .int(v)
        case (.decimal, .number(let text)), (.decimal, .string(let text)):
            guard let v = ExactDecimal(JSONValue.canonicalNumber(text)) else { return nil }
            self = .decimal(v)
        case (.bool, .bool(let b)): self = .bool(b)
        case (.string, .string(let s)): self = .string(s)
        case (.date, .string(let s)): guard let d = CalendarDate(iso: s) else { return nil }; self = .date(d)
        default: return nil
        }
    }
}

extension Parameter {
    var json: JSONValue {
        .object([
            ("name", .string(name)),
            ("type", .string(type.rawValue)),
            ("values", .array(values.map { .object([("from", .string($0.from.description)), ("value", $0.value.json)]) })),
        ])
    }

    init(_ v: JSONValue) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "parameters").asObject()
        let type: ValueType = try r.enumValue("type")
        let values = try r.array("values").map { x throws(RuleVersionDecodingError) -> DatedValue in
            let e = try JSONReader(x, path: r.path + ".values").asObject()
            guard let value = ScalarValue(json: try e.value("value"), type: type) else {
                throw RuleVersionDecodingError(path: e.path + ".value", message: "not a \(type.rawValue)")
            }
            return DatedValue(from: try e.date("from"), value: value)
        }
        self.init(name: try r.string("name"), type: type, values: values)
    }
}

extension AttributeDeclaration {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [("key", .string(key)), ("type", .string(type.rawValue))]
        optional(&m, "default", defaultValue?.json)
        optional(&m, "meaning", meaning.map { .string($0) })
        return .object(m)
    }

    init(_ v: JSONValue) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "attributes").asObject()
        let type: ValueType = try r.enumValue("type")
        var defaultValue: ScalarValue?
        if let d = r.optionalValue("default") {
            guard let value = ScalarValue(json: d, type: type) else {
                throw RuleVersionDecodingError(path: r.path + ".default", message: "not a \(type.rawValue)")
            }
            defaultValue = value
        }
        self.init(key: try r.string("key"), type: type, defaultValue: defaultValue)
        meaning = try r.optionalString("meaning")
    }
}

extension Cycle {
    var json: JSONValue {
        .object([
            ("months", .int(months)), ("cme_window_months", .int(cmeWindowMonths)),
            ("warn_within_days", .int(warnWithinDays)), ("first_term_months", .int(firstTermMonths)),
        ])
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        self.init(
            months: try r.int("months"), cmeWindowMonths: try r.int("cme_window_months"),
            warnWithinDays: try r.int("warn_within_days"), firstTermMonths: try r.optionalInt("first_term_months"))
    }
}

extension Expression {
    var json: JSONValue {
        .object([("source", .string(source)), ("type", .string(type)), ("attributes", strings(attributes))])
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        self.init(source: try r.string("source"), type: try r.string("type"), attributes: try r.optionalStrings("attributes") ?? [])
    }
}

extension Deadline {
    var json: JSONValue {
        switch self {
        case .renewal(let n): .object([("renewal", .int(n))])
        case .monthsAfterIssue(let n): .object([("months_after_issue", .int(n))])
        case .date(let d): .object([("date", .string(d.description))])
        case .firstRenewalAfter(let d): .object([("first_renewal_after", .string(d.description))])
        case .earliestOf(let list): .object([("earliest_of", .array(list.map(\.json)))])
        case .latestOf(let list): .object([("latest_of", .array(list.map(\.json)))])
        }
    }

    init(_ v: JSONValue, path: String) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: path).asObject()
        if r.optionalValue("renewal") != nil { self = .renewal(try r.int("renewal")) }
        else if r.optionalValue("months_after_issue") != nil { self = .monthsAfterIssue(try r.int("months_after_issue")) }
        else if r.optionalValue("date") != nil { self = .date(try r.date("date")) }
        else if r.optionalValue("first_renewal_after") != nil { self = .firstRenewalAfter(try r.date("first_renewal_after")) }
        else if r.optionalValue("earliest_of") != nil {
            self = .earliestOf(try r.array("earliest_of").map { x throws(RuleVersionDecodingError) in try Deadline(x, path: path + ".earliest_of") })
        } else if r.optionalValue("latest_of") != nil {
            self = .latestOf(try r.array("latest_of").map { x throws(RuleVersionDecodingError) in try Deadline(x, path: path + ".latest_of") })
        } else {
            throw RuleVersionDecodingError(path: path, message: "unknown deadline form")
        }
    }
}

extension Requirement {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [
            ("id", .string(id)), ("title", .string(title)), ("kind", .string(kind.rawValue)), ("cite", .string(cite)),
            ("severity", .string(severity.rawValue)), ("gap_type", .string(gapType.rawValue)),
        ]
        optional(&m, "when", when?.json)
        if let cadence {
            var c: [(String, JSONValue)] = [("renewals", .array(cadence.renewals.map { .int($0) }))]
            optional(&c, "then_every", cadence.thenEvery.map { .int($0) })
            optional(&c, "from_renewal", cadence.fromRenewal.map { .int($0) })
            m.append(("cadence", .object(c)))
        }
        switch hours {
        case .constant(let d): m.append(("hours", .object([("constant", .number(d.description))])))
        case .expression(let e): m.append(("hours", .object([("expression", e.json)])))
        case .anyRecord: m.append(("hours", .object([("any_record", .bool(true))])))
        case nil: break
        }
        optional(&m, "categories", categories.map(strings))
        optional(&m, "credit_types", creditTypes.map(strings))
        optional(&m, "lookback_months", lookbackMonths.map { .int($0) })
        optional(&m, "deadline", deadline?.json)
        optional(&m, "registration", registration.map { .string($0.rawValue) })
        optional(&m, "same_state", sameState.map { .bool($0) })
        optional(&m, "specialties", specialties.map(strings))
        optional(&m, "check", check?.json)
        optional(&m, "code", code.map { .string($0) })
        optional(&m, "message", message.map { .string($0) })
        optional(&m, "grace", grace?.json)
        optional(&m, "window", window?.json)
        optional(&m, "categories_except", excludedCategories.map(strings))
        optional(&m, "counts_from", countsFrom.map { .string($0.description) })
        optional(&m, "carry_forward", carryForward.map {
            .object([("max_hours", .number($0.maxHours.description)), ("excluding_categories", strings($0.excludingCategories))])
        })
        optional(&m, "caps", caps.map { .array($0.map(\.json)) })
        optional(&m, "expiry", expiry?.json)
        optional(&m, "consequence", consequence?.json)
        optional(&m, "any_of", anyOf.map { .array($0.map(\.json)) })
        optional(&m, "prorate", prorate.map { .object([("per_months", .int($0.perMonths)), ("round", .string($0.round.rawValue))]) })
        return .object(m)
    }

    init(_ v: JSONValue) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "requirements").asObject()
        self.init(
            id: try r.string("id"), title: try r.string("title"), kind: try r.enumValue("kind"), cite: try r.string("cite"),
            severity: try r.enumValue("severity"), gapType: try r.enumValue("gap_type"))
        if let w = r.optionalValue("when") { when = try Expression(try JSONReader(w, path: r.path + ".when").asObject()) }
        if let c = r.optionalValue("cadence") {
            let cr = try JSONReader(c, path: r.path + ".cadence").asObject()
            cadence = Cadence(
                renewals: try cr.array("renewals").map { x throws(RuleVersionDecodingError) in try JSONReader(x, path: cr.path).asInt() },
                thenEvery: try cr.optionalInt("then_every"), fromRenewal: try cr.optionalInt("from_renewal"))
        }
        if let h = r.optionalValue("hours") {
            let hr = try JSONReader(h, path: r.path + ".hours").asObject()
            if let e = hr.optionalValue("expression") {
                hours = .expression(try Expression(try JSONReader(e, path: hr.path + ".expression").asObject()))
            } else if try hr.optionalBool("any_record") == true {
                hours = .anyRecord
            } else {
                hours = .constant(try hr.decimal("constant"))
            }
        }
        categories = try r.optionalStrings("categories")
        creditTypes = try r.optionalStrings("credit_types")
        lookbackMonths = try r.optionalInt("lookback_months")
        if let d = r.optionalValue("deadline") { deadline = try Deadline(d, path: r.path + ".deadline") }
        if let reg = try r.optionalString("registration") {
            guard let kind = CredentialKind(rawValue: reg) else {
                throw RuleVersionDecodingError(path: r.path + ".registration", message: "unknown credential `\(reg)`")
            }
            registration = kind
        }
        sameState = try r.optionalBool("same_state")
        specialties = try r.optionalStrings("specialties")
        if let c = r.optionalValue("check") { check = try Expression(try JSONReader(c, path: r.path + ".check").asObject()) }
        code = try r.optionalString("code")
        message = try r.optionalString("message")
        if let g = r.optionalValue("grace") { grace = try GracePeriod(try JSONReader(g, path: r.path + ".grace").asObject()) }
        if let w = r.optionalValue("window") { window = try CMEWindow(w, path: r.path + ".window") }
        excludedCategories = try r.optionalStrings("categories_except")
        countsFrom = try r.optionalDate("counts_from")
        if let c = r.optionalValue("carry_forward") {
            let cr = try JSONReader(c, path: r.path + ".carry_forward").asObject()
            carryForward = CarryForward(maxHours: try cr.decimal("max_hours"), excludingCategories: try cr.optionalStrings("excluding_categories") ?? [])
        }
        if r.optionalValue("caps") != nil {
            caps = try r.array("caps").map { x throws(RuleVersionDecodingError) in
                try HoursCap(try JSONReader(x, path: r.path + ".caps").asObject())
            }
        }
        if let x = r.optionalValue("expiry") { expiry = try ExpiryRule(try JSONReader(x, path: r.path + ".expiry").asObject()) }
        if let c = r.optionalValue("consequence") {
            consequence = try Consequence(try JSONReader(c, path: r.path + ".consequence").asObject())
        }
        if r.optionalValue("any_of") != nil {
            anyOf = try r.array("any_of").map { x throws(RuleVersionDecodingError) in
                try LookbackOption(try JSONReader(x, path: r.path + ".any_of").asObject())
            }
        }
        if r.optionalValue("prorate") != nil {
            let pr = try r.object("prorate")
            let per = try pr.int("per_months")
            guard per >= 1, let rounding = Proration.Rounding(rawValue: try pr.string("round")) else {
                throw RuleVersionDecodingError(path: pr.path, message: "`prorate` is `per_months` (at least 1) and `round` (none, down or up)")
            }
            prorate = Proration(perMonths: per, round: rounding)
        }
    }
}

extension LookbackOption {
    var json: JSONValue {
        .object([
            ("id", .string(id)), ("title", .string(title)), ("lookback_months", .int(lookbackMonths)),
            ("all_of", .array(figures.map { f in
                var m: [(String, JSONValue)] = [("hours", .number(f.hours.description))]
                optional(&m, "categories", f.categories.map(strings))
                optional(&m, "credit_types", f.creditTypes.map(strings))
                return .object(m)
            })),
        ])
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        self.init(
            id: try r.string("id"), title: try r.string("title"), lookbackMonths: try r.int("lookback_months"),
            figures: try r.array("all_of").map { x throws(RuleVersionDecodingError) in
                let f = try JSONReader(x, path: r.path + ".all_of").asObject()
                return HoursFigure(hours: try f.decimal("hours"), categories: try f.optionalStrings("categories"),
                                   creditTypes: try f.optionalStrings("credit_types"))
            })
    }
}

extension Consequence {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [("becomes", .string(becomes.rawValue))]
        optional(&m, "cite", cite.map { .string($0) })
        return .object(m)
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        becomes = try r.enumValue("becomes")
        cite = try r.optionalString("cite")
    }
}

extension GracePeriod {
    var json: JSONValue {
        var m: [(String, JSONValue)] = []
        switch length {
        case .days(let n): m.append(("days", .int(n)))
        case .months(let n): m.append(("months", .int(n)))
        case .untilEndOfMonthAfter(let n): m.append(("until_end_of_month_after", .int(n)))
        }
        m.append(("practice", .string(practiceAllowed ? "allowed" : "not_allowed")))
        m.append(("cme", .string(cme.rawValue)))
        optional(&m, "cite", cite.map { .string($0) })
        return .object(m)
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        if let days = try r.optionalInt("days") {
            length = .days(days)
        } else if let n = try r.optionalInt("until_end_of_month_after") {
            length = .untilEndOfMonthAfter(n)
        } else {
            length = .months(try r.int("months"))
        }
        let practice = try r.string("practice")
        guard practice == "allowed" || practice == "not_allowed" else {
            throw RuleVersionDecodingError(path: r.path + ".practice", message: "expected `allowed` or `not_allowed`")
        }
        practiceAllowed = practice == "allowed"
        cme = try r.enumValue("cme")
        cite = try r.optionalString("cite")
    }
}

extension Exemption {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [
            ("id", .string(id)), ("when", when.json), ("except", strings(except)), ("cite", .string(cite)),
            ("precedence", .int(precedence)),
        ]
        optional(&m, "exempts", exempts.map(strings))
        return .object(m)
    }

    init(_ v: JSONValue) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "exemptions").asObject()
        self.init(
            id: try r.string("id"), when: try Expression(try r.object("when")), exempts: try r.optionalStrings("exempts"),
            except: try r.optionalStrings("except") ?? [], cite: try r.string("cite"), precedence: try r.int("precedence"))
    }
}

extension PackTest {
    var json: JSONValue {
        var e: [(String, JSONValue)] = []
        optional(&e, "status", expect.status.map { .string($0) })
        optional(&e, "met", expect.met.map(strings))
        optional(&e, "unmet", expect.unmet.map(strings))
        optional(&e, "exempt", expect.exempt.map(strings))
        optional(&e, "not_applicable", expect.notApplicable.map(strings))
        optional(&e, "unknown", expect.unknown.map(strings))
        optional(&e, "gaps", expect.gaps.map(strings))
        optional(&e, "met_by_alternative", expect.metByAlternative.map(strings))
        return .object([("name", .string(name)), ("as_of", .string(asOf.description)), ("facts", facts), ("expect", .object(e))])
    }

    init(_ v: JSONValue) throws(RuleVersionDecodingError) {
        let r = try JSONReader(v, path: "tests").asObject()
        let e = try r.object("expect")
        self.init(
            name: try r.string("name"), asOf: try r.date("as_of"), facts: try r.value("facts"),
            expect: Expectation(
                status: try e.optionalString("status"), met: try e.optionalStrings("met"), unmet: try e.optionalStrings("unmet"),
                exempt: try e.optionalStrings("exempt"), notApplicable: try e.optionalStrings("not_applicable"),
                unknown: try e.optionalStrings("unknown"), gaps: try e.optionalStrings("gaps")))
        expect.metByAlternative = try e.optionalStrings("met_by_alternative")
    }
}

// MARK: - Reader

/// Typed access to a JSON object with paths for error messages.
struct JSONReader {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    private func fail(_ key: String, _ message: String) -> RuleVersionDecodingError {
        RuleVersionDecodingError(path: path.isEmpty ? key : "\(path).\(key)", message: message)
    }

    func asObject() throws(RuleVersionDecodingError) -> JSONReader {
        guard case .object = value else { throw RuleVersionDecodingError(path: path, message: "expected an object") }
        return self
    }

    func asInt() throws(RuleVersionDecodingError) -> Int {
        guard case .number(let t) = value, let i = Int(t) else { throw RuleVersionDecodingError(path: path, message: "expected an integer") }
        return i
    }

    func optionalValue(_ key: String) -> JSONValue? {
        guard let v = value[key], !v.isNull else { return nil }
        return v
    }

    func value(_ key: String) throws(RuleVersionDecodingError) -> JSONValue {
        guard let v = optionalValue(key) else { throw fail(key, "missing") }
        return v
    }

    func object(_ key: String) throws(RuleVersionDecodingError) -> JSONReader {
        try JSONReader(try value(key), path: path.isEmpty ? key : "\(path).\(key)").asObject()
    }

    func array(_ key: String) throws(RuleVersionDecodingError) -> [JSONValue] {
        guard let a = try value(key).arrayValue else { throw fail(key, "expected an array") }
        return a
    }

    func string(_ key: String) throws(RuleVersionDecodingError) -> String {
        guard let s = try value(key).stringValue else { throw fail(key, "expected a string") }
        return s
    }

    func optionalString(_ key: String) throws(RuleVersionDecodingError) -> String? {
        guard optionalValue(key) != nil else { return nil }
        return try string(key)
    }

    func optionalStrings(_ key: String) throws(RuleVersionDecodingError) -> [String]? {
        guard optionalValue(key) != nil else { return nil }
        return try array(key).map { x throws(RuleVersionDecodingError) in
            guard let s = x.stringValue else { throw fail(key, "expected an array of strings") }
            return s
        }
    }

    func int(_ key: String) throws(RuleVersionDecodingError) -> Int {
        guard case .number(let t) = try value(key), let i = Int(t) else { throw fail(key, "expected an integer") }
        return i
    }

    func optionalInt(_ key: String) throws(RuleVersionDecodingError) -> Int? {
        guard optionalValue(key) != nil else { return nil }
        return try int(key)
    }

    func optionalBool(_ key: String) throws(RuleVersionDecodingError) -> Bool? {
        guard let v = optionalValue(key) else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "expected a boolean") }
        return b
    }

    func decimal(_ key: String) throws(RuleVersionDecodingError) -> ExactDecimal {
        guard case .number(let t) = try value(key), let d = ExactDecimal(JSONValue.canonicalNumber(t)) else {
            throw fail(key, "expected a decimal number")
        }
        return d
    }

    func date(_ key: String) throws(RuleVersionDecodingError) -> CalendarDate {
        guard let d = CalendarDate(iso: try string(key)) else { throw fail(key, "expected a YYYY-MM-DD date") }
        return d
    }

    func optionalDate(_ key: String) throws(RuleVersionDecodingError) -> CalendarDate? {
        guard optionalValue(key) != nil else { return nil }
        return try date(key)
    }

    func enumValue<E: RawRepresentable>(_ key: String) throws(RuleVersionDecodingError) -> E where E.RawValue == String {
        let s = try string(key)
        guard let e = E(rawValue: s) else { throw fail(key, "unknown value `\(s)`") }
        return e
    }
}

extension HoursCap {
    var json: JSONValue {
        var m: [(String, JSONValue)] = [("max_hours", .number(maxHours.description))]
        optional(&m, "categories", categories.map(strings))
        optional(&m, "credit_types", creditTypes.map(strings))
        optional(&m, "credit_types_except", creditTypesExcept.map(strings))
        return .object(m)
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        self.init(
            maxHours: try r.decimal("max_hours"), categories: try r.optionalStrings("categories"),
            creditTypes: try r.optionalStrings("credit_types"), creditTypesExcept: try r.optionalStrings("credit_types_except"))
    }
}

extension ExpiryRule {
    var json: JSONValue {
        var m: [(String, JSONValue)] = []
        switch day {
        case .fixed(let month, let day):
            m.append(("day", .string((month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)")))
        case .endOfBirthMonth: m.append(("day", .string("end_of_birth_month")))
        case .birthday: m.append(("day", .string("birthday")))
        case .birthMonth: m.append(("day", .string("birth_month")))
        }
        switch years {
        case .any: m.append(("years", .string("any")))
        case .parity(let p): m.append(("years", .string(p.rawValue)))
        case .birthYearParity: m.append(("years", .string("birth_year_parity")))
        case .surnames(let ranges):
            m.append(("surnames", .array(ranges.map { .object([("from", .string(String($0.first))), ("to", .string(String($0.last))),
                                                               ("years", .string($0.parity.rawValue))]) })))
        case .series(let every, let including):
            m.append(("years", .object([("every", .int(every)), ("including", .int(including))])))
        }
        optional(&m, "since", since.map { .string($0.description) })
        optional(&m, "cite", cite.map { .string($0) })
        optional(&m, "license_types", licenseTypes.map(strings))
        return .object(m)
    }

    init(_ r: JSONReader) throws(RuleVersionDecodingError) {
        let on = try r.string("day")
        if on == "end_of_birth_month" {
            day = .endOfBirthMonth
        } else if on == "birthday" {
            day = .birthday
        } else if on == "birth_month" {
            day = .birthMonth
        } else if let md = CMEWindow.parseMonthDay(on), !(md.month == 2 && md.day == 29) {
            day = .fixed(month: md.month, day: md.day)
        } else {
            throw RuleVersionDecodingError(path: r.path + ".day", message: "not a MM-DD month and day, `end_of_birth_month`, `birthday` or `birth_month`: \(on)")
        }
        if r.optionalValue("surnames") != nil {
            years = .surnames(try r.array("surnames").map { x throws(RuleVersionDecodingError) in
                let sr = try JSONReader(x, path: r.path + ".surnames").asObject()
                let from = try sr.string("from"), to = try sr.string("to")
                guard from.count == 1, to.count == 1, let first = from.first, let last = to.first,
                      let parity = Parity(rawValue: try sr.string("years")) else {
                    throw RuleVersionDecodingError(path: sr.path, message: "a surname range is `from`, `to` (one letter each) and `years` (even or odd)")
                }
                return SurnameRange(first: first, last: last, parity: parity)
            })
        } else if case .object = r.optionalValue("years") {
            let series = try r.object("years")
            let every = try series.int("every"), including = try series.int("including")
            guard every >= 2 else { throw RuleVersionDecodingError(path: series.path + ".every", message: "a series of years needs `every` of at least 2") }
            years = .series(every: every, including: including)
        } else {
            switch try r.string("years") {
            case "any": years = .any
            case "birth_year_parity": years = .birthYearParity
            case let text:
                guard let p = Parity(rawValue: text) else {
                    throw RuleVersionDecodingError(path: r.path + ".years", message: "expected any, even, odd or birth_year_parity")
                }
                years = .parity(p)
            }
        }
        since = try r.optionalDate("since")
        cite = try r.optionalString("cite")
        licenseTypes = try r.optionalStrings("license_types")
    }
}
