/// The parsed form of an expression. Every node has an ID and the UTF-8 range of the text
/// it came from, so that later stages can point at the exact column.
struct Expr: Sendable {
    let id: Int
    let offset: Int
    let length: Int
    let kind: Kind
    /// Height of the tree under this node, capped by the parser so that every later
    /// recursive walk is bounded.
    let depth: Int

    indirect enum Kind: Sendable {
        case literal(CELValue)
        case ident(String)
        /// `operand.field`; `test` for `has(operand.field)`.
        case select(operand: Expr, field: String, test: Bool)
        /// A global call (`target == nil`) or a receiver call `target.function(args)`.
        /// Operators are calls too, named as in CEL: `_+_`, `_&&_`, `!_`, `_[_]`, `@in`.
        case call(target: Expr?, function: String, args: [Expr])
        case list([Expr])
        case map([MapEntry])
        case comprehension(Comprehension)
    }

    struct MapEntry: Sendable {
        let key: Expr
        let value: Expr
    }
}

/// What a macro expands to. Each kind has its own evaluation loop (rather than CEL's
/// general accumulator form) so the evaluator runs tight loops without an accumulator
/// variable.
enum MacroKind: String, Sendable {
    case all, exists, existsOne, map, filter, transformList, transformMap
}

struct Comprehension: Sendable {
    let kind: MacroKind
    let range: Expr
    /// The element (lists) or key (maps) variable; with two variables, the index or key.
    let first: String
    /// The value variable of a two-variable macro.
    let second: String?
    /// The optional filter of `map(x, p, f)` and `transformList/transformMap(i, v, p, f)`.
    let filter: Expr?
    let body: Expr
}

/// Tokens of the expression language.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case ident(String)
        /// A backquoted field name: `` `foo.txt` ``.
        case quotedIdent(String)
        case int(String, radix: Int)
        case uint(String, radix: Int)
        case double(String)
        case string(String)
        case bytes([UInt8])
        case punct(String)
        case end
    }
    let kind: Kind
    let offset: Int
    let length: Int
}

/// A parse or lexical error before it becomes a ``CELIssue``.
struct SyntaxError: Error {
    var message: String
    var offset: Int
    var length: Int
    var help: String?
}

/// Limits that keep every stage bounded on hostile input.
public enum CELLimits {
    /// Longest expression text accepted, in UTF-8 bytes.
    public static let maximumTextLength = 100_000
    /// Deepest nesting of the syntax tree (parentheses, calls, operator chains). The parser
    /// refuses deeper input before its own recursion could exhaust the stack.
    public static let maximumDepth = 200
    /// Most comprehension iterations one evaluation may perform (all macros together).
    public static let maximumIterations = 1_000_000
    /// Most elements a list or map value built during evaluation may hold.
    public static let maximumCollectionSize = 1_000_000
    /// Longest string or bytes value built during evaluation.
    public static let maximumStringLength = 10_000_000
}

struct Lexer {
    let bytes: [UInt8]
    var index = 0

    init(_ text: String) { bytes = Array(text.utf8) }

    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let",
        "loop", "package", "namespace", "return", "var", "void", "while",
    ]

    mutating func tokenize() throws(SyntaxError) -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = try next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    private func peek(_ k: Int = 0) -> UInt8 { index + k < bytes.count ? bytes[index + k] : 0 }

    private static func isIdentStart(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) }

    private mutating func skipTrivia() {
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C {
                index += 1
            } else if c == 0x2F, peek(1) == 0x2F {  // line comment
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func next() throws(SyntaxError) -> Token {
        skipTrivia()
        let start = index
        guard index < bytes.count else { return Token(kind: .end, offset: start, length: 0) }
        let c = bytes[index]
        // String and bytes literals with optional r/b prefixes.
        if c == 0x22 || c == 0x27 { return try stringLiteral(start: start, raw: false, isBytes: false) }
        if c == 0x72 || c == 0x52 || c == 0x62 || c == 0x42 {
            var raw = false
            var isBytes = false
            var k = 0
            while k < 2 {
                let p = peek(k)
                if (p == 0x72 || p == 0x52), !raw { raw = true; k += 1 } else if (p == 0x62 || p == 0x42), !isBytes { isBytes = true; k += 1 } else { break }
            }
            if k > 0, peek(k) == 0x22 || peek(k) == 0x27 {
                index += k
                return try stringLiteral(start: start, raw: raw, isBytes: isBytes)
            }
        }
        if Self.isIdentStart(c) {
            while index < bytes.count, Self.isIdentStart(bytes[index]) || Self.isDigit(bytes[index]) { index += 1 }
            return Token(kind: .ident(String(decoding: bytes[start..<index], as: UTF8.self)), offset: start, length: index - start)
        }
        if Self.isDigit(c) || (c == 0x2E && Self.isDigit(peek(1))) { return try number(start: start) }
        if c == 0x60 {  // `quoted field`
            index += 1
            let s = index
            while index < bytes.count, bytes[index] != 0x60, bytes[index] != 0x0A { index += 1 }
            guard index < bytes.count, bytes[index] == 0x60, index > s else {
                throw SyntaxError(message: "unterminated quoted identifier", offset: start, length: index - start)
            }
            index += 1
            return Token(kind: .quotedIdent(String(decoding: bytes[s..<(index - 1)], as: UTF8.self)), offset: start, length: index - start)
        }
        let two = index + 1 < bytes.count ? String(decoding: bytes[index...(index + 1)], as: UTF8.self) : ""
        if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
            index += 2
            return Token(kind: .punct(two), offset: start, length: 2)
        }
        if "+-*/%!<>?:.,()[]{}".utf8.contains(c) {
            index += 1
            return Token(kind: .punct(String(UnicodeScalar(c))), offset: start, length: 1)
        }
        if c == 0x3D || c == 0x26 || c == 0x7C {
            throw SyntaxError(message: "unexpected character '\(UnicodeScalar(c))'", offset: start, length: 1,
                              help: c == 0x3D ? "use `==` to compare" : (c == 0x26 ? "use `&&` for logical and" : "use `||` for logical or"))
        }
        // Report the whole (possibly multi-byte) character.
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let shown = String(decoding: bytes[index..<end], as: UTF8.self)
        throw SyntaxError(message: "unexpected character '\(shown)'", offset: start, length: end - start)
    }

    private mutating func number(start: Int) throws(SyntaxError) -> Token {
        if bytes[index] == 0x30, peek(1) == 0x78 || peek(1) == 0x58 {
            index += 2
            let s = index
            while index < bytes.count, Self.isHex(bytes[index]) { index += 1 }
            guard index > s else { throw SyntaxError(message: "invalid hexadecimal literal", offset: start, length: index - start) }
            let digits = String(decoding: bytes[s..<index], as: UTF8.self)
            if peek() == 0x75 || peek() == 0x55 {
                index += 1
                return Token(kind: .uint(digits, radix: 16), offset: start, length: index - start)
            }
            return try checkEnd(Token(kind: .int(digits, radix: 16), offset: start, length: index - start))
        }
        var isDouble = false
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        if peek() == 0x2E, Self.isDigit(peek(1)) {
            isDouble = true
            index += 1
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if peek() == 0x65 || peek() == 0x45 {
            var k = 1
            if peek(k) == 0x2B || peek(k) == 0x2D { k += 1 }
            if Self.isDigit(peek(k)) {
                isDouble = true
                index += k
                while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isDouble { return try checkEnd(Token(kind: .double(text), offset: start, length: index - start)) }
        if peek() == 0x75 || peek() == 0x55 {
            index += 1
            return try checkEnd(Token(kind: .uint(text, radix: 10), offset: start, length: index - start))
        }
        return try checkEnd(Token(kind: .int(text, radix: 10), offset: start, length: index - start))
    }

    /// `12abc` is one bad token, not `12` followed by `abc`.
    private func checkEnd(_ t: Token) throws(SyntaxError) -> Token {
        if index < bytes.count, Self.isIdentStart(bytes[index]) {
            throw SyntaxError(message: "invalid number literal", offset: t.offset, length: index - t.offset + 1)
        }
        return t
    }

    private mutating func stringLiteral(start: Int, raw: Bool, isBytes: Bool) throws(SyntaxError) -> Token {
        let quote = bytes[index]
        let triple = peek(1) == quote && peek(2) == quote
        index += triple ? 3 : 1
        var out: [UInt8] = []
        func unterminated() -> SyntaxError {
            SyntaxError(message: "unterminated string literal", offset: start, length: 1,
                        help: triple ? nil : "a quoted string must end on the line it starts; use ''' or \"\"\" for text with line breaks")
        }
        while true {
            guard index < bytes.count else { throw unterminated() }
            let c = bytes[index]
            if c == quote {
                if !triple { index += 1; break }
                if peek(1) == quote, peek(2) == quote { index += 3; break }
            }
            if !triple, c == 0x0A || c == 0x0D { throw unterminated() }
            if c != 0x5C || raw {
                out.append(c)
                index += 1
                continue
            }
            try escape(into: &out, isBytes: isBytes)
        }
        let length = index - start
        if isBytes { return Token(kind: .bytes(out), offset: start, length: length) }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw SyntaxError(message: "invalid UTF-8 in string literal", offset: start, length: length)
        }
        return Token(kind: .string(s), offset: start, length: length)
    }

    private mutating func escape(into out: inout [UInt8], isBytes: Bool) throws(SyntaxError) {
        let escStart = index
        index += 1
        guard index < bytes.count else { throw SyntaxError(message: "unterminated escape sequence", offset: escStart, length: 1) }
        let e = bytes[index]
        index += 1
        func bad(_ what: String = "invalid escape sequence") -> SyntaxError {
            SyntaxError(message: what, offset: escStart, length: index - escStart)
        }
        func appendScalar(_ v: UInt32) throws(SyntaxError) {
            guard let scalar = Unicode.Scalar(v) else { throw bad("invalid Unicode code point in escape") }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        func hex(_ n: Int) throws(SyntaxError) -> UInt32 {
            var v: UInt32 = 0
            for _ in 0..<n {
                guard index < bytes.count, Self.isHex(bytes[index]) else { throw bad() }
                let b = bytes[index]
                v = v * 16 + UInt32(Self.isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10)
                index += 1
            }
            return v
        }
        switch e {
        case 0x61: out.append(0x07)
        case 0x62: out.append(0x08)
        case 0x66: out.append(0x0C)
        case 0x6E: out.append(0x0A)
        case 0x72: out.append(0x0D)
        case 0x74: out.append(0x09)
        case 0x76: out.append(0x0B)
        case 0x5C, 0x27, 0x22, 0x60, 0x3F: out.append(e)
        case 0x78, 0x58:
            let v = try hex(2)
            if isBytes { out.append(UInt8(v)) } else { try appendScalar(v) }
        case 0x75:
            let v = try hex(4)
            if isBytes { throw bad("\\u escapes are not allowed in bytes literals") }
            try appendScalar(v)
        case 0x55:
            let v = try hex(8)
            if isBytes { throw bad("\\U escapes are not allowed in bytes literals") }
            try appendScalar(v)
        case 0x30...0x33:
            var v = UInt32(e - 0x30)
            for _ in 0..<2 {
                guard index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x37 else { throw bad() }
                v = v * 8 + UInt32(bytes[index] - 0x30)
                index += 1
            }
            if isBytes { out.append(UInt8(v)) } else { try appendScalar(v) }
        default: throw bad()
        }
    }
}
