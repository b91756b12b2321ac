extension JSONValue {
    /// Canonical bytes: object keys sorted by code point, no insignificant white space,
    /// numbers normalised, strings escaped minimally. Equal values give equal bytes.
    public var canonicalText: String {
        String(decoding: canonicalBytes, as: UTF8.self)
    }

    /// The canonical text as UTF-8 bytes (what is hashed).
    public var canonicalBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        writeCompact(to: &out, canonical: true)
        return out
    }

    /// Human-friendly text: keys in written order, two-space indentation.
    public var prettyText: String {
        var out: [UInt8] = []
        writePretty(to: &out, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Compact text with keys in written order (JSON Lines output).
    public var compactText: String {
        var out: [UInt8] = []
        writeCompact(to: &out, canonical: false)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact (optionally canonical) encoding to a byte buffer.
    public func writeCompact(to out: inout [UInt8], canonical: Bool) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .number(let text): out.append(contentsOf: (canonical ? JSONValue.canonicalNumber(text) : text).utf8)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCompact(to: &out, canonical: canonical)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, member) in (canonical ? members.sortedMembers : members).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(member.0, to: &out)
                out.append(UInt8(ascii: ":"))
                member.1.writeCompact(to: &out, canonical: canonical)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private func writePretty(to out: inout [UInt8], level: Int) {
        func newline(_ level: Int) {
            out.append(0x0A)
            for _ in 0..<level { out.append(contentsOf: [0x20, 0x20]) }
        }
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                item.writePretty(to: &out, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                JSONValue.writeString(member.0, to: &out)
                out.append(contentsOf: [UInt8(ascii: ":"), 0x20])
                member.1.writePretty(to: &out, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        default:
            writeCompact(to: &out, canonical: false)
        }
    }

    /// Appends a JSON string literal (minimal escaping) to a byte buffer.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = s
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
                case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether bytes can stand in a JSON string as they are (no control character, `"` or `\`).
    static func needsNoEscaping(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    /// The canonical text of a JSON number: no plus sign, no leading zeros, no trailing
    /// fractional zeros, no exponent when the value has at most 21 integer digits and
    /// 21 fractional digits (beyond that the exponent form `1e+30` is kept, normalised),
    /// and `0` for negative zero.
    public static func canonicalNumber(_ text: String) -> String {
        if isCanonicalInteger(text) { return text }
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" { negative = true; chars = chars.dropFirst() } else if chars.first == "+" { chars = chars.dropFirst() }
        var mantissa = chars
        var exponent = 0
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = chars[..<e]
            guard let exp = Int(chars[chars.index(after: e)...]) else { return text }
            exponent = exp
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        guard (integerPart + fractionPart).allSatisfy({ $0.isASCII && $0.isNumber }), !(integerPart + fractionPart).isEmpty
        else { return text }
        // digits × 10^(exponent - fraction count)
        var digits = Array(integerPart + fractionPart)
        var scale = exponent - fractionPart.count
        while digits.count > 1, digits.first == "0" { digits.removeFirst() }
        while digits.count > 1, digits.last == "0" { digits.removeLast(); scale += 1 }
        if digits == ["0"] { return "0" }
        let sign = negative ? "-" : ""
        let pointPosition = digits.count + scale  // digits before the decimal point
        if pointPosition > 21 || pointPosition < -20 {
            let rest = digits.count > 1 ? "." + String(digits.dropFirst()) : ""
            let exp = pointPosition - 1
            return sign + String(digits[0]) + rest + "e" + (exp >= 0 ? "+" : "-") + String(abs(exp))
        }
        if scale >= 0 {
            return sign + String(digits) + String(repeating: "0", count: scale)
        }
        if pointPosition > 0 {
            return sign + String(digits[..<pointPosition]) + "." + String(digits[pointPosition...])
        }
        return sign + "0." + String(repeating: "0", count: -pointPosition) + String(digits)
    }
}

extension JSONValue {
    /// Whether `text` is already a canonical integer (`0`, `-12`, `48`): the common case,
    /// answered without parsing.
    static func isCanonicalInteger(_ text: String) -> Bool {
        var utf8 = text.utf8[...]
        if utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        guard let first = utf8.first, first >= 0x31, first <= 0x39 else { return text == "0" }
        return utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && utf8.count <= 21
    }
}
