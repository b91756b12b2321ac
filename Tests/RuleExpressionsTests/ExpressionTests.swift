import RuleBase
import RuleExpressions
import Testing

private let eventEnv = CELEnvironment(variables: [
    ("completion_date", .date),
    ("credits", .decimal),
    ("events", .list(.map(.string, .dyn))),
    ("start", .date),
    ("end", .date),
])

private func eval(_ text: String, env: CELEnvironment = CELEnvironment(variables: []),
                  _ values: [String: CELValue] = [:], check: Bool = true) -> Result<CELValue, CELIssue> {
    switch CompiledExpression.compile(text, in: env, check: check) {
    case .failure(let issues): return .failure(issues.first ?? CELIssue(stage: .check, message: "?", offset: 0, length: 0))
    case .success(let p): return p.evaluate(CELActivation(environment: env, values: values))
    }
}

private func value(_ text: String, env: CELEnvironment = CELEnvironment(variables: []), _ values: [String: CELValue] = [:]) -> CELValue? {
    if case .success(let v) = eval(text, env: env, values) { return v }
    return nil
}

private func issue(_ text: String, env: CELEnvironment = CELEnvironment(variables: []), _ values: [String: CELValue] = [:]) -> CELIssue? {
    if case .failure(let i) = eval(text, env: env, values) { return i }
    return nil
}

private func date(_ s: String) -> CELValue { .date(CalendarDate(iso: s)!) }
private func dec(_ s: String) -> CELValue { .decimal(ExactDecimal(s)!) }

struct CheckerDiagnosticsTests {
    @Test func undeclaredVariableHasColumnAndHint() throws {
        let text = "completion_dat >= start"
        let i = try #require(issue(text, env: eventEnv))
        #expect(i.stage == .check)
        #expect(i.message == "undeclared reference to 'completion_dat'")
        #expect(i.help == "did you mean `completion_date`?")
        #expect(i.offset == 0)
        #expect(i.location(in: text).column == 1)
    }

    @Test func issuePositionIsUTF8OffsetOfTheName() throws {
        let text = "start <= complet_date"
        let i = try #require(issue(text, env: eventEnv))
        #expect(i.offset == 9)
        #expect(i.length == "complet_date".utf8.count)
        #expect(i.formatted(in: text) == "1:10: undeclared reference to 'complet_date'; did you mean `completion_date`?")
    }

    @Test func unknownFunctionSuggestsAName() throws {
        let i = try #require(issue("sise([1])"))
        #expect(i.message == "undeclared reference to function 'sise'")
        #expect(i.help == "did you mean `size`?")
    }

    @Test func typeMismatchIsACheckError() throws {
        let i = try #require(issue("1 + 'a'"))
        #expect(i.stage == .check)
        #expect(i.message == "found no matching overload for '+' applied to '(int, string)'")
        #expect(i.offset == 2)
        let j = try #require(issue("1 + 1.5"))
        #expect(j.help?.contains("double(x)") == true)
    }

    @Test func wrongArityIsACheckError() throws {
        let i = try #require(issue("'abc'.startsWith()"))
        #expect(i.message.contains("no matching overload for 'startsWith'"))
        #expect(i.help?.contains("1 argument") == true)
    }

    @Test func fieldSelectionOnNonMapIsRejected() throws {
        let i = try #require(issue("start.year", env: eventEnv))
        #expect(i.message == "type 'date' does not support field selection")
    }

    @Test func allIssuesAreReportedInTextOrder() throws {
        guard case .failure(let issues) = CompiledExpression.compile("a + b", in: CELEnvironment(variables: [])) else {
            Issue.record("expected failure")
            return
        }
        #expect(issues.map(\.offset) == [0, 4])
    }

    @Test func resultTypesAreDeduced() throws {
        let p = try CompiledExpression.compile("events.map(e, e.credits)", in: eventEnv).get()
        #expect(p.resultType == .list(.dyn))
        let q = try CompiledExpression.compile("[1, 2].map(x, x * 2)", in: eventEnv).get()
        #expect(q.resultType == .list(.int))
        let r = try CompiledExpression.compile("{'a': 1}", in: eventEnv).get()
        #expect(r.resultType.description == "map(string, int)")
    }
}

struct ParserTests {
    @Test func tenThousandParenthesesIsAnErrorNotACrash() throws {
        let text = String(repeating: "(", count: 10_000) + "1" + String(repeating: ")", count: 10_000)
        let i = try #require(issue(text))
        #expect(i.stage == .parse)
        #expect(i.message.contains("nested more than \(CELLimits.maximumDepth) levels"))
    }

    @Test func deepBracketsAndLongChainsAreBounded() throws {
        #expect(issue(String(repeating: "[", count: 5_000) + String(repeating: "]", count: 5_000))?.stage == .parse)
        #expect(issue(Array(repeating: "1", count: 5_000).joined(separator: " + "))?.stage == .parse)
        #expect(issue(String(repeating: "!", count: 5_000) + "true")?.stage == .parse)
        #expect(issue(String(repeating: "-", count: 5_000) + "1")?.stage == .parse)
        // Moderate nesting is fine.
        #expect(value(String(repeating: "(", count: 100) + "7" + String(repeating: ")", count: 100)) == .int(7))
    }

    @Test func syntaxErrorsPointAtTheToken() throws {
        let i = try #require(issue("1 + "))
        #expect(i.stage == .parse)
        #expect(i.offset == 4)
        let j = try #require(issue("a = 1"))
        #expect(j.help == "use `==` to compare")
        let k = try #require(issue("'unterminated"))
        #expect(k.message == "unterminated string literal")
        let r = try #require(issue("if"))
        #expect(r.message.contains("reserved word"))
    }

    @Test func literals() {
        #expect(value("-9223372036854775808") == .int(.min))
        #expect(value("0x1F") == .int(31))
        #expect(value("7u") == .uint(7))
        #expect(value("1e3") == .double(1000))
        #expect(value(#"'\x41\u00e9\101'"#) == .string("AéA"))
        #expect(value(#"r'\n'"#) == .string("\\n"))
        #expect(value(#"b'\xff'"#) == .bytes([0xFF]))
        #expect(issue("9223372036854775808")?.stage == .parse)
    }
}

struct EvaluationTests {
    @Test func integerOverflowIsAnError() throws {
        let i = try #require(issue("9223372036854775807 + 1"))
        #expect(i.stage == .eval)
        #expect(i.message == "integer overflow")
        #expect(i.offset == 20)
        #expect(issue("-9223372036854775808 / -1")?.message == "integer overflow")
        #expect(issue("18446744073709551615u + 1u")?.message == "integer overflow")
        #expect(issue("1 / 0")?.message == "division by zero")
    }

    @Test func logicAbsorbsErrorsBothWays() {
        #expect(value("1/0 == 1 || true") == .bool(true))
        #expect(value("true || 1/0 == 1") == .bool(true))
        #expect(value("1/0 == 1 && false") == .bool(false))
        #expect(issue("1/0 == 1 && true")?.message == "division by zero")
    }

    @Test func iterationLimitEndsPathologicalComprehensions() throws {
        let env = CELEnvironment(variables: [("xs", .list(.int))])
        let xs = CELValue.list((0..<1_100).map { .int(Int64($0)) })
        let i = try #require(issue("xs.all(a, xs.all(b, true))", env: env, ["xs": xs]))
        #expect(i.stage == .eval)
        #expect(i.message.contains("comprehension iterations"))
        #expect(value("xs.exists(a, a == 1099)", env: env, ["xs": xs]) == .bool(true))
    }

    @Test func unboundVariableIsAnEvalError() throws {
        let i = try #require(issue("start", env: eventEnv))
        #expect(i.stage == .eval)
        #expect(i.message == "no value bound for variable 'start'")
    }

    @Test func mapFieldsAndHas() {
        let env = CELEnvironment(variables: [("e", .map(.string, .dyn))])
        let e = CELValue.stringMap([("category", .string("ethics")), ("credits", dec("1.5"))])
        #expect(value("e.category == 'ethics'", env: env, ["e": e]) == .bool(true))
        #expect(value("has(e.credits) && !has(e.title)", env: env, ["e": e]) == .bool(true))
        #expect(issue("e.title", env: env, ["e": e])?.message == "no such key: 'title'")
    }

    @Test func timestampsWithTimeZones() {
        #expect(value("timestamp('2024-03-10T12:00:00Z').getHours('America/Los_Angeles')") == .int(5))  // PDT
        #expect(value("timestamp('2024-03-09T12:00:00Z').getHours('America/Los_Angeles')") == .int(4))  // PST
        #expect(value("timestamp('2024-01-01T00:30:00Z').getDate('+05:30')") == .int(1))
        #expect(value("timestamp('2024-01-01T00:30:00Z').getFullYear('-01:00')") == .int(2023))
        #expect(issue("timestamp('2024-01-01T00:00:00Z').getHours('Mars/Olympus')")?.message == "unknown time zone 'Mars/Olympus'")
    }
}

struct ExtensionTests {
    @Test func dateArithmeticClampsAtMonthEnd() {
        #expect(value("date('2024-01-31').addMonths(1)") == date("2024-02-29"))
        #expect(value("date('2023-01-31').addMonths(1)") == date("2023-02-28"))
        #expect(value("date('2024-02-29').addYears(1)") == date("2025-02-28"))
        #expect(value("date('2024-12-31').addDays(1)") == date("2025-01-01"))
        #expect(value("date('2024-02-10').endOfMonth()") == date("2024-02-29"))
    }

    @Test func dateComparisonDifferenceAndAccessors() {
        #expect(value("date('2024-03-01') - date('2024-02-01')") == .int(29))
        #expect(value("daysBetween(date('2024-02-01'), date('2024-03-01'))") == .int(29))
        #expect(value("date('2024-01-31') < date('2024-02-01')") == .bool(true))
        #expect(value("date('2024-01-31').getFullYear()") == .int(2024))
        // Same convention as CEL timestamps: getMonth is 0-based, getDate 1-based.
        #expect(value("date('2024-01-31').getMonth()") == .int(0))
        #expect(value("date('2024-01-31').getDate()") == .int(31))
        #expect(value("date(timestamp('2024-01-01T03:00:00Z'), 'America/New_York')") == date("2023-12-31"))
        #expect(issue("date('2024-02-30')")?.message.contains("invalid date") == true)
        #expect(issue("date('2024-01-01') < timestamp('2024-01-01T00:00:00Z')")?.stage == .check)
    }

    @Test func decimalsAreExact() {
        #expect(value("decimal('1.25') + decimal('0.1') == decimal('1.35')") == .bool(true))
        #expect(value("decimal('0.1') + decimal('0.2')") == dec("0.3"))
        #expect(value("decimal('2.0') >= 2") == .bool(true))
        #expect(value("decimal('1.5') * 2") == dec("3"))
        #expect(value("decimal('1') / decimal('3')") == dec("0.333333333"))
        #expect(value("string(decimal('2.50'))") == .string("2.5"))
        #expect(value("decimal(0.1)") == dec("0.1"))
        #expect(issue("decimal('1') / decimal('0')")?.message == "division by zero")
        #expect(issue("decimal('1.5') + 1.5")?.stage == .check)
    }

    @Test func aggregation() {
        #expect(value("[1, 2, 3].sum()") == .int(6))
        #expect(value("[decimal('0.5'), decimal('0.25')].sum()") == dec("0.75"))
        #expect(value("[1.5, 2.5].max()") == .double(2.5))
        #expect(value("['b', 'a'].min()") == .string("a"))
        #expect(issue("[9223372036854775807, 1].sum()")?.message == "integer overflow")
        #expect(issue("[].max()")?.stage == .eval)
    }

    @Test func creditRuleOverEvents() throws {
        let text = "events.filter(e, e.category == 'ethics' && e.completion_date >= start && e.completion_date <= end)"
            + ".map(e, e.credits).sum() >= decimal('2')"
        let program = try CompiledExpression.compile(text, in: eventEnv).get()
        #expect(program.resultType == .bool)
        func event(_ c: String, _ d: String, _ credits: String) -> CELValue {
            .stringMap([("category", .string(c)), ("completion_date", date(d)), ("credits", dec(credits))])
        }
        var values: [String: CELValue] = [
            "events": .list([event("ethics", "2024-02-01", "1.25"), event("ethics", "2024-05-01", "0.75"),
                             event("general", "2024-03-01", "5"), event("ethics", "2023-01-01", "3")]),
            "start": date("2024-01-01"), "end": date("2024-12-31"),
        ]
        #expect(program.evaluate(CELActivation(environment: eventEnv, values: values)) == .success(.bool(true)))
        values["end"] = date("2024-04-30")
        #expect(program.evaluate(CELActivation(environment: eventEnv, values: values)) == .success(.bool(false)))
    }

    @Test func typedJSONRoundTrip() throws {
        let samples: [CELValue] = [
            .null, .int(-5), .uint(7), .double(-0.0), .string("é"), .bytes([0, 255]), date("2024-01-31"), dec("1.25"),
            .list([.int(1), .string("a")]), .stringMap([("k", .bool(true))]), .type(.timestamp),
        ]
        for v in samples {
            #expect(try CELValue(typedJSON: v.typedJSON) == v)
        }
        #expect(date("2024-01-31").typedJSON.compactText == #"{"date":"2024-01-31"}"#)
        #expect(dec("1.25").typedJSON.compactText == #"{"decimal":"1.25"}"#)
    }
}

struct BatchTests {
    @Test func valueLine() {
        let out = ExpressionBatch.run(line: #"{"expr": "x + 1", "bindings": {"x": {"int": "41"}}}"#)
        #expect(out == #"{"value":{"int":"42"}}"#)
    }

    @Test func typedEnvironmentAndDates() {
        let out = ExpressionBatch.run(line: #"{"expr": "d.addMonths(1)", "bindings": {"d": {"date": "2024-01-31"}}, "type_env": {"d": "date"}}"#)
        #expect(out == #"{"value":{"date":"2024-02-29"}}"#)
    }

    @Test func errorLines() {
        #expect(ExpressionBatch.run(line: #"{"expr": "1 +"}"#).contains(#""stage":"parse""#))
        #expect(ExpressionBatch.run(line: #"{"expr": "y", "type_env": {"x": "int"}}"#) == #"{"error":"1:1: undeclared reference to 'y'; did you mean `x`?","stage":"check"}"#)
        #expect(ExpressionBatch.run(line: #"{"expr": "1 / 0"}"#) == #"{"error":"1:3: division by zero","stage":"eval"}"#)
        #expect(ExpressionBatch.run(line: "not json").contains(#""stage":"input""#))
        #expect(ExpressionBatch.run(line: #"{"expr": "1 + 'a'", "disable_check": true}"#).contains(#""stage":"eval""#))
    }
}

/// Comprehension variables bound to small maps are read in place (an entry view); these pin
/// the paths around it: missing keys, maps too large for a view, non-maps, the variable read
/// whole, nesting, and the fused comparisons.
struct ComprehensionFieldTests {
    private let dyn = CELEnvironment(variables: [("xs", .list(.dyn))])

    @Test func fieldsOfSmallMapsAreReadInPlace() {
        #expect(value("[{'a': 1}, {'a': 2}].map(e, e.a)") == .list([.int(1), .int(2)]))
        #expect(value("[{'c': 'x', 'n': 1}, {'c': 'y', 'n': 2}].filter(e, e.c == 'y').map(e, e.n)") == .list([.int(2)]))
        #expect(value("[{'d': date('2024-01-01')}, {'d': date('2022-06-30')}].filter(e, e.d >= date('2023-01-01')).size()")
                == .int(1))
        #expect(value("[[{'a': 1}], [{'a': 2}, {'a': 3}]].map(l, l.map(e, e.a).sum())") == .list([.int(1), .int(5)]))
    }

    @Test func theVariableReadWholeStillHoldsItsValue() {
        #expect(value("[{'a': 1}].map(e, e)") == .list([.stringMap([("a", .int(1))])]))
        #expect(value("[{'a': 1}, {'a': 2}].exists(e, e.a == 2 && size(e) == 1)") == .bool(true))
        #expect(value("[{'a': 1}].all(e, has(e.a))") == .bool(true))
    }

    @Test func aMissingKeyIsTheSameErrorAsWithoutTheView() {
        #expect(issue("[{'b': 2}].all(e, e.a == 1)")?.message == "no such key: 'a'")
        #expect(issue("[{'b': 2}].map(e, e.a)")?.message == "no such key: 'a'")
        // exists() absorbs an error when another element decides it.
        #expect(value("[{'b': 2}, {'a': 1}].exists(e, e.a == 1)") == .bool(true))
    }

    @Test func mapsTooLargeForAViewAndNonMapsTakeTheGeneralPath() {
        let keys = (1...13).map { "'k\($0)': \($0)" }.joined(separator: ", ")
        #expect(value("[{\(keys)}].map(e, e.k13)") == .list([.int(13)]))
        #expect(value("[{\(keys)}].filter(e, e.k7 >= 7).size()") == .int(1))
        let notAMap = issue("xs.exists(e, e.a == 1)", env: dyn, ["xs": .list([.int(1)])])
        #expect(notAMap?.message == "type 'int' does not support field selection")
        #expect(value("xs.map(e, e.a)", env: dyn, ["xs": .list([.stringMap([("a", .int(1))]), .stringMap([("a", .int(2))])])])
                == .list([.int(1), .int(2)]))
    }
}

/// `matches` runs in linear time and refuses patterns over its limits with a clear error.
@Suite struct RegexTests {
    @Test(arguments: [
        ("'CME-123'.matches('^CME-[0-9]+$')", true), ("'xCME-1'.matches('^CME')", false), ("''.matches('')", true),
        ("'grey'.matches('gr(a|e)y')", true), ("'gray'.matches('gr(?:e)y')", false), ("'banana'.matches('^ba(na)*$')", true),
        ("'Opioid Safety'.matches('(?i)OPIOID s')", true), ("'Opioid'.matches('opioid')", false),
        ("'a.b'.matches('a\\\\.b')", true), ("'axb'.matches('a\\\\.b')", false), ("'x_1'.matches('^\\\\w+$')", true),
        ("'ab ab'.matches('\\\\bab\\\\b')", true), ("'abab'.matches('^ab\\\\b')", false),
        ("'aaa'.matches('^a{2,3}$')", true), ("'aaaa'.matches('^a{2,3}$')", false), ("'a{x'.matches('a{x')", true),
        ("'2N'.matches('^[0-9]N?$')", true), ("'x'.matches('[^x]')", false), ("'a\\nb'.matches('a.b')", false),
        ("'mañana'.matches('a+ñ+a+')", true), ("'🐱😀😀'.matches('(a|😀){2}')", true), ("'ab'.matches('(a*)*b')", true),
        ("'ab'.matches('(?P<x>a)b')", true), ("'a-b'.matches('^[a\\\\-]-[b-c]$')", true),
    ])
    func matches(_ text: String, _ expected: Bool) {
        #expect(value(text) == .bool(expected), "\(text)")
    }

    /// Patterns that make a backtracking matcher take exponential (or high polynomial) time on a
    /// few thousand characters finish at once here.
    @Test(arguments: ["(a+)+$", "(a|a)*b", "(a|aa)+$", "^(a*)*$", ".*.*.*.*.*x", "^(\\\\w+\\\\s?)*$"])
    func catastrophicPatternsAreLinear(_ pattern: String) {
        let subject = String(repeating: "a", count: 3_000) + "!"
        #expect(value("'\(subject)'.matches('\(pattern)')") == .bool(false))
    }

    @Test(arguments: [
        ("'x'.matches('(a')", "missing `)`"),
        ("'x'.matches('a{101}')", "repetition counts are limited to 100"),
        ("'x'.matches('(a{100}){100}')", "too complex"),
        ("'x'.matches('(a)\\\\1')", "backreferences"),
        ("'x'.matches('a(?=b)')", "look-ahead"),
        ("'x'.matches('(?<=a)b')", "look-behind"),
        ("'x'.matches('a++')", "possessive"),
        ("'x'.matches('[[:alpha:]]')", "POSIX classes"),
        ("'x'.matches('\\\\pL')", "unknown escape"),
        ("'x'.matches('*a')", "nothing to repeat"),
        ("'x'.matches('a**')", "cannot be repeated again"),
    ])
    func refusedPatternsAreCheckErrors(_ text: String, _ fragment: String) throws {
        let i = try #require(issue(text))
        #expect(i.stage == .check)
        #expect(i.message.contains(fragment), "\(i.message)")
        #expect(i.offset == 12, "the caret is at the pattern")
    }

    @Test func overlongPatternIsRefused() throws {
        let pattern = String(repeating: "a", count: 257)
        let i = try #require(issue("'x'.matches('\(pattern)')"))
        #expect(i.message.contains("limited to 256"))
        // A pattern only known at run time fails at run time, with the same message.
        let env = CELEnvironment(variables: [("p", .string)])
        let r = try #require(issue("'x'.matches(p)", env: env, ["p": .string(pattern)]))
        #expect(r.stage == .eval)
        #expect(r.message.contains("limited to 256"))
    }
}
