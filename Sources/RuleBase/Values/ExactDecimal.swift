/// An exact base-10 number for hours and credits: `significand × 10^-scale`.
///
/// Sums never round (`1.25 + 0.1 == 1.35` exactly). Values are kept normalised (no trailing
/// fractional zeros), so equal numbers have equal representations and equal text.
/// Arithmetic that would overflow 64 bits, or need more than ``maximumScale`` fractional
/// digits, returns nil rather than rounding silently.
public struct ExactDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Most fractional digits kept.
    public static let maximumScale = 9

    /// The digits as an integer.
    public let significand: Int64
    /// How many of the digits are fractional (0...maximumScale).
    public let scale: Int

    /// Zero.
    public static let zero = ExactDecimal(normalising: 0, scale: 0)

    private init(normalising significand: Int64, scale: Int) {
        var s = significand
        var k = scale
        while k > 0, s % 10 == 0 { s /= 10; k -= 1 }
        self.significand = s
        self.scale = k
    }

    /// A whole number.
    public init(_ integer: Int) {
        self.init(normalising: Int64(integer), scale: 0)
    }

    /// Parses decimal text such as `2`, `-1.25`, `0.50`, `+3`; no exponents, no grouping.
    /// Returns nil for anything else or for more than ``maximumScale`` significant
    /// fractional digits. The string's UTF-8 is read in place (credits are parsed for every
    /// event row).
    public init?(_ text: String) {
        var text = text
        guard let value = text.withUTF8(Self.parse) else { return nil }
        self = value
    }

    private static func parse(_ text: UnsafeBufferPointer<UInt8>) -> ExactDecimal? {
        var bytes = text[...]
        var negative = false
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        var value: Int64 = 0
        var integerDigits = 0
        var fractionDigits = 0
        var pendingZeros = 0  // trailing fractional zeros, dropped unless a digit follows
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { return nil }
                seenPoint = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let digit = Int64(byte - 0x30)
            if seenPoint {
                if digit == 0 { pendingZeros += 1; continue }
                for _ in 0..<pendingZeros {
                    let (m, o) = value.multipliedReportingOverflow(by: 10)
                    guard !o else { return nil }
                    value = m
                }
                fractionDigits += pendingZeros + 1
                pendingZeros = 0
            } else {
                integerDigits += 1
            }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            value = a
        }
        guard integerDigits > 0, !seenPoint || fractionDigits + pendingZeros > 0, fractionDigits <= Self.maximumScale else { return nil }
        return ExactDecimal(normalising: negative ? -value : value, scale: fractionDigits)
    }

    /// The value rounded toward zero to a whole number.
    public var truncatedInteger: Int64 { significand / Self.power(scale) }

    /// The value as a Double (for display or CEL conversion only; never for sums).
    public var doubleValue: Double { Double(significand) / Double(Self.power(scale)) }

    /// Canonical text: `2`, `-1.25`, `0.5`; no exponent, no trailing zeros.
    public var description: String {
        let negative = significand < 0
        let magnitude = significand.magnitude
        var digits = String(magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    /// Text with at least `minimumFractionDigits` digits after the point (`2.0`), for messages.
    public func formatted(minimumFractionDigits: Int) -> String {
        var text = description
        let current = scale
        if current < minimumFractionDigits {
            if current == 0 { text += "." }
            text += String(repeating: "0", count: minimumFractionDigits - current)
        }
        return text
    }

    static func power(_ k: Int) -> Int64 {
        var p: Int64 = 1
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// Both significands at the larger scale, or nil on overflow.
    private static func aligned(_ a: ExactDecimal, _ b: ExactDecimal) -> (Int64, Int64, Int)? {
        let scale = max(a.scale, b.scale)
        let (x, o1) = a.significand.multipliedReportingOverflow(by: power(scale - a.scale))
        let (y, o2) = b.significand.multipliedReportingOverflow(by: power(scale - b.scale))
        return o1 || o2 ? nil : (x, y, scale)
    }

    /// `self + other`, or nil on overflow.
    public func adding(_ other: ExactDecimal) -> ExactDecimal? {
        guard let (x, y, scale) = Self.aligned(self, other) else { return nil }
        let (sum, overflow) = x.addingReportingOverflow(y)
        return overflow ? nil : ExactDecimal(normalising: sum, scale: scale)
    }

    /// `self - other`, or nil on overflow.
    public func subtracting(_ other: ExactDecimal) -> ExactDecimal? {
        guard let (x, y, scale) = Self.aligned(self, other) else { return nil }
        let (difference, overflow) = x.subtractingReportingOverflow(y)
        return overflow ? nil : ExactDecimal(normalising: difference, scale: scale)
    }

    /// `self × other`, or nil on overflow or when the exact product needs more than
    /// ``maximumScale`` fractional digits.
    public func multiplying(by other: ExactDecimal) -> ExactDecimal? {
        let (product, overflow) = significand.multipliedReportingOverflow(by: other.significand)
        guard !overflow else { return nil }
        var value = product
        var scale = self.scale + other.scale
        while scale > Self.maximumScale, value % 10 == 0 { value /= 10; scale -= 1 }
        return scale > Self.maximumScale ? nil : ExactDecimal(normalising: value, scale: scale)
    }

    /// `self ÷ other` rounded half-even to `scale` fractional digits; nil when dividing by
    /// zero or on overflow. Division is the one inexact operation, so the rounding is explicit.
    public func dividing(by other: ExactDecimal, scale: Int = maximumScale) -> ExactDecimal? {
        guard other.significand != 0, scale >= 0, scale <= Self.maximumScale else { return nil }
        // self/other = (a·10^-s1)/(b·10^-s2); we want q·10^-scale.
        let exponent = scale + other.scale - self.scale
        var numerator = Int128(significand)
        var denominator = Int128(other.significand)
        if exponent >= 0 {
            for _ in 0..<exponent { numerator *= 10 }
        } else {
            for _ in 0..<(-exponent) { denominator *= 10 }
        }
        var quotient = numerator / denominator
        let remainder = numerator % denominator
        let twice = (remainder < 0 ? -remainder : remainder) * 2
        let magnitude = denominator < 0 ? -denominator : denominator
        if twice > magnitude || (twice == magnitude && quotient % 2 != 0) {
            quotient += (numerator < 0) != (denominator < 0) ? -1 : 1
        }
        guard let q = Int64(exactly: quotient) else { return nil }
        return ExactDecimal(normalising: q, scale: scale)
    }

    /// The negated value, or nil on overflow.
    public var negated: ExactDecimal? {
        let (n, overflow) = Int64(0).subtractingReportingOverflow(significand)
        return overflow ? nil : ExactDecimal(normalising: n, scale: scale)
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if let (x, y, _) = aligned(lhs, rhs) { return x < y }
        // Alignment overflowed: compare through a wider type.
        let x = Int128(lhs.significand) * Int128(power(max(lhs.scale, rhs.scale) - lhs.scale))
        let y = Int128(rhs.significand) * Int128(power(max(lhs.scale, rhs.scale) - rhs.scale))
        return x < y
    }
}
