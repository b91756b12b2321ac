import ArgumentParser
import Foundation
import RuleBase
import RuleExpressions

/// `credrules expr`: evaluate CEL expressions, one for a person or JSON Lines for tools.
struct ExprCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expr",
        abstract: "Evaluate expressions of the rule language.",
        discussion: """
            With an expression: type-check and evaluate it, print the value. --bindings gives variables as JSON, either
            plain JSON ({"hours": 2}) or typed values ({"hours": {"int": "2"}}) as in the conformance encoding.
            With --batch: read JSON Lines on standard input, {"expr": ..., "bindings": ..., "type_env": ..., "disable_check": ...},
            and write exactly one JSON line per input line: {"value": <typed value>} or {"error": ..., "stage": ...}.
            """)

    @Argument(help: "The expression (omit with --batch).")
    var expression: String?

    @Option(help: "Variables as a JSON object.")
    var bindings: String?

    @Flag(help: "Read JSON Lines requests on standard input.")
    var batch = false

    func run() throws {
        if batch {
            guard expression == nil else { throw ValidationError("--batch reads expressions from standard input; give no expression") }
            while let line = readLine(strippingNewline: true) {
                print(ExpressionBatch.run(line: line))
            }
            return
        }
        guard let expression else { throw ValidationError("give an expression, or --batch") }
        var request: [(String, JSONValue)] = [("expr", .string(expression))]
        if let bindings {
            let parsed: JSONValue
            do {
                parsed = try JSONParser.parse(bindings)
            } catch {
                throw ValidationError("--bindings is not JSON: \(error)")
            }
            guard let members = parsed.objectMembers else { throw ValidationError("--bindings must be a JSON object") }
            request.append(("bindings", .object(members.map { ($0.0, Self.typed($0.1)) })))
        }
        let answer = ExpressionBatch.run(line: JSONValue.object(request).compactText)
        guard let result = try? JSONParser.parse(answer) else { throw ExitCodes.failure }
        if let value = result["value"], let cel = try? CELValue(typedJSON: value) {
            print(Self.display(cel))
        } else {
            let stage = result["stage"]?.stringValue ?? "eval"
            FileIO.printError("\(stage) error: \(result["error"]?.stringValue ?? answer)")
            throw ExitCodes.failure
        }
    }

    /// Plain JSON becomes a typed value (strings that are dates stay strings: use `date(x)`);
    /// objects already in the typed encoding pass through.
    static func typed(_ value: JSONValue) -> JSONValue {
        if (try? CELValue(typedJSON: value)) != nil, case .object(let m) = value, m.count == 1 { return value }
        switch value {
        case .null: return .object([("null", .bool(true))])
        case .bool: return .object([("bool", value)])
        case .number(let t):
            if Int64(t) != nil { return .object([("int", .string(t))]) }
            return .object([("decimal", .string(JSONValue.canonicalNumber(t)))])
        case .string: return .object([("string", value)])
        case .array(let items): return .object([("list", .array(items.map(typed)))])
        case .object(let members):
            return .object([("map", .array(members.map { .array([.object([("string", .string($0.0))]), typed($0.1)]) }))])
        }
    }

    /// CEL-like display for people: strings quoted, decimals and dates by constructor.
    static func display(_ value: CELValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .uint(let u): "\(u)u"
        case .double(let d): String(d)
        case .string(let s): JSONValue.string(s).compactText
        case .date(let d): "date('\(d)')"
        case .decimal(let d): "decimal('\(d)')"
        case .list(let items): "[" + items.map(display).joined(separator: ", ") + "]"
        case .map(let map): "{" + map.entries.map { "\(display($0.key)): \(display($0.value))" }.joined(separator: ", ") + "}"
        default: value.typedJSON.compactText
        }
    }
}
