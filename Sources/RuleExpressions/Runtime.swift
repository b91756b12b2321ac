import RuleBase

typealias UnaryImpl = @Sendable (CELValue) throws(EvalFailure) -> CELValue
typealias BinaryImpl = @Sendable (CELValue, CELValue) throws(EvalFailure) -> CELValue
typealias NaryImpl = @Sendable ([CELValue]) throws(EvalFailure) -> CELValue

/// A function resolved at compile time to the closure for its arity.
enum ResolvedFunction: Sendable {
    case unary(UnaryImpl)
    case binary(BinaryImpl)
    case nary(NaryImpl)
}

/// Run-time implementations of the standard functions, operators and extensions.
enum Runtime {
    static func overflow() -> EvalFailure { EvalFailure("integer overflow") }

    /// The implementation of `name` for `arity` arguments (receiver included), or nil when
    /// no such function exists.
    static func resolve(_ name: String, arity: Int, receiver: Bool) -> ResolvedFunction? {
        switch (name, arity) {
        case ("_+_", 2): return .binary(add)
        case ("_-_", 2): return .binary(subtract)
        case ("_*_", 2): return .binary(multiply)
        case ("_/_", 2): return .binary(divide)
        case ("_%_", 2): return .binary(modulo)
        case ("-_", 1): return .unary(negate)
        case ("!_", 1): return .unary { v throws(EvalFailure) in
            guard case .bool(let b) = v else { throw .noMatchingOverload("!_", [v]) }
            return .bool(!b)
        }
        case ("_==_", 2): return .binary { a, b in .bool(a.celEquals(b)) }
        case ("_!=_", 2): return .binary { a, b in .bool(!a.celEquals(b)) }
        case ("_<_", 2): return .binary { a, b throws(EvalFailure) in .bool(try celCompare(a, b).map { $0 < 0 } ?? false) }
        case ("_<=_", 2): return .binary { a, b throws(EvalFailure) in .bool(try celCompare(a, b).map { $0 <= 0 } ?? false) }
        case ("_>_", 2): return .binary { a, b throws(EvalFailure) in .bool(try celCompare(a, b).map { $0 > 0 } ?? false) }
        case ("_>=_", 2): return .binary { a, b throws(EvalFailure) in .bool(try celCompare(a, b).map { $0 >= 0 } ?? false) }
        case ("@in", 2): return .binary(contains)
        case ("_[_]", 2): return .binary(index)
        case ("size", 1): return .unary(size)
        case ("contains", 2), ("startsWith", 2), ("endsWith", 2): return .binary(stringPredicate(name))
        case ("matches", 2): return .binary { s, p throws(EvalFailure) in
            guard case .string(let text) = s, case .string(let pattern) = p else { throw .noMatchingOverload("matches", [s, p]) }
            return .bool(try CELRegex.compile(pattern).matches(text))
        }
        case ("int", 1): return .unary(toInt)
        case ("uint", 1): return .unary(toUInt)
        case ("double", 1): return .unary(toDouble)
        case ("string", 1): return .unary(toString)
        case ("bytes", 1): return .unary(toBytes)
        case ("bool", 1): return .unary(toBool)
        case ("timestamp", 1): return .unary(toTimestamp)
        case ("duration", 1): return .unary(toDuration)
        case ("dyn", 1): return .unary { $0 }
        case ("type", 1): return .unary { .type($0.celType) }
        case ("date", 1), ("date", 2): return .nary(toDate)
        case ("decimal", 1): return .unary(toDecimal)
        case ("addDays", 2), ("addMonths", 2), ("addYears", 2): return .binary(dateArithmetic(name))
        case ("endOfMonth", 1): return .unary { v throws(EvalFailure) in
            guard case .date(let d) = v else { throw .noMatchingOverload("endOfMonth", [v]) }
            return .date(d.endOfMonth)
        }
        case ("daysBetween", 2): return .binary { a, b throws(EvalFailure) in
            guard case .date(let x) = a, case .date(let y) = b else { throw .noMatchingOverload("daysBetween", [a, b]) }
            return .int(Int64(x.days(until: y)))
        }
        case ("getFullYear", _), ("getMonth", _), ("getDate", _), ("getDayOfMonth", _), ("getDayOfWeek", _),
             ("getDayOfYear", _), ("getHours", _), ("getMinutes", _), ("getSeconds", _), ("getMilliseconds", _):
            guard arity == 1 || arity == 2 else { return nil }
            return .nary(accessor(name))
        case ("sum", 1): return .unary { v throws(EvalFailure) in try sum(v, emptyValue: .int(0)) }
        case ("min", 1): return .unary(extremum(wantMax: false))
        case ("max", 1): return .unary(extremum(wantMax: true))
        default: return nil
        }
    }

    // MARK: Arithmetic

    static func checkedInt(_ r: (partialValue: Int64, overflow: Bool)) throws(EvalFailure) -> CELValue {
        if r.overflow { throw overflow() }
        return .int(r.partialValue)
    }

    static func checkedUInt(_ r: (partialValue: UInt64, overflow: Bool)) throws(EvalFailure) -> CELValue {
        if r.overflow { throw overflow() }
        return .uint(r.partialValue)
    }

    static func decimalOperands(_ a: CELValue, _ b: CELValue) -> (ExactDecimal, ExactDecimal)? {
        switch (a, b) {
        case let (.decimal(x), .decimal(y)): (x, y)
        case let (.decimal(x), .int(y)): (x, ExactDecimal(Int(y)))
        case let (.int(x), .decimal(y)): (ExactDecimal(Int(x)), y)
        default: nil
        }
    }

    static func decimalResult(_ d: ExactDecimal?) throws(EvalFailure) -> CELValue {
        guard let d else { throw EvalFailure("decimal overflow or precision loss") }
        return .decimal(d)
    }

    static let add: BinaryImpl = { a, b throws(EvalFailure) in
        switch (a, b) {
        case let (.int(x), .int(y)): return try checkedInt(x.addingReportingOverflow(y))
        case let (.uint(x), .uint(y)): return try checkedUInt(x.addingReportingOverflow(y))
        case let (.double(x), .double(y)): return .double(x + y)
        case let (.string(x), .string(y)):
            guard x.utf8.count + y.utf8.count <= CELLimits.maximumStringLength else { throw EvalFailure("string too long") }
            return .string(x + y)
        case let (.bytes(x), .bytes(y)):
            guard x.count + y.count <= CELLimits.maximumStringLength else { throw EvalFailure("bytes too long") }
            return .bytes(x + y)
        case let (.list(x), .list(y)):
            guard x.count + y.count <= CELLimits.maximumCollectionSize else { throw EvalFailure("list too long") }
            return .list(x + y)
        case let (.timestamp(t), .duration(d)), let (.duration(d), .timestamp(t)): return .timestamp(try CELTime.add(t, d))
        case let (.duration(x), .duration(y)):
            let r = x.nanoseconds.addingReportingOverflow(y.nanoseconds)
            if r.overflow { throw EvalFailure("duration out of range") }
            return .duration(CELDuration(nanoseconds: r.partialValue))
        default:
            if let (x, y) = decimalOperands(a, b) { return try decimalResult(x.adding(y)) }
            throw .noMatchingOverload("_+_", [a, b])
        }
    }

    static let subtract: BinaryImpl = { a, b throws(EvalFailure) in
        switch (a, b) {
        case let (.int(x), .int(y)): return try checkedInt(x.subtractingReportingOverflow(y))
        case let (.uint(x), .uint(y)): return try checkedUInt(x.subtractingReportingOverflow(y))
        case let (.double(x), .double(y)): return .double(x - y)
        case let (.timestamp(x), .timestamp(y)): return .duration(try CELTime.difference(x, y))
        case let (.timestamp(t), .duration(d)):
            guard d.nanoseconds != Int64.min else { throw EvalFailure("duration out of range") }
            return .timestamp(try CELTime.add(t, CELDuration(nanoseconds: -d.nanoseconds)))
        case let (.duration(x), .duration(y)):
            let r = x.nanoseconds.subtractingReportingOverflow(y.nanoseconds)
            if r.overflow { throw EvalFailure("duration out of range") }
            return .duration(CELDuration(nanoseconds: r.partialValue))
        case let (.date(x), .date(y)): return .int(Int64(y.days(until: x)))
        default:
            if let (x, y) = decimalOperands(a, b) { return try decimalResult(x.subtracting(y)) }
            throw .noMatchingOverload("_-_", [a, b])
        }
    }

    static let multiply: BinaryImpl = { a, b throws(EvalFailure) in
        switch (a, b) {
        case let (.int(x), .int(y)): return try checkedInt(x.multipliedReportingOverflow(by: y))
        case let (.uint(x), .uint(y)): return try checkedUInt(x.multipliedReportingOverflow(by: y))
        case let (.double(x), .double(y)): return .double(x * y)
        default:
            if let (x, y) = decimalOperands(a, b) { return try decimalResult(x.multiplying(by: y)) }
            throw .noMatchingOverload("_*_", [a, b])
        }
    }

    static let divide: BinaryImpl = { a, b throws(EvalFailure) in
        switch (a, b) {
        case let (.int(x), .int(y)):
            if y == 0 { throw EvalFailure("division by zero") }
            return try checkedInt(x.dividedReportingOverflow(by: y))
        case let (.uint(x), .uint(y)):
            if y == 0 { throw EvalFailure("division by zero") }
            return .uint(x / y)
        case let (.double(x), .double(y)): return .double(x / y)
        default:
            if let (x, y) = decimalOperands(a, b) {
                if y == .zero { throw EvalFailure("division by zero") }
                return try decimalResult(x.dividing(by: y))
            }
            throw .noMatchingOverload("_/_", [a, b])
        }
    }

    static let modulo: BinaryImpl = { a, b throws(EvalFailure) in
        switch (a, b) {
        case let (.int(x), .int(y)):
            if y == 0 { throw EvalFailure("modulus by zero") }
            return try checkedInt(x.remainderReportingOverflow(dividingBy: y))
        case let (.uint(x), .uint(y)):
            if y == 0 { throw EvalFailure("modulus by zero") }
            return .uint(x % y)
        default: throw .noMatchingOverload("_%_", [a, b])
        }
    }

    static let negate: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .int(let x): return try checkedInt(Int64(0).subtractingReportingOverflow(x))
        case .double(let x): return .double(-x)
        case .decimal(let x): return try decimalResult(x.negated)
        default: throw .noMatchingOverload("-_", [v])
        }
    }

    // MARK: Collections

    static let contains: BinaryImpl = { element, container throws(EvalFailure) in
        switch container {
        case .list(let items):
            for item in items where item.celEquals(element) { return .bool(true) }
            return .bool(false)
        case .map(let m): return .bool(m[element] != nil)
        default: throw .noMatchingOverload("@in", [element, container])
        }
    }

    static let index: BinaryImpl = { container, key throws(EvalFailure) in
        switch container {
        case .list(let items):
            let i: Int64
            switch key {
            case .int(let x): i = x
            case .uint(let x):
                guard let y = Int64(exactly: x) else { throw EvalFailure("index out of range: \(x)") }
                i = y
            case .double(let d):
                guard let y = Int64(exactly: d) else { throw EvalFailure("invalid list index \(d)") }
                i = y
            default: throw EvalFailure("invalid_argument: list index must be an int, not \(key.celType.runtimeName)")
            }
            guard i >= 0, i < items.count else { throw EvalFailure("index out of range: \(i)") }
            return items[Int(i)]
        case .map(let m):
            guard let v = m[key] else { throw EvalFailure("no such key: \(Runtime.display(key))") }
            return v
        default: throw .noMatchingOverload("_[_]", [container, key])
        }
    }

    static func display(_ v: CELValue) -> String {
        switch v {
        case .string(let s): "'\(s)'"
        case .int(let i): String(i)
        case .uint(let u): "\(u)u"
        case .bool(let b): String(b)
        case .double(let d): String(d)
        default: v.celType.runtimeName
        }
    }

    static let size: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .bytes(let b): return .int(Int64(b.count))
        case .list(let l): return .int(Int64(l.count))
        case .map(let m): return .int(Int64(m.count))
        default: throw .noMatchingOverload("size", [v])
        }
    }

    static func stringPredicate(_ name: String) -> BinaryImpl {
        { a, b throws(EvalFailure) in
            guard case .string(let s) = a, case .string(let t) = b else { throw .noMatchingOverload(name, [a, b]) }
            // Byte-wise: CEL does not apply Unicode normalisation or grapheme rules.
            let x = Array(s.utf8)
            let y = Array(t.utf8)
            switch name {
            case "startsWith": return .bool(x.starts(with: y))
            case "endsWith": return .bool(x.count >= y.count && Array(x[(x.count - y.count)...]) == y)
            default:
                if y.isEmpty { return .bool(true) }
                guard x.count >= y.count else { return .bool(false) }
                for i in 0...(x.count - y.count) where x[i] == y[0] && Array(x[i..<(i + y.count)]) == y { return .bool(true) }
                return .bool(false)
            }
        }
    }

    /// Sum of a list of ints, uints, doubles or decimals (ints and decimals may mix).
    static func sum(_ v: CELValue, emptyValue: CELValue) throws(EvalFailure) -> CELValue {
        guard case .list(let items) = v else { throw .noMatchingOverload("sum", [v]) }
        guard var total = items.first else { return emptyValue }
        var rest = items.dropFirst()
        // A run of decimals (credits, hours) adds directly. It stops at the first other kind
        // or failed addition, which the general loop below then handles (and reports).
        if case .decimal(var acc) = total {
            while let item = rest.first, case .decimal(let d) = item, let s = acc.adding(d) {
                acc = s
                rest = rest.dropFirst()
            }
            total = .decimal(acc)
        }
        for item in rest {
            switch (total, item) {
            case (.int, .int), (.uint, .uint), (.double, .double), (.decimal, .decimal), (.decimal, .int), (.int, .decimal):
                total = try add(total, item)
            default: throw EvalFailure("sum() needs numbers of one kind; found \(total.celType.runtimeName) and \(item.celType.runtimeName)")
            }
        }
        switch total {
        case .int, .uint, .double, .decimal: return total
        default: throw .noMatchingOverload("sum", [v])
        }
    }

    static func extremum(wantMax: Bool) -> UnaryImpl {
        { v throws(EvalFailure) in
            guard case .list(let items) = v else { throw .noMatchingOverload(wantMax ? "max" : "min", [v]) }
            guard var best = items.first else { throw EvalFailure("\(wantMax ? "max" : "min")() of an empty list") }
            for item in items.dropFirst() {
                guard let order = try celCompare(item, best) else { continue }
                if wantMax ? order > 0 : order < 0 { best = item }
            }
            return best
        }
    }

    // MARK: Conversions

    static let toInt: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .int: return v
        case .uint(let u):
            guard let i = Int64(exactly: u) else { throw EvalFailure("range error: \(u)u does not fit in int") }
            return .int(i)
        case .double(let d):
            // Both ends open, as in cel-go: -2^63 itself is rejected.
            guard d > -9.223372036854775808e18, d < 9.223372036854775808e18 else { throw EvalFailure("range error: \(d) does not fit in int") }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            guard let i = Int64(s) else { throw EvalFailure("cannot convert '\(s)' to int") }
            return .int(i)
        case .timestamp(let t): return .int(t.seconds)
        case .decimal(let d): return .int(d.truncatedInteger)
        default: throw .noMatchingOverload("int", [v])
        }
    }

    static let toUInt: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .uint: return v
        case .int(let i):
            guard let u = UInt64(exactly: i) else { throw EvalFailure("range error: \(i) does not fit in uint") }
            return .uint(u)
        case .double(let d):
            guard d > -1, d < 18_446_744_073_709_551_616.0 else { throw EvalFailure("range error: \(d) does not fit in uint") }
            return .uint(UInt64(d.rounded(.towardZero)))
        case .string(let s):
            guard let u = UInt64(s) else { throw EvalFailure("cannot convert '\(s)' to uint") }
            return .uint(u)
        case .decimal(let d):
            guard let u = UInt64(exactly: d.truncatedInteger) else { throw EvalFailure("range error: \(d) does not fit in uint") }
            return .uint(u)
        default: throw .noMatchingOverload("uint", [v])
        }
    }

    static let toDouble: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .double: return v
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            guard let d = Double(s) else { throw EvalFailure("cannot convert '\(s)' to double") }
            return .double(d)
        case .decimal(let d): return .double(d.doubleValue)
        default: throw .noMatchingOverload("double", [v])
        }
    }

    static let toString: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .string: return v
        case .int(let i): return .string(String(i))
        case .uint(let u): return .string(String(u))
        case .double(let d): return .string(formatDouble(d))
        case .bool(let b): return .string(b ? "true" : "false")
        case .bytes(let b):
            guard let s = String(validating: b, as: UTF8.self) else { throw EvalFailure("invalid UTF-8 in bytes") }
            return .string(s)
        case .timestamp(let t): return .string(CELTime.format(t))
        case .duration(let d): return .string(CELTime.format(d))
        case .date(let d): return .string(d.description)
        case .decimal(let d): return .string(d.description)
        default: throw .noMatchingOverload("string", [v])
        }
    }

    static let toBytes: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .bytes: return v
        case .string(let s): return .bytes(Array(s.utf8))
        default: throw .noMatchingOverload("bytes", [v])
        }
    }

    static let toBool: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .bool: return v
        case .string(let s):
            switch s {
            case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
            case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
            default: throw EvalFailure("type conversion error: cannot convert '\(s)' to bool")
            }
        default: throw .noMatchingOverload("bool", [v])
        }
    }

    static let toTimestamp: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .timestamp: return v
        case .string(let s): return .timestamp(try CELTime.parseTimestamp(s))
        case .int(let i): return .timestamp(try CELTime.fromSeconds(i))
        default: throw .noMatchingOverload("timestamp", [v])
        }
    }

    static let toDuration: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .duration: return v
        case .string(let s): return .duration(try CELTime.parseDuration(s))
        default: throw .noMatchingOverload("duration", [v])
        }
    }

    static let toDate: NaryImpl = { args throws(EvalFailure) in
        switch (args.count, args[0]) {
        case (1, .date): return args[0]
        case (1, .string(let s)):
            guard let d = CalendarDate(iso: s) else { throw EvalFailure("invalid date '\(s)': expected YYYY-MM-DD") }
            return .date(d)
        case (_, .timestamp(let t)):
            var zone: String?
            if args.count == 2 {
                guard case .string(let z) = args[1] else { throw .noMatchingOverload("date", args) }
                zone = z
            }
            return .date(try CELTime.civil(t, zone: zone).date)
        default: throw .noMatchingOverload("date", args)
        }
    }

    static let toDecimal: UnaryImpl = { v throws(EvalFailure) in
        switch v {
        case .decimal: return v
        case .string(let s):
            guard let d = ExactDecimal(s) else {
                throw EvalFailure("invalid decimal '\(s)': expected digits with an optional point and at most \(ExactDecimal.maximumScale) fractional digits")
            }
            return .decimal(d)
        case .int(let i): return .decimal(ExactDecimal(Int(i)))
        case .uint(let u):
            guard let i = Int(exactly: u) else { throw EvalFailure("range error: \(u)u does not fit in decimal") }
            return .decimal(ExactDecimal(i))
        case .double(let d):
            // Through the shortest round-trip text, so decimal(0.1) is exactly 0.1.
            guard d.isFinite, let x = ExactDecimal(plainDecimalText(d)) else { throw EvalFailure("cannot convert \(d) to decimal") }
            return .decimal(x)
        default: throw .noMatchingOverload("decimal", [v])
        }
    }

    // MARK: Dates and times

    static func dateArithmetic(_ name: String) -> BinaryImpl {
        { a, b throws(EvalFailure) in
            guard case .date(let d) = a, case .int(let n) = b else { throw .noMatchingOverload(name, [a, b]) }
            guard let k = Int(exactly: n), abs(k) < 10_000_000 else { throw EvalFailure("date out of range") }
            let r: CalendarDate?
            switch name {
            case "addDays": r = d.adding(days: k)
            case "addMonths": r = d.adding(months: k)
            default: r = d.adding(years: k)
            }
            guard let r else { throw EvalFailure("date out of range (years 1 through 9999)") }
            return .date(r)
        }
    }

    static func accessor(_ name: String) -> NaryImpl {
        { args throws(EvalFailure) in
            var zone: String?
            if args.count == 2 {
                guard case .string(let z) = args[1] else { throw .noMatchingOverload(name, args) }
                zone = z
            }
            switch args[0] {
            case .timestamp(let t):
                let c = try CELTime.civil(t, zone: zone)
                let r: Int
                switch name {
                case "getFullYear": r = c.date.year
                case "getMonth": r = c.date.month - 1
                case "getDate": r = c.date.day
                case "getDayOfMonth": r = c.date.day - 1
                case "getDayOfWeek": r = c.date.dayOfWeek
                case "getDayOfYear": r = c.date.dayOfYear - 1
                case "getHours": r = c.hour
                case "getMinutes": r = c.minute
                case "getSeconds": r = c.second
                default: r = Int(t.nanos / 1_000_000)
                }
                return .int(Int64(r))
            case .duration(let d) where zone == nil:
                let ns = d.nanoseconds
                switch name {
                case "getHours": return .int(ns / 3_600_000_000_000)
                case "getMinutes": return .int(ns / 60_000_000_000)
                case "getSeconds": return .int(ns / 1_000_000_000)
                case "getMilliseconds": return .int((ns / 1_000_000) % 1000)
                default: throw .noMatchingOverload(name, args)
                }
            case .date(let d) where zone == nil:
                switch name {
                case "getFullYear": return .int(Int64(d.year))
                case "getMonth": return .int(Int64(d.month - 1))
                case "getDate": return .int(Int64(d.day))
                case "getDayOfMonth": return .int(Int64(d.day - 1))
                case "getDayOfWeek": return .int(Int64(d.dayOfWeek))
                case "getDayOfYear": return .int(Int64(d.dayOfYear - 1))
                default: throw .noMatchingOverload(name, args)
                }
            default: throw .noMatchingOverload(name, args)
            }
        }
    }
}

// MARK: - Number text

/// Go's `strconv.FormatFloat(d, 'g', -1, 64)`, which is what CEL's `string(double)` prints:
/// shortest round-trip digits, exponent form when the exponent is below -4 or at least 6
/// (`1e+06`, `-0.0045`).
func formatDouble(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    let (negative, digits, pointPosition) = shortestDigits(d)
    let exponent = pointPosition - 1
    var out = negative ? "-" : ""
    if exponent < -4 || exponent >= 6 {
        out += String(digits.prefix(1))
        if digits.count > 1 { out += "." + String(digits.dropFirst()) }
        out += "e" + (exponent < 0 ? "-" : "+")
        let e = String(abs(exponent))
        out += e.count < 2 ? "0" + e : e
        return out
    }
    if pointPosition <= 0 { return out + "0." + String(repeating: "0", count: -pointPosition) + digits }
    if pointPosition >= digits.count { return out + digits + String(repeating: "0", count: pointPosition - digits.count) }
    let i = digits.index(digits.startIndex, offsetBy: pointPosition)
    return out + digits[..<i] + "." + digits[i...]
}

/// Plain decimal text (no exponent) of a finite double's shortest round-trip digits.
func plainDecimalText(_ d: Double) -> String {
    if d == 0 { return "0" }
    let (negative, digits, pointPosition) = shortestDigits(d)
    var out = negative ? "-" : ""
    if pointPosition <= 0 { return out + "0." + String(repeating: "0", count: -pointPosition) + digits }
    if pointPosition >= digits.count { return out + digits + String(repeating: "0", count: pointPosition - digits.count) }
    let i = digits.index(digits.startIndex, offsetBy: pointPosition)
    out += digits[..<i] + "." + digits[i...]
    return out
}

/// The shortest digits of `d` (from Swift's round-trip description) and where the decimal
/// point goes: value = 0.DIGITS × 10^pointPosition.
private func shortestDigits(_ d: Double) -> (negative: Bool, digits: String, pointPosition: Int) {
    var text = Substring(d.magnitude.description)
    var exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        exponent = Int(text[text.index(after: e)...]) ?? 0
        text = text[..<e]
    }
    var integer = text
    var fraction: Substring = ""
    if let dot = text.firstIndex(of: ".") {
        integer = text[..<dot]
        fraction = text[text.index(after: dot)...]
    }
    var digits = String(integer + fraction)
    var point = integer.count + exponent
    while digits.hasPrefix("0"), digits.count > 1 { digits.removeFirst(); point -= 1 }
    while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
    return (d.sign == .minus, digits, point)
}
