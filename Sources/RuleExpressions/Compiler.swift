import RuleBase

/// The compiled form: a tree of closures. Variables are resolved to slots and functions to
/// their implementations at compile time, so evaluation does no name lookups.
typealias Eval = @Sendable (inout Frame) throws(EvalFailure) -> CELValue

/// Mutable evaluation state: variable slots (declared variables first, then comprehension
/// variables) and the work counter that bounds every evaluation.
struct Frame {
    var slots: [CELValue?]
    /// Per slot, for a comprehension variable bound to a small map: a view of its entries, so
    /// that `e.field` reads in place (see ``CELMap/EntryView``). When a view is bound and the
    /// expression never reads the variable other than through `.field`, the loop does not
    /// store the value in `slots` at all.
    var views: [CELMap.EntryView?]
    var iterations = 0

    /// `withViews`: whether the expression has comprehension variables (otherwise no view is
    /// ever bound, and the views array is left empty, saving an allocation per evaluation).
    init(slots: [CELValue?], withViews: Bool) {
        self.slots = slots
        self.views = withViews ? Array(repeating: nil, count: slots.count) : []
    }
}

struct Compiled {
    var type: CELType
    var eval: Eval
    /// The value, when known at compile time (literals and folded constant calls).
    var constant: CELValue?
    /// Set for `v.field` on a comprehension variable, so that a comparison can read the field
    /// in place through the variable's entry view instead of calling `eval`.
    var localField: LocalField? = nil
}

/// Where `v.field` on a comprehension variable reads from.
struct LocalField {
    let slot: Int
    let name: String
    let ascii: Bool

    /// The position of the field in the entry view bound to the slot; nil when there is no
    /// view or no such key (then `eval` gives the value or the error).
    @inline(__always)
    func position(in f: inout Frame) -> (CELMap.EntryView, Int)? {
        guard let view = f.views[slot], let i = view.position(ofStringKey: name, ascii: ascii) else { return nil }
        return (view, i)
    }
}

struct Local {
    let slot: Int
    let type: CELType
}

/// Checks and plans in one walk: each node's type is computed (when checking) and its
/// closure built from its children's.
struct Compiler {
    let env: CELEnvironment
    let check: Bool
    var issues: [CELIssue] = []
    var slotCount: Int
    /// Comprehension-variable slots whose value is read other than by `.field` selection; the
    /// loop stores the value only for these (and whenever it has no entry view).
    var valueReadSlots: Set<Int> = []
    /// The declared variables the expression reads, as resolved (not as spelled in the text).
    var readVariables: Set<String> = []
    /// For a dotted chain whose root is undeclared (`params.totl_hours`), the whole chain by
    /// the root identifier's offset, so the issue can name what was written.
    var undeclaredChains: [Int: String] = [:]
    /// The row columns selected, as `table.column`.
    var readColumns: Set<String> = []

    init(env: CELEnvironment, check: Bool) {
        self.env = env
        self.check = check
        self.slotCount = env.variables.count
    }

    // MARK: Helpers

    private mutating func report(_ e: Expr, _ message: String, help: String? = nil, reference: String? = nil) {
        guard check else { return }
        var issue = CELIssue(stage: .check, message: message, help: help, offset: e.offset, length: e.length)
        issue.reference = reference
        issues.append(issue)
    }

    /// The offset of the identifier a selection chain starts from.
    private static func rootOffset(_ e: Expr) -> Int? {
        switch e.kind {
        case .ident: return e.offset
        case .select(let operand, _, _): return rootOffset(operand)
        default: return nil
        }
    }

    private static func failing(_ e: Expr, _ message: String) -> Eval {
        let offset = e.offset
        let length = e.length
        return { _ throws(EvalFailure) in
            var f = EvalFailure(message)
            f.offset = offset
            f.length = length
            throw f
        }
    }

    /// Wraps an evaluation so that a failure without a position gets this node's.
    private static func located(_ e: Expr, _ body: @escaping Eval) -> Eval {
        let offset = e.offset
        let length = e.length
        return { f throws(EvalFailure) in
            do throws(EvalFailure) {
                return try body(&f)
            } catch {
                var failure = error
                if failure.offset < 0 { failure.offset = offset; failure.length = length }
                throw failure
            }
        }
    }

    private static func constant(_ v: CELValue, _ type: CELType) -> Compiled {
        Compiled(type: type, eval: { _ in v }, constant: v)
    }

    private static func literalType(_ v: CELValue) -> CELType {
        switch v {
        case .type(let t): .type(t)
        default: v.celType
        }
    }

    /// The error for `v.field` when `v` has no such key or is not a map.
    private static func selectionFailure(_ v: CELValue, _ field: String, _ offset: Int, _ length: Int) -> EvalFailure {
        var failure = EvalFailure(v.celType == .map(.dyn, .dyn) ? "no such key: '\(field)'"
            : "type '\(v.celType.runtimeName)' does not support field selection")
        failure.offset = offset
        failure.length = length
        return failure
    }

    private func candidateNames(_ locals: [String: Local]) -> [String] {
        env.variables.map(\.name) + Array(locals.keys)
    }

    private mutating func variable(slot: Int, name: String, type: CELType, at e: Expr) -> Compiled {
        readVariables.insert(name)
        let (offset, length) = (e.offset, e.length)
        return Compiled(type: type, eval: { f throws(EvalFailure) in
            guard let v = f.slots[slot] else { throw EvalFailure("no value bound for variable '\(name)'").at(offset, length) }
            return v
        }, constant: nil)
    }

    /// `a.b.c` as a dotted name when the chain is plain selections on an identifier that is
    /// not a comprehension variable.
    private func dottedName(_ e: Expr, _ locals: [String: Local]) -> String? {
        switch e.kind {
        case .ident(let n): return locals[n] == nil ? n : nil
        case .select(let operand, let field, false): return dottedName(operand, locals).map { $0 + "." + field }
        default: return nil
        }
    }

    // MARK: Walk

    mutating func compile(_ e: Expr, _ locals: [String: Local]) -> Compiled {
        switch e.kind {
        case .literal(let v):
            return Self.constant(v, Self.literalType(v))

        case .ident(let name):
            if let local = locals[name] {
                let slot = local.slot
                valueReadSlots.insert(slot)
                return Compiled(type: local.type, eval: { f in f.slots[slot] ?? .null }, constant: nil)
            }
            if let slot = env.slot(of: name) { return variable(slot: slot, name: name, type: env.variables[slot].type, at: e) }
            if let t = CELType.denoted(byName: name) { return Self.constant(.type(t), .type(t)) }
            let help = Suggestions.didYouMean(name, in: candidateNames(locals))
            report(e, "undeclared reference to '\(name)'", help: help, reference: undeclaredChains[e.offset] ?? name)
            return Compiled(type: .error, eval: Self.failing(e, "undeclared reference to '\(name)'"), constant: nil)

        case .select(let operand, let field, let test):
            if !test, let path = dottedName(e, locals) {
                if let slot = env.slot(of: path) { return variable(slot: slot, name: path, type: env.variables[slot].type, at: e) }
                if let t = CELType.denoted(byName: path) { return Self.constant(.type(t), .type(t)) }
                // The outermost selection of a chain is compiled first: it records the longest chain.
                if let root = Self.rootOffset(e), undeclaredChains[root] == nil { undeclaredChains[root] = path }
            }
            // `e.field` on a comprehension variable reads the entry in place (below); the
            // variable itself is not compiled, so its value need not be stored.
            var localOperand: Local?
            if !test, case .ident(let n) = operand.kind { localOperand = locals[n] }
            let targetType: CELType
            let inner: Eval
            if let local = localOperand {
                targetType = local.type
                inner = { _ in .null }  // unused
            } else {
                let target = compile(operand, locals)
                targetType = target.type
                inner = target.eval
            }
            var resultType: CELType = .dyn
            switch targetType {
            case .row(let table):
                if let columns = env.rowTypes[table] {
                    if let type = columns[field] {
                        readColumns.insert(table + "." + field)
                        resultType = test ? .bool : type
                    } else {
                        report(e, "no column '\(field)' in \(table) rows",
                               help: Suggestions.didYouMean(field, in: columns.keys.sorted())
                                   ?? "columns: " + columns.keys.sorted().joined(separator: ", "))
                        resultType = .error
                    }
                } else {
                    resultType = test ? .bool : .dyn
                }
            case .map(let k, let v):
                if k != .string, !k.isDynOrError { report(e, "field selection needs string keys; this map has \(k) keys") }
                resultType = test ? .bool : v
            case .dyn, .typeParam: resultType = test ? .bool : .dyn
            case .error: resultType = .error
            default:
                report(e, "type '\(targetType)' does not support field selection",
                       help: targetType == .string || targetType == .int ? nil : "only maps have fields")
                resultType = .error
            }
            let fieldName = field
            if test {
                return Compiled(type: resultType, eval: Self.located(e) { f throws(EvalFailure) in
                    let v = try inner(&f)
                    guard case .map(let m) = v else { throw EvalFailure("type '\(v.celType.runtimeName)' does not support field selection") }
                    return .bool(m.value(forStringKey: fieldName) != nil)
                }, constant: nil)
            }
            let (offset, length) = (e.offset, e.length)
            let ascii = fieldName.utf8.allSatisfy { $0 < 0x80 }
            // `e.field` on a comprehension variable: through the entry view the loop bound, else
            // from the slot (an indexed map, or not a map at all).
            if let local = localOperand {
                let slot = local.slot
                return Compiled(type: resultType, eval: { f throws(EvalFailure) in
                    if let view = f.views[slot] {
                        if let r = view.value(forStringKey: fieldName, ascii: ascii) { return r }
                        // The slot may not hold the value; any map gives the same message.
                        throw Self.selectionFailure(.map(CELMap()), fieldName, offset, length)
                    }
                    if case .map(let m)? = f.slots[slot], let r = m.value(forStringKey: fieldName, ascii: ascii) { return r }
                    throw Self.selectionFailure(f.slots[slot] ?? .null, fieldName, offset, length)
                }, constant: nil, localField: LocalField(slot: slot, name: fieldName, ascii: ascii))
            }
            return Compiled(type: resultType, eval: { f throws(EvalFailure) in
                let v = try inner(&f)
                if case .map(let m) = v, let r = m.value(forStringKey: fieldName, ascii: ascii) { return r }
                throw Self.selectionFailure(v, fieldName, offset, length)
            }, constant: nil)

        case .list(let items):
            let compiled = items.map { compile($0, locals) }
            var elementType: CELType?
            for c in compiled { elementType = elementType.map { Overloads.join($0, c.type) } ?? c.type }
            let type = CELType.list(elementType ?? .dyn)
            if compiled.allSatisfy({ $0.constant != nil }) {
                return Self.constant(.list(compiled.compactMap(\.constant)), type)
            }
            let evals = compiled.map(\.eval)
            return Compiled(type: type, eval: { f throws(EvalFailure) in
                var out: [CELValue] = []
                out.reserveCapacity(evals.count)
                for ev in evals { out.append(try ev(&f)) }
                return .list(out)
            }, constant: nil)

        case .map(let entries):
            var keyType: CELType?
            var valueType: CELType?
            var parts: [(Eval, Eval)] = []
            for entry in entries {
                let k = compile(entry.key, locals)
                let v = compile(entry.value, locals)
                switch k.type {
                case .int, .uint, .bool, .string, .dyn, .error, .typeParam: break
                default: report(entry.key, "unsupported map key type '\(k.type)'", help: "map keys must be int, uint, bool or string")
                }
                keyType = keyType.map { Overloads.join($0, k.type) } ?? k.type
                valueType = valueType.map { Overloads.join($0, v.type) } ?? v.type
                parts.append((k.eval, v.eval))
            }
            let type = CELType.map(keyType ?? .dyn, valueType ?? .dyn)
            let entryEvals = parts
            return Compiled(type: type, eval: Self.located(e) { f throws(EvalFailure) in
                var pairs: [(CELValue, CELValue)] = []
                pairs.reserveCapacity(entryEvals.count)
                for (k, v) in entryEvals { pairs.append((try k(&f), try v(&f))) }
                do throws(MapBuildError) {
                    return .map(try CELMap(entries: pairs))
                } catch {
                    switch error {
                    case .invalidKey(let k): throw EvalFailure("unsupported key type '\(k.celType.runtimeName)'")
                    case .duplicateKey(let k): throw EvalFailure("Failed with repeated key: \(Runtime.display(k))")
                    }
                }
            }, constant: nil)

        case .call(let target, let function, let args):
            return compileCall(e, target: target, function: function, args: args, locals)

        case .comprehension(let c):
            return compileComprehension(e, c, locals)
        }
    }

    // MARK: Calls

    private mutating func compileCall(_ e: Expr, target: Expr?, function: String, args: [Expr], _ locals: [String: Local]) -> Compiled {
        switch function {
        case "_&&_", "_||_": return compileLogic(e, isAnd: function == "_&&_", args, locals)
        case "_?_:_": return compileConditional(e, args, locals)
        default: break
        }
        var operands: [Compiled] = []
        if let target { operands.append(compile(target, locals)) }
        for a in args { operands.append(compile(a, locals)) }
        let types = operands.map(\.type)

        // Type check against the declared overloads.
        var resultType: CELType = .dyn
        if check {
            if let overloads = Overloads.table[function] {
                let shaped = overloads.filter { $0.receiver == (target != nil) && $0.params.count == operands.count }
                if types.contains(.error) {
                    resultType = .error
                } else {
                    var results: [CELType] = []
                    for o in shaped {
                        var bindings: [String: CELType] = [:]
                        if zip(o.params, types).allSatisfy({ Overloads.unify($0, $1, &bindings) }) {
                            results.append(Overloads.substitute(o.result, bindings))
                        }
                    }
                    if results.isEmpty {
                        let shown = types.map(\.description).joined(separator: ", ")
                        let display = Self.displayName(function)
                        var help: String?
                        if shaped.isEmpty {
                            let styles = overloads.map { $0.receiver ? "x.\(display)(...)" : "\(display)(...)" }
                            help = "call it as " + Array(Set(styles)).sorted().joined(separator: " or ")
                                + " with \(Array(Set(overloads.map { $0.params.count - ($0.receiver ? 1 : 0) })).sorted().map(String.init).joined(separator: " or ")) argument(s)"
                        } else if function.hasPrefix("_"), types.count == 2, Self.isNumeric(types[0]), Self.isNumeric(types[1]) {
                            help = "convert one side, e.g. double(x) or int(x); CEL does not mix number kinds in arithmetic"
                        }
                        report(e, "found no matching overload for '\(display)' applied to '(\(shown))'", help: help)
                        resultType = .error
                    } else {
                        resultType = results.dropFirst().allSatisfy({ $0 == results[0] }) ? results[0] : .dyn
                    }
                }
            } else {
                let help = Suggestions.didYouMean(function, in: Overloads.publicNames)
                report(e, "undeclared reference to function '\(function)'", help: help)
                resultType = .error
            }
        }

        guard let resolved = Runtime.resolve(function, arity: operands.count, receiver: target != nil) else {
            return Compiled(type: resultType, eval: Self.failing(e, "unbound function '\(function)'"), constant: nil)
        }
        let evals = operands.map(\.eval)
        var eval: Eval
        var specialized = false
        switch resolved {
        // Operands are taken from the struct, not from `evals`: a closure read out of an
        // array is wrapped in a reabstraction thunk on every call.
        case .unary(let impl):
            let a = operands[0].eval
            eval = { f throws(EvalFailure) in try impl(try a(&f)) }
            // sum() of an empty list takes its zero from the static element type.
            if function == "sum", case .list(let t) = types[0] {
                let zero: CELValue
                switch t {
                case .decimal: zero = .decimal(.zero)
                case .double: zero = .double(0)
                case .uint: zero = .uint(0)
                default: zero = .int(0)
                }
                eval = { f throws(EvalFailure) in try Runtime.sum(try a(&f), emptyValue: zero) }
            }
        case .binary(let impl):
            let a = operands[0].eval
            let b = operands[1].eval
            eval = { f throws(EvalFailure) in
                let x = try a(&f)
                return try impl(x, try b(&f))
            }
            if let special = specializeBinary(function, operands, at: e) {
                eval = special
                specialized = true
            }
            // A constant `matches` pattern that is invalid or over the limits fails for every
            // input: report it at check time, at the pattern.
            if function == "matches", case .string(let pattern)? = operands[1].constant {
                do {
                    _ = try CELRegex.compile(pattern)
                } catch {
                    report(args.last ?? e, error.message, help: "see `matches` in Grammar/reference/expressions.md for the supported syntax and limits")
                }
            }
        case .nary(let impl):
            eval = { f throws(EvalFailure) in
                var values: [CELValue] = []
                values.reserveCapacity(evals.count)
                for ev in evals { values.append(try ev(&f)) }
                return try impl(values)
            }
        }
        if !specialized { eval = Self.located(e, eval) }
        // Fold calls on constants (`decimal('2')`, `timestamp('...')`, `duration('1h')`) once,
        // unless they fail: errors must still surface at run time, where `||` may absorb them.
        if operands.allSatisfy({ $0.constant != nil }) {
            var frame = Frame(slots: [], withViews: false)
            if let v = try? eval(&frame) { return Self.constant(v, resultType) }
        }
        return Compiled(type: resultType, eval: eval, constant: nil)
    }

    private static func isNumeric(_ t: CELType) -> Bool {
        switch t {
        case .int, .uint, .double, .decimal: true
        default: false
        }
    }

    static func displayName(_ function: String) -> String {
        switch function {
        case "@in": "in"
        case "_[_]": "[]"
        case "_?_:_": "?:"
        default:
            function.hasPrefix("_") || function.hasSuffix("_") ? function.replacingUnderscores() : function
        }
    }

    /// Faster closures for hot shapes: comparison with a constant string (`e.category ==
    /// 'ethics'`) and `matches` with a constant pattern (compiled once).
    private func specializeBinary(_ function: String, _ operands: [Compiled], at e: Expr) -> Eval? {
        let a = operands[0].eval
        let b = operands[1].eval
        let (offset, length) = (e.offset, e.length)
        switch function {
        case "_==_", "_!=_":
            let negate = function == "_!=_"
            if case .string(let k)? = operands[1].constant {
                let ascii = k.utf8.allSatisfy { $0 < 0x80 }
                // `e.category == 'ethics'`: compare the entry in place.
                if let field = operands[0].localField {
                    return { f throws(EvalFailure) in
                        if let (view, i) = field.position(in: &f), case .string(let s) = view.values[i] {
                            return .bool((ascii ? sameASCII(s, k) : sameBytes(s, k)) != negate)
                        }
                        let v = try a(&f)
                        if case .string(let s) = v { return .bool((ascii ? sameASCII(s, k) : sameBytes(s, k)) != negate) }
                        return .bool(v.celEquals(.string(k)) != negate)
                    }
                }
                return { f throws(EvalFailure) in
                    let v = try a(&f)
                    if case .string(let s) = v { return .bool((ascii ? sameASCII(s, k) : sameBytes(s, k)) != negate) }
                    return .bool(v.celEquals(.string(k)) != negate)
                }
            }
            return nil
        case "matches":
            if case .string(let pattern)? = operands[1].constant, let regex = try? CELRegex.compile(pattern) {
                return { f throws(EvalFailure) in
                    let v = try a(&f)
                    guard case .string(let s) = v else { throw EvalFailure.noMatchingOverload("matches", [v, .string(pattern)]).at(offset, length) }
                    return .bool(regex.matches(s))
                }
            }
            return nil
        case "_<_", "_<=_", "_>_", "_>=_":
            // Which orderings make the comparison true: bit 0 for less, 1 for equal, 2 for greater.
            let accept: Int
            switch function {
            case "_<_": accept = 0b001
            case "_<=_": accept = 0b011
            case "_>_": accept = 0b100
            default: accept = 0b110
            }
            @Sendable @inline(__always) func test(_ order: Int) -> Bool { accept & (1 << (order + 1)) != 0 }
            @Sendable func compare(_ x: CELValue, _ y: CELValue) throws(EvalFailure) -> CELValue {
                // Dates are the common case in rules; compare them without the generic switch.
                if case .date(let p) = x, case .date(let q) = y { return .bool(test(p < q ? -1 : (p == q ? 0 : 1))) }
                do throws(EvalFailure) {
                    guard let order = try celCompare(x, y) else { return .bool(false) }
                    return .bool(test(order))
                } catch {
                    throw error.at(offset, length)
                }
            }
            // `e.completion_date >= start`: a date entry is compared in place.
            if let field = operands[0].localField {
                return { f throws(EvalFailure) in
                    guard let (view, i) = field.position(in: &f) else { return try compare(try a(&f), try b(&f)) }
                    let y = try b(&f)
                    if case .date(let p) = view.values[i], case .date(let q) = y { return .bool(test(p < q ? -1 : (p == q ? 0 : 1))) }
                    return try compare(view.values[i], y)
                }
            }
            return { f throws(EvalFailure) in try compare(try a(&f), try b(&f)) }
        default: return nil
        }
    }

    /// `&&` and `||` are commutative and absorb errors: `false && error` is false, and so is
    /// `error && false`; only when neither side decides does an error surface.
    private mutating func compileLogic(_ e: Expr, isAnd: Bool, _ args: [Expr], _ locals: [String: Local]) -> Compiled {
        let l = compile(args[0], locals)
        let r = compile(args[1], locals)
        let name = isAnd ? "_&&_" : "_||_"
        for (side, c) in [(args[0], l), (args[1], r)] where c.type != .bool && !c.type.isDynOrError {
            report(side, "found no matching overload for '\(isAnd ? "&&" : "||")' applied to '\(c.type)'", help: "both sides must be bool")
        }
        let a = l.eval
        let b = r.eval
        let decisive = !isAnd  // the value that decides the result on its own
        let (offset, length) = (e.offset, e.length)
        let eval: Eval = { f throws(EvalFailure) in
            var leftError: EvalFailure?
            do throws(EvalFailure) {
                let x = try a(&f)
                if case .bool(let v) = x {
                    if v == decisive { return x }
                } else {
                    leftError = EvalFailure.noMatchingOverload(name, [x]).at(offset, length)
                }
            } catch {
                leftError = error
            }
            guard let leftError else {
                // The left side is a bool that does not decide: the right side is the result.
                let y = try b(&f)
                guard case .bool = y else { throw EvalFailure.noMatchingOverload(name, [y]).at(offset, length) }
                return y
            }
            // The left side failed: only a deciding right side absorbs the error.
            let y: CELValue
            do throws(EvalFailure) { y = try b(&f) } catch { throw leftError }
            guard case .bool(let w) = y, w == decisive else { throw leftError }
            return y
        }
        return Compiled(type: (l.type == .error || r.type == .error) ? .error : .bool, eval: eval, constant: nil)
    }

    private mutating func compileConditional(_ e: Expr, _ args: [Expr], _ locals: [String: Local]) -> Compiled {
        let c = compile(args[0], locals)
        let y = compile(args[1], locals)
        let n = compile(args[2], locals)
        if c.type != .bool, !c.type.isDynOrError { report(args[0], "the condition of ?: must be bool, not '\(c.type)'") }
        var type = Overloads.join(y.type, n.type)
        if c.type == .error { type = .error }
        let (ce, ye, ne) = (c.eval, y.eval, n.eval)
        return Compiled(type: type, eval: Self.located(e) { f throws(EvalFailure) in
            let v = try ce(&f)
            guard case .bool(let b) = v else { throw .noMatchingOverload("_?_:_", [v]) }
            return b ? try ye(&f) : try ne(&f)
        }, constant: nil)
    }

    // MARK: Comprehensions

    private mutating func compileComprehension(_ e: Expr, _ c: Comprehension, _ locals: [String: Local]) -> Compiled {
        let range = compile(c.range, locals)
        let two = c.second != nil
        var firstType: CELType = .dyn
        var secondType: CELType = .dyn
        var isMapRange = false
        switch range.type {
        case .list(let t):
            if two { firstType = .int; secondType = t } else { firstType = t }
        case .map(let k, let v):
            isMapRange = true
            firstType = k
            secondType = v
        case .row:
            isMapRange = true
            firstType = .string
            secondType = .dyn
        case .dyn, .error, .typeParam: break
        default:
            report(c.range, "\(c.kind.rawValue)() needs a list or map, not '\(range.type)'")
        }
        var inner = locals
        let firstSlot = slotCount
        slotCount += 1
        inner[c.first] = Local(slot: firstSlot, type: firstType)
        var secondSlot = -1
        if let second = c.second {
            secondSlot = slotCount
            slotCount += 1
            inner[second] = Local(slot: secondSlot, type: secondType)
        }
        let filter = c.filter.map { compile($0, inner) }
        let body = compile(c.body, inner)
        let needsBool: Bool
        switch c.kind {
        case .all, .exists, .existsOne, .filter: needsBool = true
        default: needsBool = false
        }
        if needsBool, body.type != .bool, !body.type.isDynOrError {
            report(c.body, "the predicate of \(c.kind.rawValue)() must be bool, not '\(body.type)'")
        }
        if let filter, let fexpr = c.filter, filter.type != .bool, !filter.type.isDynOrError {
            report(fexpr, "the filter of \(c.kind.rawValue)() must be bool, not '\(filter.type)'")
        }
        let resultType: CELType
        switch c.kind {
        case .all, .exists, .existsOne: resultType = .bool
        case .map, .transformList: resultType = .list(body.type)
        case .filter: resultType = isMapRange ? .list(firstType) : (range.type.isDynOrError ? .list(.dyn) : range.type)
        case .transformMap: resultType = .map(isMapRange ? firstType : .int, body.type)
        }
        let rangeEval = range.eval
        let valueSlot = secondSlot
        let bodyEval = body.eval
        // Not optional: binding an optional closure in the loop retains and releases its
        // context on every iteration. (And not `filter?.eval ?? ...`: passing the closure
        // through the generic `??` wraps it in reabstraction thunks, called every iteration.)
        let hasFilter = filter != nil
        let filterEval: Eval
        if let filter { filterEval = filter.eval } else { filterEval = { _ in .bool(true) } }
        let kind = c.kind
        let name = c.kind.rawValue
        let storeFirst = valueReadSlots.contains(firstSlot)
        let storeSecond = valueReadSlots.contains(secondSlot)
        let eval: Eval = { f throws(EvalFailure) in
            let r = try rangeEval(&f)
            let firsts: [CELValue]
            var seconds: [CELValue] = []
            var fromMap = false
            switch r {
            case .list(let items):
                if two {
                    firsts = items.indices.map { .int(Int64($0)) }
                    seconds = items
                } else {
                    firsts = items
                }
            case .map(let m):
                firsts = m.keys
                seconds = m.values
                fromMap = true
            default: throw EvalFailure("\(name)() needs a list or map, not \(r.celType.runtimeName)")
            }
            // Entry views point into the maps held by `firsts` and `seconds`: keep those alive
            // until the loop is over, and unbind the views with it.
            defer {
                withExtendedLifetime((firsts, seconds)) {}
                f.views[firstSlot] = nil
                if two { f.views[valueSlot] = nil }
            }
            var pendingError: EvalFailure?
            var count = 0
            var out: [CELValue] = []
            var outKeys: [CELValue] = []
            for i in firsts.indices {
                f.iterations += 1
                if f.iterations > CELLimits.maximumIterations {
                    throw EvalFailure("evaluation exceeded \(CELLimits.maximumIterations) comprehension iterations")
                }
                let firstView = firsts[i].entryView
                f.views[firstSlot] = firstView
                if storeFirst || firstView == nil { f.slots[firstSlot] = firsts[i] }
                if two {
                    let secondView = seconds[i].entryView
                    f.views[valueSlot] = secondView
                    if storeSecond || secondView == nil { f.slots[valueSlot] = seconds[i] }
                }
                if hasFilter {
                    let keep = try filterEval(&f)
                    guard case .bool(let k) = keep else { throw .noMatchingOverload(name, [keep]) }
                    if !k { continue }
                }
                switch kind {
                case .all, .exists:
                    let decisive = kind == .exists
                    do throws(EvalFailure) {
                        let v = try bodyEval(&f)
                        if case .bool(let b) = v {
                            if b == decisive { return v }
                        } else {
                            pendingError = pendingError ?? .noMatchingOverload(name, [v])
                        }
                    } catch {
                        pendingError = pendingError ?? error
                    }
                case .existsOne:
                    let v = try bodyEval(&f)
                    guard case .bool(let b) = v else { throw .noMatchingOverload(name, [v]) }
                    if b { count += 1 }
                case .filter:
                    let v = try bodyEval(&f)
                    guard case .bool(let b) = v else { throw .noMatchingOverload(name, [v]) }
                    if b { out.append(firsts[i]) }
                case .map, .transformList:
                    out.append(try bodyEval(&f))
                case .transformMap:
                    outKeys.append(fromMap ? firsts[i] : .int(Int64(i)))
                    out.append(try bodyEval(&f))
                }
            }
            switch kind {
            case .all, .exists:
                if let pendingError { throw pendingError }
                return .bool(kind == .all)
            case .existsOne: return .bool(count == 1)
            case .filter, .map, .transformList: return .list(out)
            case .transformMap:
                guard let m = CELMap(Array(zip(outKeys, out))) else { throw EvalFailure("transformMap() produced a repeated key") }
                return .map(m)
            }
        }
        return Compiled(type: resultType, eval: Self.located(e, eval), constant: nil)
    }
}

extension String {
    /// `_+_` → `+`, `!_` → `!`, `-_` → `-`.
    fileprivate func replacingUnderscores() -> String {
        var s = Substring(self)
        while s.first == "_" { s = s.dropFirst() }
        while s.last == "_" { s = s.dropLast() }
        return String(s)
    }
}
