import RuleBase
import RuleTestSupport
import Testing

/// Mutation fuzzing of the facts JSON parser with a seeded generator (reproducible: a failure
/// names its seed), with the invariants of the libFuzzer harness `Tools/fuzz/FuzzJSON.swift`:
/// both entry points agree, errors lie inside the input, canonical text round-trips, and every
/// row captured as canonical is byte for byte the canonical text of its row.
@Suite struct JSONFuzzTests {
    static let seeds: [String] = [
        #"{"cme_events":[{"category":"ethics","completion_date":"2026-01-10","credits_earned":2,"id":"E1","provider_id":"p1"}],"licenses":[{"expiration_date":"2027-01-31","id":"L1","provider_id":"p1","state":"TX","status":"active"}]}"#,
        """
        {
          "providers": [ { "id": "p1", "npi": "1234567890", "name": "Zoë \\u00e9 \\ud83d\\ude00 \\/" } ],
          "provider_attributes": [ {"key": "in_residency", "value": true}, {"key": "share", "value": 0.250} ],
          "dea_registrations": [ {"id": "D1", "schedules": ["2", "2N", "3"], "expiration_date": null} ]
        }
        """,
        #"[1, -0, 2.50, 1e2, 1E-2, 0.0, -12.340e+3, true, false, null, "", "\"\\\/\b\f\n\r\t"]"#,
        #"{"a":{"b":{"c":[[],[{}],{"d":[1,{"e":"f"}]}]}}}"#,
    ]

    static let inserts: [String] = [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\u0000", "-", ".", "e", "E+", "0", "01",
        "true", "fals", "null", " ", "\n", "\t", "\r", "\u{7F}", "é", "😀", "\"id\":", "\"state\":\"TX\",", "\"licenses\":[",
    ]

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...Int.random(in: 0...3, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<8, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] = UInt8.random(in: 0...255, using: &random)
            case 1:
                bytes.removeSubrange(position...)
            case 2, 3:
                bytes.insert(contentsOf: Array(inserts.randomElement(using: &random)?.utf8 ?? "[".utf8), at: position)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...12, using: &random))
                bytes.removeSubrange(min(position, end)..<end)
            case 5 where !bytes.isEmpty:
                // Repeat a stretch: duplicate keys and rows, often out of order.
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...40, using: &random))
                bytes.insert(contentsOf: Array(bytes[start..<end]), at: position)
            case 6:
                let depth = Int.random(in: 1...250, using: &random)
                bytes.insert(contentsOf: Array(String(repeating: Bool.random(using: &random) ? "[" : "{\"a\":", count: depth).utf8), at: position)
            default:
                let scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &random)) ?? "x"
                bytes.insert(contentsOf: Array(String(Character(scalar)).utf8), at: position)
            }
        }
        return bytes
    }

    /// The first broken invariant for `bytes`, or nil.
    static func violation(_ bytes: [UInt8]) -> String? {
        let captured: Result<(value: JSONValue, canonicalRows: [String: [[UInt8]?]]), JSONSyntaxError>
        do { captured = .success(try JSONParser.parseCapturingCanonicalRows(bytes[...])) } catch { captured = .failure(error) }
        if let text = String(validating: bytes, as: UTF8.self) {
            let plain: Result<JSONValue, JSONSyntaxError>
            do { plain = .success(try JSONParser.parse(text)) } catch { plain = .failure(error) }
            switch (captured, plain) {
            case let (.success(a), .success(b)): if a.value.canonicalText != b.canonicalText { return "entry points parse different values" }
            case let (.failure(a), .failure(b)): if a != b { return "entry points report \(a) and \(b)" }
            default: return "one entry point accepts what the other refuses"
            }
        }
        switch captured {
        case .failure(let error):
            let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            if error.location.line < 1 || error.location.line > lines || error.location.column < 1 { return "error outside the input: \(error)" }
        case .success(let (value, rows)):
            let canonical = value.canonicalText
            guard let again = try? JSONParser.parse(canonical) else { return "canonical text does not parse: \(canonical)" }
            if again != value || again.canonicalText != canonical { return "canonical text does not round-trip: \(canonical)" }
            guard case .object(let tables) = value else { return nil }
            for (table, tableRows) in rows {
                guard let items = tables.first(where: { $0.0 == table })?.1.arrayValue else { continue }
                if items.count != tableRows.count { return "captured \(tableRows.count) rows of `\(table)`, parsed \(items.count)" }
                for (item, row) in zip(items, tableRows) where row != nil && row != Array(item.canonicalText.utf8) {
                    return "captured a non-canonical row of `\(table)`: \(String(decoding: row ?? [], as: UTF8.self))"
                }
            }
        }
        return nil
    }

    @Test(arguments: 0..<4)
    func mutantsKeepTheInvariants(_ seedIndex: Int) {
        let seed = Array(Self.seeds[seedIndex].utf8)
        #expect(Self.violation(seed) == nil, "seed \(seedIndex) itself")
        var random = SplitMix64(seed: 0x4A53_4F4E + UInt64(seedIndex))
        var current = seed
        for round in 0..<3_000 {
            let mutant = Self.mutate(round % 8 == 0 ? seed : current, &random)
            if let problem = Self.violation(mutant) {
                Issue.record("seed \(seedIndex), round \(round): \(problem)\ninput: \(String(decoding: mutant, as: UTF8.self).debugDescription)")
                return
            }
            // Keep growing from mutants that still parse, so mutations reach deep structure.
            if (try? JSONParser.parse(String(decoding: mutant, as: UTF8.self))) != nil { current = mutant }
        }
    }

    /// Inputs found by `Tools/fuzz/fuzz-json`, kept as regression tests.
    @Test(arguments: [
        // A duplicate key after an out-of-order key was accepted: `state` repeated after `provider_id`
        // (the parser only compared each key with the one before). The row then had two values
        // for one column, and its canonical text did not parse.
        #"{"provider_states":[{"id":"pst-0001","state":"000004-1","provider_id":"prov-000003","state":"PA"}]}"#,
        #"{"b":1,"a":2,"b":3}"#,
        #"{"c":1,"a":2,"b":3,"c":4}"#,
    ])
    func foundByTheFuzzer(_ text: String) {
        #expect(Self.violation(Array(text.utf8)) == nil)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func duplicateKeyErrorPointsAtTheSecondKey() throws {
        do {
            _ = try JSONParser.parse(#"{"b":1,"a":2,"b":3}"#)
            Issue.record("accepted a duplicate key")
        } catch {
            #expect(error.message == #"duplicate key "b" in object"#)
            #expect(error.location == SourceLocation(line: 1, column: 14))
        }
    }
}
