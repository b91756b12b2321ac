// libFuzzer entry point for the facts JSON parser; see README.md for the build command.
import RuleBase

/// Feeds arbitrary bytes to both entry points of `JSONParser` (the facts document path, which
/// also captures canonical rows for the execution log, and the text path) and aborts when an
/// invariant breaks:
///
/// - the two entry points agree: the same value, or the same error at the same position;
/// - an error's position lies inside the input;
/// - a parsed value's canonical text parses back to an equal value, and is a fixed point;
/// - every row the parser captured as canonical is byte for byte the canonical text of that row
///   (the execution log hashes those bytes without re-serialising them).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    JSONInvariants.check(bytes)
    return 0
}

enum JSONInvariants {
    static func check(_ bytes: [UInt8]) {
        let captured: Result<(value: JSONValue, canonicalRows: [String: [[UInt8]?]]), JSONSyntaxError>
        do { captured = .success(try JSONParser.parseCapturingCanonicalRows(bytes[...])) } catch { captured = .failure(error) }
        // The text path sees the bytes as the command line does for valid UTF-8; invalid UTF-8
        // would be repaired by decoding, so the paths are compared on valid input only.
        if let text = String(validating: bytes, as: UTF8.self) {
            let plain: Result<JSONValue, JSONSyntaxError>
            do { plain = .success(try JSONParser.parse(text)) } catch { plain = .failure(error) }
            switch (captured, plain) {
            case let (.success(a), .success(b)): precondition(a.value.canonicalText == b.canonicalText, "the entry points parse different values")
            case let (.failure(a), .failure(b)): precondition(a == b, "the entry points report different errors: \(a) / \(b)")
            default: preconditionFailure("one entry point accepts what the other refuses")
            }
        }
        switch captured {
        case .failure(let error):
            let lines = bytes.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
            precondition(error.location.line >= 1 && error.location.line <= lines && error.location.column >= 1, "error outside the input: \(error)")
        case .success(let (value, rows)):
            let canonical = value.canonicalText
            guard let again = try? JSONParser.parse(canonical) else { preconditionFailure("canonical text does not parse: \(canonical)") }
            precondition(again == value, "canonical text parses to another value")
            precondition(again.canonicalText == canonical, "canonical text is not a fixed point")
            guard case .object(let tables) = value else { return }
            for (table, tableRows) in rows {
                guard let items = tables.first(where: { $0.0 == table })?.1.arrayValue else { continue }
                precondition(items.count == tableRows.count, "captured \(tableRows.count) rows of `\(table)`, parsed \(items.count)")
                for (item, row) in zip(items, tableRows) {
                    guard let row else { continue }
                    precondition(row == Array(item.canonicalText.utf8), "a captured row is not canonical: \(String(decoding: row, as: UTF8.self))")
                }
            }
        }
    }
}
