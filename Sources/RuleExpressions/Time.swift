import Foundation
import RuleBase

// Time zones: fixed offsets ("+05:30", "-09:30", "02:00") are parsed here; IANA names
// ("America/Los_Angeles", "US/Central", "UTC") go through Foundation's TimeZone, which reads
// the tz database shipped with the toolchain/OS. That is deterministic for a given tz
// database and never consults the machine's own zone, locale or clock.

/// An evaluation failure: a message, and the expression position when known.
struct EvalFailure: Error {
    var message: String
    var offset: Int = -1
    var length: Int = 0

    init(_ message: String) { self.message = message }

    static let noSuchOverload = EvalFailure("no such overload")

    /// This failure with a position, unless it already has one.
    func at(_ offset: Int, _ length: Int) -> EvalFailure {
        guard self.offset < 0 else { return self }
        var f = self
        f.offset = offset
        f.length = length
        return f
    }
    static func noMatchingOverload(_ function: String, _ args: [CELValue]) -> EvalFailure {
        EvalFailure("found no matching overload for '\(function)' applied to '(\(args.map { $0.celType.runtimeName }.joined(separator: ", ")))'")
    }
}

enum CELTime {
    static let nanosPerSecond: Int64 = 1_000_000_000

    /// Parses RFC 3339 (`2009-02-13T23:31:30.5Z`, `...+01:00`); range-checked.
    static func parseTimestamp(_ text: String) throws(EvalFailure) -> CELTimestamp {
        let b = Array(text.utf8)
        func fail() -> EvalFailure { EvalFailure("invalid timestamp '\(text)'") }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var v = 0
            for i in start..<(start + count) {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        // A year outside four digits is out of range rather than malformed.
        var yearEnd = 0
        while yearEnd < b.count, b[yearEnd] >= 0x30, b[yearEnd] <= 0x39 { yearEnd += 1 }
        if yearEnd > 4 { throw EvalFailure("timestamp out of range: '\(text)'") }
        guard b.count >= 20, let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D,
              let day = digits(8, 2), b[10] == 0x54 || b[10] == 0x74, let hour = digits(11, 2), b[13] == 0x3A,
              let minute = digits(14, 2), b[16] == 0x3A, let second = digits(17, 2)
        else { throw fail() }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if count < 9 { nanos = nanos * 10 + Int(b[i] - 0x30) }
                count += 1
                i += 1
            }
            guard count > 0 else { throw fail() }
            if count < 9 { for _ in count..<9 { nanos *= 10 } }
        }
        guard i < b.count else { throw fail() }
        var offset = 0
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            let sign = b[i] == 0x2D ? -1 : 1
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 0x3A, let om = digits(i + 4, 2) else { throw fail() }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            throw fail()
        }
        guard i == b.count, hour < 24, minute < 60, second < 60 else { throw fail() }
        if year == 0 { throw EvalFailure("timestamp out of range: '\(text)'") }
        guard let date = CalendarDate(year: year, month: month, day: day) else { throw fail() }
        let secs = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
        guard let ts = CELTimestamp(seconds: secs, nanos: Int32(nanos)) else {
            throw EvalFailure("timestamp out of range: '\(text)'")
        }
        return ts
    }

    /// RFC 3339 in UTC with `Z`; the fraction only when non-zero, trailing zeros trimmed.
    static func format(_ t: CELTimestamp) -> String {
        let days = floorDiv(t.seconds, 86_400)
        let secOfDay = Int(t.seconds - days * 86_400)
        let date = CalendarDate(daysSinceEpoch: Int(days))
        let base = date?.description ?? "?"
        var s = base + "T" + pad(secOfDay / 3600, 2) + ":" + pad(secOfDay / 60 % 60, 2) + ":" + pad(secOfDay % 60, 2)
        s += fraction(Int64(t.nanos))
        return s + "Z"
    }

    static func fraction(_ nanos: Int64) -> String {
        guard nanos != 0 else { return "" }
        var f = pad(Int(nanos), 9)
        while f.last == "0" { f.removeLast() }
        return "." + f
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Go-style duration text: `100s`, `-1.5h`, `1h2m3.25s`, `999999999ns`, `10us`.
    static func parseDuration(_ text: String) throws(EvalFailure) -> CELDuration {
        var b = Array(text.utf8)[...]
        func fail() -> EvalFailure { EvalFailure("invalid duration '\(text)'") }
        var negative = false
        if b.first == 0x2D { negative = true; b = b.dropFirst() } else if b.first == 0x2B { b = b.dropFirst() }
        if b.elementsEqual("0".utf8) { return CELDuration(nanoseconds: 0) }
        guard !b.isEmpty else { throw fail() }
        // Accumulate in 128 bits so that overflow is detected once, at the end.
        var total: Int128 = 0
        while !b.isEmpty {
            var whole: Int128 = 0
            var fracDigits: [UInt8] = []
            var sawDigit = false
            while let c = b.first, c >= 0x30, c <= 0x39 {
                whole = whole * 10 + Int128(c - 0x30)
                if whole > Int128(Int64.max) * 1000 { throw EvalFailure("duration out of range: '\(text)'") }
                sawDigit = true
                b = b.dropFirst()
            }
            if b.first == 0x2E {
                b = b.dropFirst()
                while let c = b.first, c >= 0x30, c <= 0x39 { fracDigits.append(c - 0x30); sawDigit = true; b = b.dropFirst() }
            }
            guard sawDigit else { throw fail() }
            var unit: [UInt8] = []
            while let c = b.first, !(c >= 0x30 && c <= 0x39), c != 0x2E { unit.append(c); b = b.dropFirst() }
            let scale: Int128
            switch String(decoding: unit, as: UTF8.self) {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1_000
            case "ms": scale = 1_000_000
            case "s": scale = 1_000_000_000
            case "m": scale = 60_000_000_000
            case "h": scale = 3_600_000_000_000
            default: throw fail()
            }
            total += whole * scale
            var f = scale
            for d in fracDigits.prefix(18) {
                f /= 10
                total += Int128(d) * f
            }
            if total > Int128(Int64.max) + 1 { throw EvalFailure("duration out of range: '\(text)'") }
        }
        if negative { total = -total }
        guard let ns = Int64(exactly: total) else { throw EvalFailure("duration out of range: '\(text)'") }
        return CELDuration(nanoseconds: ns)
    }

    /// Seconds with an `s` suffix, fraction only when non-zero: `-123.321456789s`.
    static func format(_ d: CELDuration) -> String {
        let ns = d.nanoseconds
        let negative = ns < 0
        let magnitude = ns.magnitude
        let secs = magnitude / 1_000_000_000
        let frac = Int64(magnitude % 1_000_000_000)
        return (negative ? "-" : "") + String(secs) + fraction(frac) + "s"
    }

    static func add(_ t: CELTimestamp, _ d: CELDuration) throws(EvalFailure) -> CELTimestamp {
        let dSecs = d.nanoseconds / nanosPerSecond
        var dNanos = d.nanoseconds % nanosPerSecond
        var secs = t.seconds + dSecs
        dNanos += Int64(t.nanos)
        if dNanos >= nanosPerSecond { secs += 1; dNanos -= nanosPerSecond }
        if dNanos < 0 { secs -= 1; dNanos += nanosPerSecond }
        guard let r = CELTimestamp(seconds: secs, nanos: Int32(dNanos)) else { throw EvalFailure("timestamp out of range") }
        return r
    }

    static func difference(_ a: CELTimestamp, _ b: CELTimestamp) throws(EvalFailure) -> CELDuration {
        let total = (Int128(a.seconds) - Int128(b.seconds)) * Int128(nanosPerSecond) + Int128(a.nanos) - Int128(b.nanos)
        guard let ns = Int64(exactly: total) else { throw EvalFailure("duration out of range") }
        return CELDuration(nanoseconds: ns)
    }

    static func fromSeconds(_ s: Int64) throws(EvalFailure) -> CELTimestamp {
        guard let t = CELTimestamp(seconds: s) else { throw EvalFailure("timestamp out of range") }
        return t
    }

    /// The UTC offset in seconds of a zone at an instant: "+05:30", "-09:30", "02:00",
    /// "UTC", or an IANA name.
    static func offset(zone: String, at t: CELTimestamp) throws(EvalFailure) -> Int {
        let b = Array(zone.utf8)
        var i = 0
        var sign = 1
        if let first = b.first, first == 0x2B || first == 0x2D { sign = first == 0x2D ? -1 : 1; i = 1 }
        if b.count - i == 5, b[i + 2] == 0x3A,
           b[i...].enumerated().allSatisfy({ $0.offset == 2 || ($0.element >= 0x30 && $0.element <= 0x39) }) {
            let h = Int(b[i] - 0x30) * 10 + Int(b[i + 1] - 0x30)
            let m = Int(b[i + 3] - 0x30) * 10 + Int(b[i + 4] - 0x30)
            guard h < 24, m < 60 else { throw EvalFailure("invalid time zone '\(zone)'") }
            return sign * (h * 3600 + m * 60)
        }
        if zone == "UTC" || zone == "Z" || zone == "GMT" { return 0 }
        guard let tz = TimeZone(identifier: zone) else { throw EvalFailure("unknown time zone '\(zone)'") }
        return tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t.seconds)))
    }

    /// Civil fields of an instant in a zone.
    struct Civil {
        var date: CalendarDate
        var hour: Int
        var minute: Int
        var second: Int
    }

    static func civil(_ t: CELTimestamp, zone: String?) throws(EvalFailure) -> Civil {
        let offset = try zone.map { (z: String) throws(EvalFailure) -> Int in try CELTime.offset(zone: z, at: t) } ?? 0
        let local = t.seconds + Int64(offset)
        let days = floorDiv(local, 86_400)
        let sod = Int(local - days * 86_400)
        guard let date = CalendarDate(daysSinceEpoch: Int(days)) else { throw EvalFailure("timestamp out of range") }
        return Civil(date: date, hour: sod / 3600, minute: sod / 60 % 60, second: sod % 60)
    }
}

// MARK: - Base64 (standard alphabet, padded)

enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let n = (UInt32(bytes[i]) << 16) | (UInt32(bytes[i + 1]) << 8) | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], 0x3D, 0x3D]
        } else if rest == 2 {
            let n = (UInt32(bytes[i]) << 16) | (UInt32(bytes[i + 1]) << 8)
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], 0x3D]
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for c in text.utf8 {
            if c == 0x3D { padding += 1; continue }
            guard padding == 0 else { return nil }
            let v: UInt8
            switch c {
            case 0x41...0x5A: v = c - 0x41
            case 0x61...0x7A: v = c - 0x61 + 26
            case 0x30...0x39: v = c - 0x30 + 52
            case 0x2B: v = 62
            case 0x2F: v = 63
            default: return nil
            }
            values.append(v)
        }
        guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + 4, values.count)]
            var n: UInt32 = 0
            for (k, v) in chunk.enumerated() { n |= UInt32(v) << UInt32(18 - 6 * k) }
            out.append(UInt8(n >> 16 & 0xFF))
            if chunk.count > 2 { out.append(UInt8(n >> 8 & 0xFF)) }
            if chunk.count > 3 { out.append(UInt8(n & 0xFF)) }
            i += 4
        }
        return out
    }
}
