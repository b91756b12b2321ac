/// A compiled regular expression for `matches`: the RE2 syntax rules use, run by a Thompson
/// NFA simulation, so matching takes time proportional to the text's length times the pattern's
/// size, whatever the pattern. A backtracking engine (the standard library's `Regex`) can take
/// exponential time on `(a+)+$` or `(a|a)*b` over a fact value of a few dozen characters, and the
/// evaluator's iteration limit does not reach inside a regex match.
///
/// Limits, each an error naming the limit (`Grammar/reference/expressions.md`):
/// - a pattern of at most ``maximumPatternLength`` characters;
/// - repetition counts (`{n}`, `{n,m}`) of at most ``maximumRepetition``;
/// - at most ``maximumProgramSize`` instructions once counted repetitions are expanded.
///
/// Supported: literals, `.`, classes (`[a-z]`, `[^0-9]`, with `\d \w \s` inside), `\d \D \w \W
/// \s \S`, escaped metacharacters, `\t \n \r \f \v`, anchors `^ $ \A \z`, word boundaries
/// `\b \B`, groups `( )`, `(?: )`, `(?P<name> )`, `(?<name> )`, alternation, `* + ? {n} {n,}
/// {n,m}` and their lazy forms (the same for a yes/no match), and a leading `(?i)` for a
/// case-insensitive match. Like RE2, backreferences and look-around are errors.
struct CELRegex: Sendable {
    static let maximumPatternLength = 256
    static let maximumRepetition = 100
    static let maximumProgramSize = 5_000

    fileprivate enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case set(CharacterSet)
        case any  // every character but `\n`
        case split(Int, Int)
        case jump(Int)
        case assert(Assertion)
        case match
    }

    fileprivate enum Assertion: Sendable { case textStart, textEnd, wordBoundary, notWordBoundary }

    fileprivate struct CharacterSet: Sendable {
        var ranges: [ClosedRange<UInt32>] = []
        var negated = false

        func contains(_ c: Unicode.Scalar, ignoringCase: Bool) -> Bool {
            func hit(_ v: UInt32) -> Bool { ranges.contains { $0.contains(v) } }
            var found = hit(c.value)
            if !found, ignoringCase {
                found = hit(CELRegex.fold(c).value) || hit(CELRegex.upper(c).value)
            }
            return found != negated
        }
    }

    private let program: [Instruction]
    private let ignoringCase: Bool

    static func compile(_ pattern: String) throws(EvalFailure) -> CELRegex {
        var scalars = Array(pattern.unicodeScalars)
        guard scalars.count <= maximumPatternLength else {
            throw EvalFailure("regular expression is \(scalars.count) characters long; `matches` patterns are limited to \(maximumPatternLength)")
        }
        var ignoringCase = false
        if scalars.starts(with: Array("(?i)".unicodeScalars)) {
            ignoringCase = true
            scalars.removeFirst(4)
        }
        var parser = PatternParser(scalars: scalars, pattern: pattern)
        let node = try parser.parseAll()
        var emitter = Emitter(pattern: pattern)
        try emitter.emit(node)
        emitter.program.append(.match)
        guard emitter.program.count <= maximumProgramSize else {
            throw EvalFailure("regular expression '\(pattern)' is too complex once its repetitions are expanded (over \(maximumProgramSize) steps); use smaller counts")
        }
        return CELRegex(program: emitter.program, ignoringCase: ignoringCase)
    }

    private init(program: [Instruction], ignoringCase: Bool) {
        self.program = program
        self.ignoringCase = ignoringCase
    }

    /// Whether any substring matches (RE2 `PartialMatch`, as CEL's `matches` specifies).
    func matches(_ text: String) -> Bool {
        let input = Array(text.unicodeScalars)
        var current = ThreadList(capacity: program.count)
        var next = ThreadList(capacity: program.count)
        for position in 0...input.count {
            // A new attempt starts at every position (an unanchored search).
            if add(0, at: position, in: input, to: &current) { return true }
            guard position < input.count else { break }
            let c = input[position]
            next.clear()
            for pc in current.items {
                let advances: Bool
                switch program[pc] {
                case .scalar(let s): advances = s == c || (ignoringCase && Self.fold(s) == Self.fold(c))
                case .set(let set): advances = set.contains(c, ignoringCase: ignoringCase)
                case .any: advances = c != "\n"
                default: advances = false
                }
                if advances, add(pc + 1, at: position + 1, in: input, to: &next) { return true }
            }
            swap(&current, &next)
        }
        return false
    }

    /// Adds `pc` and everything reachable from it without reading a character; true on a match.
    private func add(_ start: Int, at position: Int, in input: [Unicode.Scalar], to list: inout ThreadList) -> Bool {
        var stack = [start]
        while let pc = stack.popLast() {
            guard list.insert(pc) else { continue }
            switch program[pc] {
            case .match: return true
            case .jump(let target): stack.append(target)
            case .split(let a, let b): stack.append(b); stack.append(a)
            case .assert(let assertion):
                if holds(assertion, at: position, in: input) { stack.append(pc + 1) }
            case .scalar, .set, .any: list.items.append(pc)
            }
        }
        return false
    }

    private func holds(_ assertion: Assertion, at position: Int, in input: [Unicode.Scalar]) -> Bool {
        switch assertion {
        case .textStart: return position == 0
        case .textEnd: return position == input.count
        case .wordBoundary, .notWordBoundary:
            let before = position > 0 && Self.isWord(input[position - 1])
            let after = position < input.count && Self.isWord(input[position])
            return (before != after) == (assertion == .wordBoundary)
        }
    }

    static func isWord(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
    }

    /// Simple case folding: the one-scalar lowercase mapping, when there is one.
    static func fold(_ c: Unicode.Scalar) -> Unicode.Scalar {
        let lower = c.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first ?? c : c
    }

    static func upper(_ c: Unicode.Scalar) -> Unicode.Scalar {
        let upper = c.properties.uppercaseMapping.unicodeScalars
        return upper.count == 1 ? upper.first ?? c : c
    }

    /// The threads of one step: program counters in the order added, each at most once.
    private struct ThreadList {
        var items: [Int] = []
        var seen: [Int]
        var generation = 1

        init(capacity: Int) { seen = [Int](repeating: 0, count: capacity) }

        mutating func clear() {
            items.removeAll(keepingCapacity: true)
            generation += 1
        }

        mutating func insert(_ pc: Int) -> Bool {
            if seen[pc] == generation { return false }
            seen[pc] = generation
            return true
        }
    }

    // MARK: Parsing

    fileprivate indirect enum Node: Sendable {
        case empty
        case scalar(Unicode.Scalar)
        case set(CharacterSet)
        case any
        case assert(Assertion)
        case concatenation([Node])
        case alternation([Node])
        case repetition(Node, min: Int, max: Int?)
    }

    private struct PatternParser {
        let scalars: [Unicode.Scalar]
        let pattern: String
        var index = 0

        init(scalars: [Unicode.Scalar], pattern: String) {
            self.scalars = scalars
            self.pattern = pattern
        }

        func failure(_ what: String) -> EvalFailure {
            EvalFailure("invalid regular expression '\(pattern)': \(what)")
        }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        mutating func parseAll() throws(EvalFailure) -> Node {
            let node = try alternation(depth: 0)
            if index < scalars.count { throw failure("unmatched `)`") }
            return node
        }

        mutating func alternation(depth: Int) throws(EvalFailure) -> Node {
            guard depth < 50 else { throw failure("groups nested too deeply") }
            var branches = [try concatenation(depth: depth)]
            while peek == "|" {
                index += 1
                branches.append(try concatenation(depth: depth))
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func concatenation(depth: Int) throws(EvalFailure) -> Node {
            var items: [Node] = []
            while let c = peek, c != "|", c != ")" {
                var atom = try self.atom(depth: depth)
                var repeated = false
                while let q = peek, q == "*" || q == "+" || q == "?" || (q == "{" && countFollows()) {
                    if case .assert = atom { throw failure("nothing to repeat before `\(q)`") }
                    if repeated { throw failure("a repetition cannot be repeated again directly (`a**`); use a group") }
                    repeated = true
                    let (min, max) = try quantifier()
                    if peek == "?" { index += 1 }  // lazy: the same answer for a yes/no match
                    if peek == "+" { throw failure("possessive repetition is not supported") }
                    atom = .repetition(atom, min: min, max: max)
                }
                items.append(atom)
            }
            if items.isEmpty { return .empty }
            return items.count == 1 ? items[0] : .concatenation(items)
        }

        /// Whether a `{` at the cursor starts a count (`{2}`, `{2,}`, `{2,5}`); otherwise it is literal, as in RE2.
        func countFollows() -> Bool {
            var i = index + 1
            var digits = 0
            while i < scalars.count, scalars[i].properties.numericType == .decimal, scalars[i].isASCII { i += 1; digits += 1 }
            guard digits > 0, i < scalars.count else { return false }
            if scalars[i] == "}" { return true }
            guard scalars[i] == "," else { return false }
            i += 1
            while i < scalars.count, scalars[i].isASCII, scalars[i].properties.numericType == .decimal { i += 1 }
            return i < scalars.count && scalars[i] == "}"
        }

        mutating func quantifier() throws(EvalFailure) -> (Int, Int?) {
            let c = scalars[index]
            index += 1
            switch c {
            case "*": return (0, nil)
            case "+": return (1, nil)
            case "?": return (0, 1)
            default:
                let min = number()
                var max: Int? = min
                if peek == "," {
                    index += 1
                    max = peek == "}" ? nil : number()
                }
                index += 1  // `}`
                let limit = CELRegex.maximumRepetition
                guard min <= limit, (max ?? 0) <= limit else {
                    throw failure("repetition counts are limited to \(limit)")
                }
                if let max, max < min { throw failure("repetition count {\(min),\(max)} has its maximum below its minimum") }
                return (min, max)
            }
        }

        mutating func number() -> Int {
            var value = 0
            while let c = peek, c.isASCII, let digit = Int(String(c)) {
                value = Swift.min(value * 10 + digit, 1_000_000)
                index += 1
            }
            return value
        }

        mutating func atom(depth: Int) throws(EvalFailure) -> Node {
            let c = scalars[index]
            index += 1
            switch c {
            case ".": return .any
            case "^": return .assert(.textStart)
            case "$": return .assert(.textEnd)
            case "*", "+", "?": throw failure("nothing to repeat before `\(c)`")
            case "[": return .set(try characterClass())
            case "\\": return try escape(inClass: false)
            case "(":
                if peek == "?" {
                    index += 1
                    if peek == ":" {
                        index += 1
                    } else if peek == "P" || peek == "<" {
                        if peek == "P" { index += 1 }
                        guard peek == "<" else { throw failure("unknown group form `(?P`") }
                        index += 1
                        if peek == "=" || peek == "!" { throw failure("look-behind (`(?<=`, `(?<!`) is not supported") }
                        while let n = peek, n != ">" { index += 1 }
                        guard peek == ">" else { throw failure("unterminated group name") }
                        index += 1
                    } else if peek == "=" || peek == "!" {
                        throw failure("look-ahead (`(?=`, `(?!`) is not supported")
                    } else {
                        throw failure("group flags are supported only as a leading `(?i)`")
                    }
                }
                let inner = try alternation(depth: depth + 1)
                guard peek == ")" else { throw failure("missing `)`") }
                index += 1
                return inner
            default: return .scalar(c)
            }
        }

        mutating func escape(inClass: Bool) throws(EvalFailure) -> Node {
            guard let c = peek else { throw failure("trailing `\\`") }
            index += 1
            let digit: ClosedRange<UInt32> = 0x30...0x39
            let word: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
            let space: [ClosedRange<UInt32>] = [0x09...0x0A, 0x0C...0x0D, 0x20...0x20]
            switch c {
            case "d": return .set(CharacterSet(ranges: [digit]))
            case "D": return .set(CharacterSet(ranges: [digit], negated: true))
            case "w": return .set(CharacterSet(ranges: word))
            case "W": return .set(CharacterSet(ranges: word, negated: true))
            case "s": return .set(CharacterSet(ranges: space))
            case "S": return .set(CharacterSet(ranges: space, negated: true))
            case "t": return .scalar("\t")
            case "n": return .scalar("\n")
            case "r": return .scalar("\r")
            case "f": return .scalar("\u{0C}")
            case "v": return .scalar("\u{0B}")
            case "b" where !inClass: return .assert(.wordBoundary)
            case "B" where !inClass: return .assert(.notWordBoundary)
            case "A" where !inClass: return .assert(.textStart)
            case "z" where !inClass: return .assert(.textEnd)
            case "1"..."9": throw failure("backreferences (`\\\(c)`) are not supported")
            default:
                if c.isASCII, c.properties.isAlphabetic || c.properties.numericType != nil {
                    throw failure("unknown escape `\\\(c)`")
                }
                return .scalar(c)  // an escaped punctuation character stands for itself
            }
        }

        mutating func characterClass() throws(EvalFailure) -> CharacterSet {
            var set = CharacterSet()
            if peek == "^" {
                set.negated = true
                index += 1
            }
            var first = true
            while true {
                guard let c = peek else { throw failure("missing `]`") }
                if c == "]", !first { index += 1; return set }
                first = false
                index += 1
                var low: Unicode.Scalar
                if c == "\\" {
                    switch try escape(inClass: true) {
                    case .scalar(let s): low = s
                    case .set(let inner) where !inner.negated:
                        set.ranges += inner.ranges
                        continue
                    default: throw failure("`\\D`, `\\W` and `\\S` are not supported inside `[...]`")
                    }
                } else if c == "[", peek == ":" {
                    throw failure("POSIX classes (`[:alpha:]`) are not supported; write the ranges, e.g. `[a-zA-Z]`")
                } else {
                    low = c
                }
                if peek == "-", index + 1 < scalars.count, scalars[index + 1] != "]" {
                    index += 1
                    var high = scalars[index]
                    index += 1
                    if high == "\\" {
                        guard case .scalar(let s) = try escape(inClass: true) else { throw failure("a range must end in a character") }
                        high = s
                    }
                    guard low.value <= high.value else { throw failure("range `\(low)-\(high)` is out of order") }
                    set.ranges.append(low.value...high.value)
                } else {
                    set.ranges.append(low.value...low.value)
                }
            }
        }
    }

    // MARK: Emitting

    private struct Emitter {
        let pattern: String
        var program: [Instruction] = []

        mutating func check() throws(EvalFailure) {
            if program.count > CELRegex.maximumProgramSize {
                throw EvalFailure("regular expression '\(pattern)' is too complex once its repetitions are expanded (over \(CELRegex.maximumProgramSize) steps); use smaller counts")
            }
        }

        mutating func emit(_ node: Node) throws(EvalFailure) {
            try check()
            switch node {
            case .empty: break
            case .scalar(let c): program.append(.scalar(c))
            case .set(let s): program.append(.set(s))
            case .any: program.append(.any)
            case .assert(let a): program.append(.assert(a))
            case .concatenation(let items):
                for item in items { try emit(item) }
            case .alternation(let branches):
                var jumps: [Int] = []
                for (i, branch) in branches.enumerated() {
                    if i < branches.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        try emit(branch)
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        try emit(branch)
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case .repetition(let inner, let min, let max):
                for _ in 0..<min { try emit(inner) }
                if let max {
                    // Each optional copy: split(take, skip to the end).
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        try emit(inner)
                    }
                    for s in splits { program[s] = .split(s + 1, program.count) }
                } else {
                    let loop = program.count
                    program.append(.split(loop + 1, -1))
                    try emit(inner)
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
        }
    }
}
