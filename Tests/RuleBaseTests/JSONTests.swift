import RuleBase
import Testing

@Suite struct JSONTests {
    @Test func canonicalSortsKeysAndNormalisesNumbers() throws {
        let value = try JSONParser.parse(#"{ "b": [1.50, 2e2, -0], "a": {"z": "x\ny", "é": true, "A": null} }"#)
        #expect(value.canonicalText == #"{"a":{"A":null,"z":"x\ny","é":true},"b":[1.5,200,0]}"#)
    }

    @Test(arguments: [
        ("1.0", "1"), ("0.000", "0"), ("-12.3400", "-12.34"), ("1e-3", "0.001"), ("1E+30", "1e+30"), ("123", "123"),
    ])
    func canonicalNumbers(text: String, expected: String) {
        #expect(JSONValue.canonicalNumber(text) == expected)
    }

    @Test(arguments: [
        (#"{"a":1,"a":2}"#, "duplicate key"),
        ("[1,]", "unexpected character"),
        (#"{"a" 1}"#, "expected ':'"),
        ("01", "unexpected text"),
        (#""\ud800""#, "unpaired surrogate"),
        ("[1] x", "unexpected text"),
    ])
    func rejectsMalformedInputWithPosition(text: String, fragment: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }

    @Test func escapesRoundTrip() throws {
        let value = try JSONParser.parse(#""tab\tquote\"uni\u00e9\ud83d\ude00""#)
        #expect(value == .string("tab\tquote\"unié😀"))
        #expect(try JSONParser.parse(value.canonicalText) == value)
    }
}

@Suite struct CanonicalRowCaptureTests {
    /// Rows whose source text is canonical are captured byte for byte; anything else is not
    /// captured (and is re-serialised by the caller), never captured wrongly.
    @Test(arguments: [
        (#"{"a":1,"b":"x"}"#, true),
        (#"{"b":"x","a":1}"#, false),
        (#"{"a": 1}"#, false),
        (#"{"a":1.50}"#, false),
        (#"{"a":1.5}"#, true),
        (#"{"a":1e2}"#, false),
        (#"{"a":-0}"#, false),
        (#"{"a":"q\"\\\n"}"#, true),
        (#"{"a":"\/"}"#, false),
        (#"{"a":"\u00e9"}"#, false),
        (#"{"a":"é","b":[1,{"c":null}],"d":{"e":true}}"#, true),
        (#"{"d":{"f":1,"e":2}}"#, false),
    ])
    func captureMatchesTheCanonicalWriter(row: String, canonical: Bool) throws {
        let (value, captured) = try JSONParser.parseCapturingCanonicalRows(Array((#"{"t": ["# + row + "]}").utf8)[...])
        let rows = try #require(captured["t"])
        #expect(rows.count == 1)
        let parsedRow = try #require(value["t"]?.arrayValue?.first)
        if canonical {
            #expect(rows[0] == parsedRow.canonicalBytes)
            #expect(rows[0] == Array(row.utf8))
        } else {
            #expect(rows[0] == nil)
        }
    }

    @Test func whitespaceBetweenRowsDoesNotSpoilTheRows() throws {
        let (_, captured) = try JSONParser.parseCapturingCanonicalRows(Array("{ \"t\" : [ {\"a\":1} ,\n {\"b\":2} ] , \"u\":[] }".utf8)[...])
        #expect(captured["t"] == [Array(#"{"a":1}"#.utf8), Array(#"{"b":2}"#.utf8)])
        #expect(captured["u"] == [])
    }
}

@Suite struct CanonicalWriterTests {
    @Test func writesWhatTheCanonicalSerialiserWrites() throws {
        var w = CanonicalWriter()
        w.beginObject()
        w.key("a"); w.beginArray(); w.int(1); w.string("x\n"); w.null(); w.beginObject(); w.endObject(); w.beginArray(); w.endArray(); w.endArray()
        w.key("b"); w.beginObject(); w.key("c"); w.bool(true); w.key("d"); w.number(canonical: "1.5"); w.endObject()
        w.key("e"); w.raw(canonical: Array(#"{"z":0}"#.utf8))
        w.key("f"); w.value(.object([("y", .int(2)), ("x", .int(1))]))
        w.endObject()
        let text = String(decoding: w.bytes, as: UTF8.self)
        #expect(text == #"{"a":[1,"x\n",null,{},[]],"b":{"c":true,"d":1.5},"e":{"z":0},"f":{"x":1,"y":2}}"#)
        #expect(try JSONParser.parse(text).canonicalText == text)
    }
}
