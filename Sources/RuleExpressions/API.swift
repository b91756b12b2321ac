import RuleBase

/// The declared variables an expression may use, in a fixed order; each gets a slot.
public struct CELEnvironment: Sendable {
    /// Declared variables in slot order. Names may be dotted (`a.b`); the longest declared
    /// prefix of a selection chain wins.
    public let variables: [Variable]
    private let slots: [String: Int]
    /// The columns of each row type (``CELType/row(_:)``) by table, with their types.
    public let rowTypes: [String: [String: CELType]]

    /// A declared variable.
    public struct Variable: Sendable, Hashable {
        /// The name, possibly dotted.
        public let name: String
        /// Its declared type.
        public let type: CELType
    }

    /// Declares variables (a repeated name keeps its first declaration) and row types.
    public init(variables: [(name: String, type: CELType)], rowTypes: [String: [String: CELType]] = [:]) {
        self.rowTypes = rowTypes
        var list: [Variable] = []
        var slots: [String: Int] = [:]
        for (name, type) in variables where slots[name] == nil {
            slots[name] = list.count
            list.append(Variable(name: name, type: type))
        }
        self.variables = list
        self.slots = slots
    }

    /// Row types given as type text per column (a column whose type does not parse is left out).
    public static func rowTypes(parsing rows: [(table: String, columns: [(name: String, type: String)])]) -> [String: [String: CELType]] {
        var types: [String: [String: CELType]] = [:]
        for row in rows {
            var columns: [String: CELType] = [:]
            for column in row.columns { if let type = CELType(parsing: column.type) { columns[column.name] = type } }
            types[row.table] = columns
        }
        return types
    }

    /// The slot of a declared variable.
    public func slot(of name: String) -> Int? { slots[name] }
}

/// Values for an environment's variables, by slot.
public struct CELActivation: Sendable {
    /// One entry per declared variable; nil when unbound (reading it is an evaluation error).
    public var values: [CELValue?]

    /// Binds values by name; names the environment does not declare are ignored.
    public init(environment: CELEnvironment, values: [String: CELValue]) {
        var slots = [CELValue?](repeating: nil, count: environment.variables.count)
        for (i, v) in environment.variables.enumerated() { slots[i] = values[v.name] }
        self.values = slots
    }

    /// Binds values by slot, in the environment's declaration order (the fast path).
    public init(slots: [CELValue?]) { self.values = slots }
}

/// A problem with an expression: where it is and which stage found it.
public struct CELIssue: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stage that found the problem.
    public enum Stage: String, Sendable, Hashable {
        case parse, check, eval
    }

    public var stage: Stage
    /// One sentence saying what is wrong.
    public var message: String
    /// A suggestion, such as "did you mean `completion_date`?".
    public var help: String?
    /// UTF-8 offset into the expression text, 0-based.
    public var offset: Int
    /// UTF-8 length of the offending text (0 for a point).
    public var length: Int
    /// For an undeclared reference: the name as written, the whole dotted chain
    /// (`params.totl_hours`, `credential.stat`), starting at ``offset``.
    public var reference: String?

    /// Creates an issue.
    public init(stage: Stage, message: String, help: String? = nil, offset: Int, length: Int) {
        self.stage = stage
        self.message = message
        self.help = help
        self.offset = offset
        self.length = length
    }

    /// `message; help` without a position.
    public var description: String { help.map { "\(message); \($0)" } ?? message }

    /// `line:column: message; help`, with the position computed in `text`.
    public func formatted(in text: String) -> String {
        let location = SourceFile(path: "", text: text).location(ofUTF8Offset: offset)
        return "\(location.line):\(location.column): \(description)"
    }

    /// The 1-based line and column of the issue in `text`.
    public func location(in text: String) -> SourceLocation {
        SourceFile(path: "", text: text).location(ofUTF8Offset: offset)
    }
}

/// The issues that stopped an expression from compiling, in text order. A collection (so
/// `issues.first`, `issues.count`, `for issue in issues` work) that is also an `Error`,
/// because `Result` needs one and `[CELIssue]` is not.
public struct CELIssues: Error, Sendable, Hashable, RandomAccessCollection {
    /// The issues, sorted by offset.
    public var issues: [CELIssue]

    /// Wraps issues.
    public init(_ issues: [CELIssue]) { self.issues = issues }

    public var startIndex: Int { issues.startIndex }
    public var endIndex: Int { issues.endIndex }
    public subscript(position: Int) -> CELIssue { issues[position] }
}

/// A parsed, checked and planned expression, ready to evaluate many times.
public struct CompiledExpression: Sendable {
    /// The source text.
    public let text: String
    /// The static type of the result (`dyn` when unchecked or not known statically).
    public let resultType: CELType
    /// The environment it was compiled against.
    public let environment: CELEnvironment
    /// The declared variables the checker resolved in it, sorted: what the expression reads
    /// (a name inside a string literal is not one).
    public let variables: [String]
    /// The row columns it selects, as `table.column`, sorted.
    public let columns: [String]
    private let root: Eval
    private let slotCount: Int

    /// Parses, type-checks (unless `check` is false) and plans `text`. Returns every check
    /// issue found, or the first parse issue.
    public static func compile(_ text: String, in env: CELEnvironment, check: Bool = true) -> Result<CompiledExpression, CELIssues> {
        let ast: Expr
        do {
            ast = try Parser.parse(text)
        } catch {
            return .failure(CELIssues([CELIssue(stage: .parse, message: error.message, help: error.help, offset: error.offset, length: error.length)]))
        }
        var compiler = Compiler(env: env, check: check)
        let compiled = compiler.compile(ast, [:])
        if !compiler.issues.isEmpty {
            let sorted = compiler.issues.sorted { ($0.offset, $0.message) < ($1.offset, $1.message) }
            return .failure(CELIssues(sorted))
        }
        return .success(CompiledExpression(text: text, resultType: check ? compiled.type : .dyn, environment: env,
                                           variables: compiler.readVariables.sorted(), columns: compiler.readColumns.sorted(), root: compiled.eval, slotCount: compiler.slotCount))
    }

    /// The declared variables `text` reads and the dotted names it reads that are not declared,
    /// as the checker resolves them, whether or not the expression checks; nil when it does
    /// not parse. (For usage warnings over expressions that have other errors.)
    public static func references(in text: String, environment env: CELEnvironment) -> (variables: [String], undeclared: [String])? {
        guard let ast = try? Parser.parse(text) else { return nil }
        var compiler = Compiler(env: env, check: true)
        _ = compiler.compile(ast, [:])
        return (compiler.readVariables.sorted(), compiler.issues.compactMap(\.reference).sorted())
    }

    /// Evaluates with the given variable values. Never traps: every failure, including
    /// exceeding the work limit, is an `eval` issue.
    public func evaluate(_ activation: CELActivation) -> Result<CELValue, CELIssue> {
        var slots = activation.values
        if slots.count != slotCount {
            if slots.count > environment.variables.count { slots.removeLast(slots.count - environment.variables.count) }
            slots.append(contentsOf: repeatElement(nil, count: slotCount - slots.count))
        }
        var frame = Frame(slots: slots, withViews: slotCount > environment.variables.count)
        do {
            return .success(try root(&frame))
        } catch {
            return .failure(CELIssue(stage: .eval, message: error.message, offset: max(error.offset, 0), length: error.length))
        }
    }

    /// Evaluates with values bound by name.
    public func evaluate(_ values: [String: CELValue]) -> Result<CELValue, CELIssue> {
        evaluate(CELActivation(environment: environment, values: values))
    }
}

/// `credrules expr --batch`: one JSON Lines input line in, exactly one JSON line out.
public enum ExpressionBatch {
    /// Input: `{"expr": "...", "bindings": {"name": <typed value>}, "type_env": {"name": "<type>"},
    /// "disable_check": false}` (all but `expr` optional; without `type_env`, bound names are
    /// declared `dyn`). Output: `{"value": <typed value>}` or
    /// `{"error": "<line:column: message>", "stage": "parse"|"check"|"eval"|"input"}`.
    public static func run(line: String) -> String {
        func failure(_ message: String, _ stage: String) -> String {
            JSONValue.object([("error", .string(message)), ("stage", .string(stage))]).compactText
        }
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch { return failure("invalid JSON: \(error.description)", "input") }
        guard json.objectMembers != nil else { return failure("input line must be a JSON object", "input") }
        guard let expr = json["expr"]?.stringValue else { return failure("missing string member \"expr\"", "input") }
        var disableCheck = false
        if let d = json["disable_check"] {
            guard case .bool(let b) = d else { return failure("\"disable_check\" must be true or false", "input") }
            disableCheck = b
        }
        var declarations: [(name: String, type: CELType)] = []
        if let typeEnv = json["type_env"] {
            guard let members = typeEnv.objectMembers else { return failure("\"type_env\" must be an object", "input") }
            for (name, t) in members {
                guard let text = t.stringValue, let type = CELType(parsing: text) else {
                    return failure("invalid type for \"\(name)\" in type_env", "input")
                }
                declarations.append((name, type))
            }
        }
        var values: [String: CELValue] = [:]
        if let bindings = json["bindings"] {
            guard let members = bindings.objectMembers else { return failure("\"bindings\" must be an object", "input") }
            for (name, v) in members {
                do { values[name] = try CELValue(typedJSON: v) } catch { return failure("binding \"\(name)\": \(error.message)", "input") }
                if !declarations.contains(where: { $0.name == name }) { declarations.append((name, .dyn)) }
            }
        }
        let env = CELEnvironment(variables: declarations)
        switch CompiledExpression.compile(expr, in: env, check: !disableCheck) {
        case .failure(let issues):
            let first = issues.first ?? CELIssue(stage: .check, message: "compilation failed", offset: 0, length: 0)
            return failure(first.formatted(in: expr), first.stage.rawValue)
        case .success(let program):
            switch program.evaluate(CELActivation(environment: env, values: values)) {
            case .success(let v): return JSONValue.object([("value", v.typedJSON)]).compactText
            case .failure(let issue): return failure(issue.formatted(in: expr), "eval")
            }
        }
    }
}
