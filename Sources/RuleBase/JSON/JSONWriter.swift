extension JSONValue {
    /// Canonical bytes: object keys sorted by code point, no insignificant white space,
    /// numbers normalised, strings escaped minimally. Equal values give equal bytes.
    public var canonicalText: String {
        var out = ""
        out.reserveCapacity(256)
        write(to: &out, canonical: true, indent: nil, level: 0)
        return out
    }

    /// Human-friendly text: keys in written order, two-space indentation.
    public var prettyText: String {
        var out = ""
        write(to: &out, canonical: false, indent: "  ", level: 0)
        return out
    }

    /// Compact text with keys in written order (JSON Lines output).
    public var compactText: String {
        var out = ""
        write(to: &out, canonical: false, indent: nil, level: 0)
        return out
    }

    private func write(to out: inout String, canonical: Bool, indent: String?, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += canonical ? JSONValue.canonicalNumber(text) : text
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                newline(&out, indent, level + 1)
                item.write(to: &out, canonical: canonical, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, member) in (canonical ? members.sortedMembers : members).enumerated() {
                if index > 0 { out += "," }
                newline(&out, indent, level + 1)
                JSONValue.writeString(member.0, to: &out)
                out += indent == nil ? ":" : ": "
                member.1.write(to: &out, canonical: canonical, indent: indent, level: level + 1)
            }
            newline(&out, indent, level)
            out += "}"
        }
    }

    private func newline(_ out: inout String, _ indent: String?, _ level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// The canonical text of a JSON number: no plus sign, no leading zeros, no trailing
    /// fractional zeros, no exponent when the value has at most 21 integer digits and
    /// 21 fractional digits (beyond that the exponent form `1e+30` is kept, normalised),
    /// and `0` for negative zero.
    public static func canonicalNumber(_ text: String) -> String {
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
