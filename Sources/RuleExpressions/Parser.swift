/// Recursive-descent parser with precedence climbing. Recursion is counted on every entry
/// and the tree's height is checked on every node, so 10,000 nested parentheses end with an
/// error long before the stack is in danger.
struct Parser {
    private var tokens: [Token]
    private var pos = 0
    private var nextID = 1
    private var recursion = 0
    /// Start offset of each node by ID, for tools that map node IDs back to text.
    private(set) var positions: [Int: (offset: Int, length: Int)] = [:]

    static func parse(_ text: String) throws(SyntaxError) -> Expr {
        guard text.utf8.count <= CELLimits.maximumTextLength else {
            throw SyntaxError(message: "expression is longer than \(CELLimits.maximumTextLength) bytes", offset: 0, length: 0)
        }
        var lexer = Lexer(text)
        var parser = Parser(tokens: try lexer.tokenize())
        let e = try parser.parseExpr()
        let t = parser.current
        guard t.kind == .end else { throw parser.unexpected(t, expecting: "end of expression") }
        return e
    }

    private init(tokens: [Token]) { self.tokens = tokens }

    private var current: Token { tokens[pos] }

    private func isPunct(_ p: String) -> Bool {
        if case .punct(let q) = current.kind { return p == q }
        return false
    }

    private mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    private mutating func expect(_ p: String, context: String) throws(SyntaxError) -> Token {
        guard isPunct(p) else { throw unexpected(current, expecting: "'\(p)' \(context)") }
        return advance()
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: "end of expression"
        case .ident(let s): "'\(s)'"
        case .quotedIdent(let s): "`\(s)`"
        case .punct(let p): "'\(p)'"
        case .int, .uint, .double: "number"
        case .string: "string"
        case .bytes: "bytes"
        }
    }

    private func unexpected(_ t: Token, expecting what: String) -> SyntaxError {
        SyntaxError(message: "unexpected \(describe(t)), expected \(what)", offset: t.offset, length: max(t.length, 1))
    }

    private mutating func make(_ kind: Expr.Kind, offset: Int, length: Int, children: [Expr]) throws(SyntaxError) -> Expr {
        let depth = (children.map(\.depth).max() ?? 0) + 1
        guard depth <= CELLimits.maximumDepth else {
            throw SyntaxError(message: "expression is nested more than \(CELLimits.maximumDepth) levels deep",
                              offset: offset, length: max(length, 1), help: "split it into smaller expressions")
        }
        let id = nextID
        nextID += 1
        positions[id] = (offset, length)
        return Expr(id: id, offset: offset, length: length, kind: kind, depth: depth)
    }

    private mutating func enter(_ at: Token) throws(SyntaxError) {
        recursion += 1
        guard recursion <= CELLimits.maximumDepth else {
            throw SyntaxError(message: "expression is nested more than \(CELLimits.maximumDepth) levels deep",
                              offset: at.offset, length: max(at.length, 1), help: "split it into smaller expressions")
        }
    }

    mutating func parseExpr() throws(SyntaxError) -> Expr {
        try enter(current)
        defer { recursion -= 1 }
        let condition = try parseBinary(1)
        guard isPunct("?") else { return condition }
        let q = advance()
        let yes = try parseBinary(1)
        _ = try expect(":", context: "in conditional expression")
        let no = try parseExpr()
        return try make(.call(target: nil, function: "_?_:_", args: [condition, yes, no]), offset: q.offset, length: 1, children: [condition, yes, no])
    }

    private func binaryOperator() -> (name: String, precedence: Int)? {
        switch current.kind {
        case .punct(let p):
            switch p {
            case "||": return ("_||_", 1)
            case "&&": return ("_&&_", 2)
            case "==": return ("_==_", 3)
            case "!=": return ("_!=_", 3)
            case "<": return ("_<_", 3)
            case "<=": return ("_<=_", 3)
            case ">": return ("_>_", 3)
            case ">=": return ("_>=_", 3)
            case "+": return ("_+_", 4)
            case "-": return ("_-_", 4)
            case "*": return ("_*_", 5)
            case "/": return ("_/_", 5)
            case "%": return ("_%_", 5)
            default: return nil
            }
        case .ident("in"): return ("@in", 3)
        default: return nil
        }
    }

    private mutating func parseBinary(_ minPrecedence: Int) throws(SyntaxError) -> Expr {
        var left = try parseUnary()
        while let (name, precedence) = binaryOperator(), precedence >= minPrecedence {
            let op = advance()
            let right = try parseBinary(precedence + 1)
            left = try make(.call(target: nil, function: name, args: [left, right]), offset: op.offset, length: op.length, children: [left, right])
        }
        return left
    }

    private mutating func parseUnary() throws(SyntaxError) -> Expr {
        var ops: [Token] = []
        while isPunct("!") || isPunct("-") { ops.append(advance()) }
        var operand: Expr
        // A minus sign directly before a number literal is part of the literal, so that
        // -9223372036854775808 is representable.
        if let last = ops.last, case .punct("-") = last.kind, last.offset + 1 == current.offset,
           let literal = try negativeLiteral(minus: last) {
            ops.removeLast()
            operand = try parsePostfix(startingWith: literal)
        } else {
            operand = try parsePostfix(startingWith: nil)
        }
        for op in ops.reversed() {
            let name = op.kind == .punct("!") ? "!_" : "-_"
            operand = try make(.call(target: nil, function: name, args: [operand]), offset: op.offset, length: 1, children: [operand])
        }
        return operand
    }

    private mutating func negativeLiteral(minus: Token) throws(SyntaxError) -> Expr? {
        let t = current
        let value: CELValue
        switch t.kind {
        case .int(let digits, let radix):
            guard let v = Int64("-" + digits, radix: radix) else {
                throw SyntaxError(message: "integer literal out of range", offset: minus.offset, length: t.length + 1)
            }
            value = .int(v)
        case .double(let text):
            guard let v = Double(text) else { return nil }
            value = .double(-v)
        default: return nil
        }
        _ = advance()
        return try make(.literal(value), offset: minus.offset, length: t.offset + t.length - minus.offset, children: [])
    }

    private mutating func parsePostfix(startingWith start: Expr?) throws(SyntaxError) -> Expr {
        var e: Expr
        if let start { e = start } else { e = try parsePrimary() }
        while true {
            if isPunct(".") {
                _ = advance()
                let nameToken = advance()
                let name: String
                switch nameToken.kind {
                case .ident(let s): name = s
                case .quotedIdent(let s): name = s
                default: throw unexpected(nameToken, expecting: "a field or method name after '.'")
                }
                if isPunct("("), case .ident = nameToken.kind {
                    let open = advance()
                    let args = try parseArguments(open: open)
                    e = try receiverCall(target: e, name: name, nameToken: nameToken, args: args)
                } else {
                    e = try make(.select(operand: e, field: name, test: false), offset: nameToken.offset, length: nameToken.length, children: [e])
                }
            } else if isPunct("[") {
                let open = advance()
                try enter(open)
                let index = try parseExpr()
                recursion -= 1
                _ = try expect("]", context: "to close the index")
                e = try make(.call(target: nil, function: "_[_]", args: [e, index]), offset: open.offset, length: 1, children: [e, index])
            } else {
                return e
            }
        }
    }

    private mutating func parseArguments(open: Token) throws(SyntaxError) -> [Expr] {
        try enter(open)
        defer { recursion -= 1 }
        var args: [Expr] = []
        if isPunct(")") { _ = advance(); return args }
        while true {
            args.append(try parseExpr())
            if isPunct(",") { _ = advance(); continue }
            _ = try expect(")", context: "to close the argument list")
            return args
        }
    }

    private mutating func parsePrimary() throws(SyntaxError) -> Expr {
        let t = advance()
        switch t.kind {
        case .int(let digits, let radix):
            guard let v = Int64(digits, radix: radix) else {
                throw SyntaxError(message: "integer literal out of range", offset: t.offset, length: t.length,
                                  help: "int is 64-bit; use a uint literal (suffix u) or a double for larger numbers")
            }
            return try make(.literal(.int(v)), offset: t.offset, length: t.length, children: [])
        case .uint(let digits, let radix):
            guard let v = UInt64(digits, radix: radix) else {
                throw SyntaxError(message: "unsigned integer literal out of range", offset: t.offset, length: t.length)
            }
            return try make(.literal(.uint(v)), offset: t.offset, length: t.length, children: [])
        case .double(let text):
            guard let v = Double(text) else { throw SyntaxError(message: "invalid number literal", offset: t.offset, length: t.length) }
            return try make(.literal(.double(v)), offset: t.offset, length: t.length, children: [])
        case .string(let s): return try make(.literal(.string(s)), offset: t.offset, length: t.length, children: [])
        case .bytes(let b): return try make(.literal(.bytes(b)), offset: t.offset, length: t.length, children: [])
        case .ident(let name):
            switch name {
            case "true": return try make(.literal(.bool(true)), offset: t.offset, length: t.length, children: [])
            case "false": return try make(.literal(.bool(false)), offset: t.offset, length: t.length, children: [])
            case "null": return try make(.literal(.null), offset: t.offset, length: t.length, children: [])
            case "in": throw unexpected(t, expecting: "an expression")
            default: break
            }
            if Lexer.reserved.contains(name) {
                throw SyntaxError(message: "'\(name)' is a reserved word and cannot be used as a name", offset: t.offset, length: t.length)
            }
            if isPunct("(") {
                let open = advance()
                let args = try parseArguments(open: open)
                return try globalCall(name: name, nameToken: t, args: args)
            }
            return try make(.ident(name), offset: t.offset, length: t.length, children: [])
        case .punct("."):
            // A leading dot names the root scope: `.x` is the variable x.
            let n = advance()
            guard case .ident(let name) = n.kind, !Lexer.reserved.contains(name) else { throw unexpected(n, expecting: "a name after '.'") }
            if isPunct("(") {
                let open = advance()
                let args = try parseArguments(open: open)
                return try globalCall(name: name, nameToken: n, args: args)
            }
            return try make(.ident(name), offset: n.offset, length: n.length, children: [])
        case .punct("("):
            let e = try parseExpr()
            _ = try expect(")", context: "to close the parenthesis")
            return e
        case .punct("["):
            try enter(t)
            defer { recursion -= 1 }
            var items: [Expr] = []
            while !isPunct("]") {
                items.append(try parseExpr())
                if isPunct(",") { _ = advance() } else { break }
            }
            let close = try expect("]", context: "to close the list")
            return try make(.list(items), offset: t.offset, length: close.offset + 1 - t.offset, children: items)
        case .punct("{"):
            try enter(t)
            defer { recursion -= 1 }
            var entries: [Expr.MapEntry] = []
            while !isPunct("}") {
                let k = try parseExpr()
                _ = try expect(":", context: "after a map key")
                let v = try parseExpr()
                entries.append(Expr.MapEntry(key: k, value: v))
                if isPunct(",") { _ = advance() } else { break }
            }
            let close = try expect("}", context: "to close the map")
            return try make(.map(entries), offset: t.offset, length: close.offset + 1 - t.offset,
                            children: entries.flatMap { [$0.key, $0.value] })
        default:
            throw unexpected(t, expecting: "an expression")
        }
    }

    private mutating func globalCall(name: String, nameToken: Token, args: [Expr]) throws(SyntaxError) -> Expr {
        if name == "has" {
            guard args.count == 1, case .select(let operand, let field, _) = args[0].kind else {
                throw SyntaxError(message: "has() takes one field selection such as has(m.field)", offset: nameToken.offset, length: nameToken.length)
            }
            return try make(.select(operand: operand, field: field, test: true), offset: nameToken.offset, length: nameToken.length, children: [operand])
        }
        return try make(.call(target: nil, function: name, args: args), offset: nameToken.offset, length: nameToken.length, children: args)
    }

    private func variableName(_ e: Expr, macro: String) throws(SyntaxError) -> String {
        guard case .ident(let n) = e.kind else {
            throw SyntaxError(message: "the variable of \(macro)() must be a simple name", offset: e.offset, length: max(e.length, 1))
        }
        return n
    }

    private mutating func receiverCall(target: Expr, name: String, nameToken: Token, args: [Expr]) throws(SyntaxError) -> Expr {
        let kind: MacroKind?
        var twoVariables = false
        var filter: Expr?
        var body: Expr?
        switch (name, args.count) {
        case ("all", 2): kind = .all
        case ("all", 3): kind = .all; twoVariables = true
        case ("exists", 2): kind = .exists
        case ("exists", 3): kind = .exists; twoVariables = true
        case ("exists_one", 2), ("existsOne", 2): kind = .existsOne
        case ("exists_one", 3), ("existsOne", 3): kind = .existsOne; twoVariables = true
        case ("map", 2): kind = .map
        case ("map", 3): kind = .map; filter = args[1]; body = args[2]
        case ("filter", 2): kind = .filter
        case ("transformList", 3): kind = .transformList; twoVariables = true
        case ("transformList", 4): kind = .transformList; twoVariables = true; filter = args[2]; body = args[3]
        case ("transformMap", 3): kind = .transformMap; twoVariables = true
        case ("transformMap", 4): kind = .transformMap; twoVariables = true; filter = args[2]; body = args[3]
        default: kind = nil
        }
        guard let kind else {
            return try make(.call(target: target, function: name, args: args), offset: nameToken.offset, length: nameToken.length,
                            children: [target] + args)
        }
        let first = try variableName(args[0], macro: name)
        let second = twoVariables ? try variableName(args[1], macro: name) : nil
        let b = body ?? args[args.count - 1]
        let c = Comprehension(kind: kind, range: target, first: first, second: second, filter: filter, body: b)
        return try make(.comprehension(c), offset: nameToken.offset, length: nameToken.length, children: [target, b] + (filter.map { [$0] } ?? []))
    }
}
