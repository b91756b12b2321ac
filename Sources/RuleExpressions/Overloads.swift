import RuleBase

/// One statically declared signature of a function or operator, used by the checker.
/// Run-time behaviour lives in ``Runtime``; one implementation serves all of a name's
/// overloads, switching on the kinds of its arguments.
struct Overload: Sendable {
    let receiver: Bool
    let params: [CELType]
    let result: CELType
}

enum Overloads {
    private static let A = CELType.typeParam("A")
    private static let B = CELType.typeParam("B")

    /// Every declared signature by function name.
    static let table: [String: [Overload]] = build()

    /// Function names offered in "did you mean" hints, sorted for stable output.
    static let publicNames: [String] = table.keys.filter { !$0.hasPrefix("_") && !$0.hasPrefix("@") && !$0.hasSuffix("_") }.sorted()

    private static func build() -> [String: [Overload]] {
        var t: [String: [Overload]] = [:]
        func add(_ name: String, _ params: [CELType], _ result: CELType, receiver: Bool = false) {
            t[name, default: []].append(Overload(receiver: receiver, params: params, result: result))
        }
        func both(_ name: String, _ params: [CELType], _ result: CELType) {
            add(name, params, result)
            add(name, params, result, receiver: true)
        }
        let numbers: [CELType] = [.int, .uint, .double]
        for n in numbers {
            for op in ["_+_", "_-_", "_*_", "_/_"] { add(op, [n, n], n) }
        }
        for op in ["_+_", "_-_", "_*_", "_/_"] {
            add(op, [.decimal, .decimal], .decimal)
            add(op, [.decimal, .int], .decimal)
            add(op, [.int, .decimal], .decimal)
        }
        add("_%_", [.int, .int], .int)
        add("_%_", [.uint, .uint], .uint)
        add("_+_", [.string, .string], .string)
        add("_+_", [.bytes, .bytes], .bytes)
        add("_+_", [.list(A), .list(A)], .list(A))
        add("_+_", [.timestamp, .duration], .timestamp)
        add("_+_", [.duration, .timestamp], .timestamp)
        add("_+_", [.duration, .duration], .duration)
        add("_-_", [.timestamp, .timestamp], .duration)
        add("_-_", [.timestamp, .duration], .timestamp)
        add("_-_", [.duration, .duration], .duration)
        add("_-_", [.date, .date], .int)
        add("-_", [.int], .int)
        add("-_", [.double], .double)
        add("-_", [.decimal], .decimal)
        add("!_", [.bool], .bool)
        let ordered: [CELType] = [.int, .uint, .double, .string, .bytes, .bool, .timestamp, .duration, .date, .decimal]
        for op in ["_<_", "_<=_", "_>_", "_>=_"] {
            for o in ordered { add(op, [o, o], .bool) }
            // Numbers compare across kinds by value (CEL's heterogeneous comparisons).
            for a in [CELType.int, .uint, .double] {
                for b in [CELType.int, .uint, .double] where a != b { add(op, [a, b], .bool) }
            }
            for n in [CELType.int, .uint] {
                add(op, [.decimal, n], .bool)
                add(op, [n, .decimal], .bool)
            }
        }
        for op in ["_==_", "_!=_"] {
            add(op, [A, A], .bool)
            for n in [CELType.int, .uint] {
                add(op, [.decimal, n], .bool)
                add(op, [n, .decimal], .bool)
            }
        }
        add("@in", [A, .list(A)], .bool)
        add("@in", [A, .map(A, B)], .bool)
        add("_[_]", [.list(A), .int], A)
        add("_[_]", [.map(A, B), A], B)

        for x in [CELType.string, .bytes, .list(A), .map(A, B)] { both("size", [x], .int) }
        for f in ["contains", "startsWith", "endsWith"] { add(f, [.string, .string], .bool, receiver: true) }
        both("matches", [.string, .string], .bool)

        for x in [CELType.int, .uint, .double, .string, .timestamp, .decimal] { add("int", [x], .int) }
        for x in [CELType.int, .uint, .double, .string, .decimal] { add("uint", [x], .uint) }
        for x in [CELType.int, .uint, .double, .string, .decimal] { add("double", [x], .double) }
        for x in [CELType.int, .uint, .double, .string, .bytes, .bool, .timestamp, .duration, .date, .decimal] {
            add("string", [x], .string)
        }
        add("bytes", [.bytes], .bytes)
        add("bytes", [.string], .bytes)
        add("bool", [.bool], .bool)
        add("bool", [.string], .bool)
        for x in [CELType.timestamp, .string, .int] { add("timestamp", [x], .timestamp) }
        add("duration", [.duration], .duration)
        add("duration", [.string], .duration)
        add("dyn", [A], .dyn)
        add("type", [A], .type(A))

        // Extensions: calendar dates and exact decimals.
        add("date", [.string], .date)
        add("date", [.date], .date)
        add("date", [.timestamp], .date)
        add("date", [.timestamp, .string], .date)
        for x in [CELType.string, .int, .uint, .double, .decimal] { add("decimal", [x], .decimal) }
        for f in ["addDays", "addMonths", "addYears"] { add(f, [.date, .int], .date, receiver: true) }
        add("endOfMonth", [.date], .date, receiver: true)
        add("daysBetween", [.date, .date], .int)

        let timestampAccessors = ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
                                  "getHours", "getMinutes", "getSeconds", "getMilliseconds"]
        for f in timestampAccessors {
            add(f, [.timestamp], .int, receiver: true)
            add(f, [.timestamp, .string], .int, receiver: true)
        }
        for f in ["getHours", "getMinutes", "getSeconds", "getMilliseconds"] { add(f, [.duration], .int, receiver: true) }
        for f in ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear"] {
            add(f, [.date], .int, receiver: true)
        }

        // Extension: aggregation over lists.
        for n in [CELType.int, .uint, .double, .decimal] { add("sum", [.list(n)], n, receiver: true) }
        for f in ["min", "max"] { add(f, [.list(A)], A, receiver: true) }
        return t
    }

    // MARK: - Unification

    /// Matches an overload's parameter pattern against an argument type, binding type
    /// parameters. `dyn` matches anything.
    static func unify(_ pattern: CELType, _ actual: CELType, _ bindings: inout [String: CELType]) -> Bool {
        switch (pattern, actual) {
        case (_, .dyn), (_, .error), (.dyn, _): return true
        case (.typeParam(let name), _):
            if let bound = bindings[name] {
                if bound == .dyn { bindings[name] = actual; return true }
                var scratch: [String: CELType] = [:]
                if unify(bound, actual, &scratch) { return true }
                // A more specific binding (list(int) after list(dyn)) refines the earlier one.
                if unify(actual, bound, &scratch) { bindings[name] = actual; return true }
                return false
            }
            bindings[name] = actual
            return true
        case let (.list(p), .list(a)): return unify(p, a, &bindings)
        case let (.map(pk, pv), .map(ak, av)): return unify(pk, ak, &bindings) && unify(pv, av, &bindings)
        // A row is a map from column name to a value of its column's type.
        case let (.map(pk, pv), .row): return unify(pk, .string, &bindings) && unify(pv, .dyn, &bindings)
        case (.type, .type): return true
        default: return pattern == actual
        }
    }

    static func substitute(_ t: CELType, _ bindings: [String: CELType]) -> CELType {
        switch t {
        case .typeParam(let n): return bindings[n] ?? .dyn
        case .list(let e): return .list(substitute(e, bindings))
        case .map(let k, let v): return .map(substitute(k, bindings), substitute(v, bindings))
        case .type(let x): return .type(x.map { substitute($0, bindings) })
        default: return t
        }
    }

    /// The least common type of two element types (for list and map literals).
    static func join(_ a: CELType, _ b: CELType) -> CELType {
        if a == b { return a }
        switch (a, b) {
        case (.error, _): return b
        case (_, .error): return a
        case let (.list(x), .list(y)): return .list(join(x, y))
        case let (.map(k1, v1), .map(k2, v2)): return .map(join(k1, k2), join(v1, v2))
        default: return .dyn
        }
    }
}
