import RuleBase
import RuleYAML
import RuleSyntax
import RuleIR
import RuleExpressions

/// Compiles one ``PackSyntax`` into a ``RuleVersion``.
///
/// 1. Header, applicability, effective range, cycle.
/// 2. Citations and parameters (their names feed the expression environment).
/// 3. Requirements: kind-specific keys, references, expressions, cadence and deadlines.
/// 4. Exemptions: references, conflicts.
/// 5. Tests: facts typed by the facts schema, expectations checked against the requirements.
/// 6. Usage warnings: unused citations and parameters, no tests.
struct PackChecker {
    var typer: Typer
    let syntax: PackSyntax

    /// Citation ids with their key scalars.
    var citationIDs: [String] = []
    var usedCitations: Set<String> = []
    var expressionTexts: [String] = []
    /// The shared provider attributes and those the pack declares (`attributes:`).
    var attributeCatalogue = AttributeCatalogue.shared

    init(syntax: PackSyntax, sink: DiagnosticSink) {
        self.syntax = syntax
        self.typer = Typer(sink: sink)
    }

    mutating func run() -> RuleVersion? {
        let errorsBefore = typer.sink.diagnostics.filter { $0.severity == .error }.count + typer.sink.dropped
        let doc = syntax.document
        suppressFollowOnErrors()

        // 1. Header.
        var pack: String?
        if let f = doc["pack"], let s = typer.scalar(f.value, expected: "a pack identity like `US-TX/physician-license`") {
            let parts = s.value.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !s.value.contains(" ") {
                pack = s.value
            } else {
                typer.report(Diagnostic(
                    id: "pack.invalidID", message: "pack identity `\(s.value)` is not `JURISDICTION/NAME`", span: s.span,
                    help: "write the jurisdiction and the credential's name with one `/` and no spaces, e.g. `US-TX/physician-license`"))
            }
        }
        let version = doc["version"].flatMap { typer.int($0.value, min: 1, what: "a version number") }
        let title = doc["title"].flatMap { typer.string($0.value) }
        let authority = doc["authority"].flatMap { typer.string($0.value) }
        let credential = doc["credential"].flatMap {
            typer.oneOf($0.value, CredentialKind.allCases.map(\.rawValue), what: "credential kind").flatMap(CredentialKind.init(rawValue:))
        }
        let notes = doc["notes"].flatMap { typer.string($0.value) }

        var applies = Applicability(state: nil, licenseTypes: nil)
        if let m = syntax.appliesTo {
            if let f = m["state"], let s = typer.scalar(f.value, expected: "a two-letter state code") {
                if s.value.count == 2, s.value.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                    applies.state = s.value
                } else {
                    typer.report(PackSyntaxReader.wrongType(f.value, expected: "a two-letter state code like `TX`"))
                }
            }
            if let f = m["license_types"] {
                applies.licenseTypes = typer.oneOfList(f.value, Vocabulary.licenseTypes, id: "pack.unknownValue", what: "license type")
                if let credential, credential != .license {
                    typer.report(Diagnostic(
                        id: "pack.notApplicable", message: "`license_types` applies only to `credential: license`",
                        span: f.key.span, help: "remove `license_types`"))
                }
            }
            if applies.state == nil, m["state"] == nil, let credential, credential == .license || credential == .csrCertificate {
                _ = typer.require(m, "state", in: "`applies_to`", help: "a `\(credential.rawValue)` pack names its state, e.g. `state: TX`")
            }
        }

        var effective: EffectiveRange?
        if let m = syntax.effective {
            let from = typer.require(m, "from", in: "`effective`").flatMap { typer.date($0.value) }
            let to = m["to"].flatMap { typer.date($0.value) }
            if let from {
                if let to, to < from, let toField = m["to"] {
                    typer.report(Diagnostic(
                        id: "pack.effectiveRange", message: "`effective.to` (\(to)) is before `effective.from` (\(from))",
                        span: toField.value.span, help: "`to` is the last day in force and must be on or after `from`"))
                }
                effective = EffectiveRange(from: from, to: to)
            }
        }

        var cycle: Cycle?
        if let m = syntax.cycle {
            let months = typer.require(m, "months", in: "`cycle`").flatMap { typer.int($0.value, min: 1, what: "a number of months") }
            let window = m["cme_window_months"].flatMap { typer.int($0.value, min: 1, what: "a number of months") }
            let warn = m["warn_within_days"].flatMap { typer.int($0.value, min: 0, what: "a number of days") }
            let firstTerm = m["first_term_months"].flatMap { typer.int($0.value, min: 1, what: "a number of months") }
            if let months {
                cycle = Cycle(months: months, cmeWindowMonths: window ?? months, warnWithinDays: warn ?? 90, firstTermMonths: firstTerm ?? months)
            }
        }

        // 2. Citations and parameters.
        var citations: [Citation] = []
        for entry in syntax.citations {
            let id = entry.key.value
            citationIDs.append(id)
            switch entry.body {
            case .text(let s):
                if s.isNullLike {
                    typer.report(Diagnostic(id: "pack.wrongType", message: "expected a citation text, found nothing", span: entry.key.span))
                } else {
                    citations.append(Citation(id: id, text: s.value))
                }
            case .detailed(let m):
                guard let text = typer.require(m, "text", in: "citation `\(id)`").flatMap({ typer.string($0.value) }) else { continue }
                citations.append(Citation(
                    id: id, text: text, url: m["url"].flatMap { typer.string($0.value) },
                    confidence: m["confidence"].flatMap { typer.oneOf($0.value, Vocabulary.confidences, what: "confidence mark") },
                    note: m["note"].flatMap { typer.string($0.value) }))
            }
        }
        if doc["citations"] != nil, syntax.citations.isEmpty, let f = doc["citations"], f.value.mapping != nil {
            typer.report(Diagnostic(id: "pack.missingKey", message: "a pack needs at least one citation", span: f.key.span,
                                    help: "add `id: \"citation text\"` under `citations:`"))
        }
        citations.sort { $0.id < $1.id }

        var parameters: [Parameter] = []
        for entry in syntax.parameters {
            let name = entry.key.value
            let m = entry.body
            guard let type = typer.require(m, "type", in: "parameter `\(name)`").flatMap({
                typer.oneOf($0.value, ValueType.allCases.map(\.rawValue), what: "parameter type").flatMap(ValueType.init(rawValue:))
            }) else { continue }
            var values: [Parameter.DatedValue] = []
            if let f = typer.require(m, "values", in: "parameter `\(name)`", help: "add `values: {2025-01-01: …}`") {
                if let entries = PackSyntaxReader.expectMapping(f.value, what: "dated values", into: &typer.sink) {
                    for e in entries {
                        guard let from = Typer.parseDate(e.key.value) else {
                            typer.report(Diagnostic(
                                id: "pack.wrongType", message: "expected a date like 2025-01-01, found `\(e.key.value)`",
                                span: e.key.span, help: "each key of `values` is the date from which the value applies"))
                            continue
                        }
                        if let v = scalarValue(e.value, type: type) { values.append(.init(from: from, value: v)) }
                    }
                    if entries.isEmpty {
                        typer.report(Diagnostic(id: "pack.missingKey", message: "parameter `\(name)` has no values", span: f.value.span))
                    }
                }
            }
            parameters.append(Parameter(name: name, type: type, values: values.sorted { $0.from < $1.from }))
        }
        parameters.sort { $0.name < $1.name }
        let declaredAttributes = self.declaredAttributes()
        attributeCatalogue = AttributeCatalogue(ProviderAttributes.table + declaredAttributes)
        let checker = ExpressionChecker(environment: PackEnvironment.make(parameters: parameters, attributes: attributeCatalogue),
                                        parameterNames: parameters.map(\.name), attributes: attributeCatalogue)

        // 3. Requirements.
        var requirements: [Requirement] = []
        var requirementIDs: [String: SourceSpan] = [:]
        if let f = doc["requirements"], f.value.sequence?.isEmpty == true {
            typer.report(Diagnostic(id: "pack.missingKey", message: "a pack needs at least one requirement", span: f.key.span))
        }
        for m in syntax.requirements {
            if let r = requirement(m, checker: checker, credential: credential, seen: &requirementIDs) { requirements.append(r) }
        }
        let customCodes = requirements.compactMap(\.code)

        // 4. Exemptions.
        var exemptions: [Exemption] = []
        var exemptionIDs: [String: SourceSpan] = [:]
        var exemptionSpans: [String: SourceSpan] = [:]
        let credentialRequirementIDs = requirements.filter { $0.kind == .credentialCurrent }.map(\.id)
        for m in syntax.exemptions {
            if let e = exemption(
                m, checker: checker, requirementIDs: requirementIDs, credentialRequirementIDs: credentialRequirementIDs,
                seen: &exemptionIDs)
            {
                exemptions.append(e)
                exemptionSpans[e.id] = m.span
            }
        }
        checkExemptionConflicts(exemptions, requirements: requirements.map(\.id), spans: exemptionIDs)
        var alternatives: [Alternative] = []
        var alternativeIDs: [String: SourceSpan] = [:]
        for m in syntax.alternatives {
            if let a = alternative(
                m, checker: checker, requirements: requirements, requirementIDs: requirementIDs, otherIDs: exemptionIDs,
                seen: &alternativeIDs)
            {
                alternatives.append(a)
            }
        }

        let notIssued = notIssued(credential: credential, state: applies.state)

        // 5. Tests.
        var tests: [PackTest] = []
        if let list = syntax.tests {
            for t in list {
                if let test = packTest(t, requirementIDs: requirementIDs, customCodes: customCodes) { tests.append(test) }
                if let effective { checkTestDate(t, effective: effective) }
            }
        } else {
            typer.report(Diagnostic(
                id: "pack.noTests", severity: .warning, message: "the pack has no tests",
                span: PackSyntaxReader.startSpan(syntax.document.span), help: "add a `tests:` list with at least one case (see Grammar/pack-language.md §5)"))
        }

        // 6. Usage warnings.
        for entry in syntax.citations where !usedCitations.contains(entry.key.value) {
            typer.report(Diagnostic(
                id: "pack.unusedCitation", severity: .warning, message: "citation `\(entry.key.value)` is never cited",
                span: entry.key.span, help: "cite it from a requirement or exemption, or remove it"))
        }
        // Scan every expression-bearing scalar as written, valid or not, so that an error elsewhere
        // in a requirement does not also make its parameters look unused.
        let allExpressionTexts = expressionTexts + (syntax.requirements + syntax.exemptions + syntax.alternatives).flatMap { m in
            ["when", "hours", "check"].compactMap { m[$0]?.value.scalar?.value }
        }
        let references = allExpressionTexts.map { CompiledExpression.references(in: $0, environment: checker.environment) }
        let usedParams = Set(references.flatMap { ExpressionChecker.names(selectedFrom: "params", in: $0?.variables ?? []) })
        // An expression that does not parse reads unknown names: no parameter is called unused then.
        for entry in syntax.parameters where !usedParams.contains(entry.key.value) && !references.contains(where: { $0 == nil }) {
            typer.report(Diagnostic(
                id: "pack.unusedParameter", severity: .warning, message: "parameter `\(entry.key.value)` is never used",
                span: entry.key.span, help: "read it as `params.\(entry.key.value)` or remove it"))
        }
        let usedAttributes = Set(expressionTexts.flatMap {
            ExpressionChecker.names(selectedFrom: "provider", in: CompiledExpression.references(in: $0, environment: checker.environment)?.variables ?? [])
        })
        let attributes = attributeCatalogue.table.filter { usedAttributes.contains($0.key) }.sorted { $0.key < $1.key }
        warnUnused(declaredAttributes, used: usedAttributes, references: references)

        let errorsAfter = typer.sink.diagnostics.filter { $0.severity == .error }.count + typer.sink.dropped
        guard errorsAfter == errorsBefore, let pack, let version, let title, let authority, let credential,
            let effective, let cycle
        else { return nil }
        return RuleVersion(
            pack: pack, version: version, title: title, authority: authority, credential: credential, appliesTo: applies,
            effective: effective, citations: citations, parameters: parameters, attributes: attributes, cycle: cycle,
            requirements: requirements, exemptions: exemptions, tests: tests, notes: notes, alternatives: alternatives,
            notIssued: notIssued)
    }

    /// A section that is missing, or not of its shape, was reported once (`pack.missingKey`,
    /// `pack.wrongType`); references into it and usage counts that it would have changed are
    /// not reported again. An unknown top-level key that could not be read as any language key
    /// may hold any section, so usage warnings are not reported while one is present.
    mutating func suppressFollowOnErrors() {
        let doc = syntax.document
        if doc["requirements"]?.value.sequence == nil {
            typer.suppressed.formUnion(["pack.undefinedRequirement", "pack.unusedCitation", "pack.unusedParameter"])
        }
        if let f = doc["alternatives"], f.value.sequence == nil {
            typer.suppressed.formUnion(["pack.unusedCitation", "pack.unusedParameter"])
        }
        if let f = doc["exemptions"], f.value.sequence == nil {
            typer.suppressed.formUnion(["pack.unusedCitation", "pack.unusedParameter"])
        }
        if doc["citations"]?.value.mapping == nil {
            typer.suppressed.insert("pack.undefinedCitation")
        }
        if let f = doc["parameters"], f.value.mapping == nil {
            typer.suppressed.insert("pack.undefinedParameter")
        }
        if !doc.unreadKeys.isEmpty {
            typer.suppressed.formUnion(["pack.unusedCitation", "pack.unusedParameter", "pack.noTests"])
        }
    }

    /// A test dated outside the version's effective range checks a rule that was not in force
    /// that day (the evaluator would use another version), so its verdict proves nothing.
    mutating func checkTestDate(_ t: TestSyntax, effective: EffectiveRange) {
        // An inverted range was reported already (`pack.effectiveRange`); every date would be outside it.
        if let to = effective.to, to < effective.from { return }
        guard let f = t.mapping["as_of"], let s = f.value.scalar, let asOf = Typer.parseDate(s.value) else { return }
        let before = asOf < effective.from
        guard before || effective.to.map({ asOf > $0 }) == true else { return }
        let name = t.mapping["name"]?.value.scalar.map { "test `\($0.value)`" } ?? "a test"
        let range = "from \(effective.from)" + (effective.to.map { " to \($0)" } ?? "")
        typer.report(Diagnostic(
            id: "pack.testOutsideEffective",
            message: "\(name) is dated \(asOf), \(before ? "before" : "after") this version is in force (\(range))",
            span: s.span,
            help: "date the test within the version's effective range, or move it to the version in force on \(asOf)"))
    }

    // MARK: Values

    mutating func scalarValue(_ node: YAMLNode, type: ValueType) -> ScalarValue? {
        switch type {
        case .int: return typer.int(node).map { .int(Int64($0)) }
        case .decimal: return typer.decimal(node).map { .decimal($0) }
        case .bool: return typer.bool(node).map { .bool($0) }
        case .string: return typer.string(node).map { .string($0) }
        case .date: return typer.date(node).map { .date($0) }
        }
    }

    mutating func cite(_ m: SyntaxMapping, context: String) -> String? {
        guard let f = typer.require(m, "cite", in: context, help: "add `cite:` naming one of `citations`"),
            let s = typer.scalar(f.value, expected: "a citation id")
        else { return nil }
        guard citationIDs.contains(s.value) else {
            typer.report(Diagnostic(
                id: "pack.undefinedCitation", message: "undefined citation `\(s.value)`", span: s.span,
                help: Suggestions.didYouMean(s.value, in: citationIDs)
                    ?? (citationIDs.isEmpty ? "add it under `citations:`" : "defined citations: " + citationIDs.map { "`\($0)`" }.joined(separator: ", "))))
            return nil
        }
        usedCitations.insert(s.value)
        return s.value
    }

    mutating func expression(_ f: SyntaxField, checker: ExpressionChecker, expected: [CELType]) -> Expression? {
        guard let s = typer.scalar(f.value, expected: "an expression") else { return nil }
        expressionTexts.append(s.value)
        return checker.check(s, field: f.name, expected: expected, into: &typer)
    }

    static func isKebab(_ id: String) -> Bool {
        !id.isEmpty && !id.hasPrefix("-") && !id.hasSuffix("-") && !id.contains("--")
            && id.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
    }

    /// The `id` of a requirement, exemption or alternative (`thing`: "a requirement"): present,
    /// lower-kebab-case and not defined before, neither in `seen` (its own kind, where it is then
    /// recorded) nor in `taken` (the ids of the other kinds); nil after reporting why not.
    mutating func uniqueID(
        _ m: SyntaxMapping, thing: String, noun: String, kebabHelp: String, duplicateMessage: String, duplicateHelp: String,
        taken: [[String: SourceSpan]] = [], seen: inout [String: SourceSpan]
    ) -> String? {
        guard let f = typer.require(m, "id", in: thing), let s = typer.scalar(f.value, expected: thing + " id") else { return nil }
        if !Self.isKebab(s.value) {
            typer.report(Diagnostic(id: "pack.invalidID", message: "\(noun) id `\(s.value)` is not lower-kebab-case", span: s.span,
                                    help: kebabHelp))
        } else if let first = seen[s.value] ?? taken.lazy.compactMap({ $0[s.value] }).first {
            typer.report(Diagnostic(
                id: "pack.duplicateID", message: "\(duplicateMessage) `\(s.value)`", span: s.span,
                help: duplicateHelp, notes: [.init("first defined here", span: first)]))
        } else {
            seen[s.value] = s.span
            return s.value
        }
        return nil
    }

    static func isSnake(_ id: String) -> Bool {
        guard let first = id.first, first >= "a", first <= "z" else { return false }
        return id.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
    }

    // MARK: Requirements

    mutating func requirement(
        _ m: SyntaxMapping, checker: ExpressionChecker, credential: CredentialKind?, seen: inout [String: SourceSpan]
    ) -> Requirement? {
        let errorsBefore = typer.sink.diagnostics.filter { $0.severity == .error }.count
        let id = uniqueID(m, thing: "a requirement", noun: "requirement",
                          kebabHelp: "use lowercase letters, digits and single hyphens, e.g. `cme-ethics`",
                          duplicateMessage: "duplicate requirement id", duplicateHelp: "ids must be unique in the pack", seen: &seen)
        let context = id.map { "requirement `\($0)`" } ?? "a requirement"
        let kind = typer.require(m, "kind", in: context).flatMap {
            typer.oneOf($0.value, RequirementKind.allCases.map(\.rawValue), what: "requirement kind").flatMap(RequirementKind.init(rawValue:))
        }
        if let kind {
            let allowed = PackKeys.requirementCommon + (PackKeys.requirementByKind[kind.rawValue] ?? [])
            for f in m.fields where !allowed.contains(f.name) && !f.isRecovered {
                let owners = PackKeys.requirementByKind.filter { $0.value.contains(f.name) }.keys.sorted()
                typer.report(Diagnostic(
                    id: "pack.unknownKey", message: "`\(f.name)` does not apply to a `\(kind.rawValue)` requirement", span: f.key.span,
                    help: "`\(f.name)` belongs to " + owners.map { "`\($0)`" }.joined(separator: ", ") + " requirements"))
            }
        }
        let cite = cite(m, context: context)
        let severity = m["severity"].flatMap {
            typer.oneOf($0.value, GapSeverity.allCases.map(\.rawValue), what: "severity").flatMap(GapSeverity.init(rawValue:))
        }
        let when = m["when"].flatMap { expression($0, checker: checker, expected: [.bool]) }
        if let f = m["when"], let s = f.value.scalar, s.value.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) == ["false"] {
            typer.report(Diagnostic(
                id: "pack.neverApplies", message: "\(context) can never apply: its `when` is `false`", span: s.span,
                help: "remove the requirement, or write the condition under which it applies"))
        }
        let cadence = m["cadence"].flatMap { self.cadence($0, context: context) }

        var categories: [String]?
        var creditTypes: [String]?
        var hours: HoursSpec?
        if let f = m["categories"] {
            categories = typer.oneOfList(f.value, Vocabulary.cmeCategories, id: "pack.unknownCategory", what: "CME category")
        }
        if let f = m["credit_types"] {
            creditTypes = typer.oneOfList(f.value, Vocabulary.creditTypes, id: "pack.unknownCreditType", what: "credit type")
        }
        let anyOf = kind == .cmeHours ? m["any_of"].flatMap { self.anyOf($0, in: m, context: context) } : nil
        if kind == .cmeHours || kind == .oneTimeTraining, !(kind == .cmeHours && m["any_of"] != nil),
            let f = typer.require(m, "hours", in: context, help: "add `hours:` (a number or an expression)")
        {
            if let s = typer.scalar(f.value, expected: "a number of hours or an expression") {
                if s.style == .plain, s.value == "any" {
                    // The rule names no hour figure: any matching record completes it.
                    hours = .anyRecord
                } else if s.style == .plain, let d = ExactDecimal(s.value) {
                    if d < .zero {
                        typer.report(Diagnostic(id: "pack.outOfRange", message: "hours cannot be negative", span: s.span))
                    } else {
                        hours = .constant(d)
                    }
                } else {
                    expressionTexts.append(s.value)
                    hours = checker.check(s, field: "hours", expected: [.int, .decimal], into: &typer).map { .expression($0) }
                }
            }
        }
        let lookback = m["lookback_months"].flatMap { typer.int($0.value, min: 1, what: "a number of months") }
        let window = m["window"].flatMap { self.window($0, lookback: m["lookback_months"], context: context) }
        let excludedCategories = m["categories_except"].flatMap { self.excludedCategories($0, categories: m["categories"], context: context) }
        let deadline = m["deadline"].flatMap { self.deadline($0.value, context: context, depth: 0) }
        let countsFrom = m["counts_from"].flatMap { typer.date($0.value) }
        let carryForward = m["carry_forward"].flatMap { self.carryForward($0, context: context) }
        let caps = m["caps"].flatMap { self.caps($0, hours: hours, carryForward: m["carry_forward"], context: context) }
        let prorate = kind == .cmeHours ? m["prorate"].flatMap { self.proration($0, hours: hours, anyOf: m["any_of"], context: context) } : nil
        var registration: CredentialKind?
        var sameState: Bool?
        if kind == .registrationCurrent {
            registration = typer.require(m, "registration", in: context).flatMap {
                typer.oneOf($0.value, [CredentialKind.deaRegistration.rawValue, CredentialKind.csrCertificate.rawValue], what: "registration")
                    .flatMap(CredentialKind.init(rawValue:))
            }
            sameState = m["same_state"].flatMap { typer.bool($0.value) } ?? true
        }
        let specialties = m["specialties"].flatMap {
            typer.oneOfList($0.value, Vocabulary.specialties, id: "pack.unknownSpecialty", what: "specialty")
        }
        var check: Expression?
        var code: String?
        var message: String?
        if kind == .custom {
            check = typer.require(m, "check", in: context, help: "add `check:` with a boolean expression").flatMap {
                expression($0, checker: checker, expected: [.bool])
            }
            if let f = typer.require(m, "code", in: context, help: "add `code:` naming the gap in lower_snake_case"),
                let s = typer.scalar(f.value, expected: "a gap code")
            {
                if Self.isSnake(s.value) {
                    code = s.value
                } else {
                    typer.report(Diagnostic(id: "pack.invalidID", message: "gap code `\(s.value)` is not lower_snake_case", span: s.span,
                                            help: "use lowercase letters, digits and underscores"))
                }
            }
            message = m["message"].flatMap { typer.string($0.value) }
        }
        let explicitTitle = m["title"].flatMap { typer.string($0.value) }
        let grace = kind == .credentialCurrent ? m["grace"].flatMap { self.grace($0, context: context) } : nil
        let expiry = kind == .credentialCurrent ? m["expiry"].flatMap { self.expiry($0, context: context) } : nil
        let consequence = m["consequence"].flatMap { self.consequence($0, context: context) }

        let errorsAfter = typer.sink.diagnostics.filter { $0.severity == .error }.count
        guard errorsAfter == errorsBefore, let id, let kind, let cite else { return nil }
        let gapType: GapType = switch kind {
        case .credentialCurrent: .credentialExpired
        case .cmeHours: categories == nil ? .cmeHoursShort : .cmeCategoryShort
        case .oneTimeTraining: .trainingMissing
        case .registrationCurrent: .registrationMissing
        case .certificationCurrent: .certificationExpired
        case .custom: .custom
        }
        var r = Requirement(
            id: id, title: explicitTitle ?? Self.defaultTitle(kind: kind, categories: categories, registration: registration),
            kind: kind, cite: cite, severity: severity ?? (kind == .credentialCurrent ? .critical : .high), gapType: gapType)
        r.when = when
        r.cadence = cadence
        r.hours = hours
        r.categories = categories
        r.creditTypes = creditTypes
        r.lookbackMonths = lookback
        r.deadline = deadline
        r.registration = registration
        r.sameState = sameState
        r.specialties = specialties
        r.check = check
        r.code = code
        r.message = message
        r.grace = grace
        r.window = window
        r.excludedCategories = excludedCategories
        r.countsFrom = countsFrom
        r.carryForward = carryForward
        r.caps = caps
        r.expiry = expiry
        r.consequence = consequence
        r.anyOf = anyOf
        r.prorate = prorate
        return r
    }

    static func defaultTitle(kind: RequirementKind, categories: [String]?, registration: CredentialKind?) -> String {
        let words = { (s: String) in String(s.map { $0 == "_" ? " " : $0 }) }
        switch kind {
        case .credentialCurrent: return "Credential is current"
        case .cmeHours: return categories.map { "CME hours: " + $0.map(words).joined(separator: ", ") } ?? "CME hours (total)"
        case .oneTimeTraining: return categories.map { "One-time training: " + $0.map(words).joined(separator: ", ") } ?? "One-time training"
        case .registrationCurrent: return registration == .csrCertificate ? "State controlled-substance registration is current" : "DEA registration is current"
        case .certificationCurrent: return "Board certification is current"
        case .custom: return "Custom check"
        }
    }

    mutating func cadence(_ f: SyntaxField, context: String) -> Cadence? {
        guard let m = PackSyntaxReader.mapping(f.value, keys: PackKeys.cadence, context: "`cadence`", into: &typer.sink) else { return nil }
        let every = m["every"].flatMap { typer.int($0.value, min: 1, what: "a renewal interval") }
        var renewals: [Int] = []
        if let rf = m["renewals"], let items = typer.scalarList(rf.value, what: "renewal numbers") {
            for s in items {
                guard let n = Int(s.value) else {
                    typer.report(Diagnostic(id: "pack.wrongType", message: "expected a renewal number, found `\(s.value)`", span: s.span))
                    continue
                }
                if n < 1 {
                    typer.report(Diagnostic(id: "pack.neverApplies", message: "renewal \(n) never happens: renewals are numbered from 1",
                                            span: s.span, help: "the first expiration after licensure is renewal 1"))
                } else {
                    renewals.append(n)
                }
            }
        }
        let thenEvery = m["then_every"].flatMap { typer.int($0.value, min: 1, what: "a renewal interval") }
        let fromRenewal = m["from_renewal"].flatMap { typer.int($0.value, min: 1, what: "a renewal number") }
        if every != nil, m["renewals"] != nil || thenEvery != nil || fromRenewal != nil {
            typer.report(Diagnostic(id: "pack.conflictingKeys", message: "`every` cannot be combined with other cadence keys",
                                    span: f.key.span, help: "use `renewals` with `then_every` instead"))
            return nil
        }
        if let every { return Cadence(renewals: [], thenEvery: every, fromRenewal: nil) }
        if renewals.isEmpty, thenEvery == nil, fromRenewal == nil, m["renewals"] != nil || m.fields.isEmpty {
            typer.report(Diagnostic(
                id: "pack.neverApplies", message: "\(context) can never apply: its cadence names no renewal", span: f.value.span,
                help: "list renewals, or add `then_every:` or `from_renewal:`"))
            return nil
        }
        return Cadence(renewals: Array(Set(renewals)).sorted(), thenEvery: thenEvery, fromRenewal: fromRenewal)
    }

    mutating func deadline(_ node: YAMLNode, context: String, depth: Int) -> Deadline? {
        guard depth < 16 else {
            typer.report(Diagnostic(id: "pack.tooDeep", message: "deadline nesting is too deep", span: node.span))
            return nil
        }
        guard let m = PackSyntaxReader.mapping(node, keys: PackKeys.deadline, context: "a deadline", into: &typer.sink) else { return nil }
        guard m.fields.count == 1, let f = m.fields.first else {
            typer.report(Diagnostic(
                id: "pack.wrongType", message: "a deadline has exactly one form, found \(m.fields.count)", span: node.span,
                help: "write one of " + PackKeys.deadline.map { "`\($0)`" }.joined(separator: ", ") + "; combine with `earliest_of`/`latest_of`"))
            return nil
        }
        switch f.name {
        case "renewal":
            guard let s = typer.scalar(f.value, expected: "a renewal number"), let n = Int(s.value) else {
                if f.value.scalar.map({ !$0.isNullLike }) == true {
                    typer.report(PackSyntaxReader.wrongType(f.value, expected: "a renewal number"))
                }
                return nil
            }
            if n < 1 {
                typer.report(Diagnostic(
                    id: "pack.neverApplies", message: "\(context) can never apply: renewal \(n) never happens", span: s.span,
                    help: "renewals are numbered from 1 (the first expiration after licensure)"))
                return nil
            }
            return .renewal(n)
        case "months_after_issue": return typer.int(f.value, min: 0, what: "a number of months").map { .monthsAfterIssue($0) }
        case "years_after_issue": return typer.int(f.value, min: 0, what: "a number of years").map { .monthsAfterIssue($0 * 12) }
        case "date": return typer.date(f.value).map { .date($0) }
        case "first_renewal_after": return typer.date(f.value).map { .firstRenewalAfter($0) }
        default:
            guard let items = PackSyntaxReader.expectSequence(f.value, what: "`\(f.name)`", into: &typer.sink) else { return nil }
            if items.isEmpty {
                typer.report(Diagnostic(id: "pack.missingKey", message: "`\(f.name)` needs at least one deadline", span: f.value.span))
                return nil
            }
            let parts = items.map { deadline($0, context: context, depth: depth + 1) }
            let kept = parts.compactMap { $0 }
            guard kept.count == parts.count else { return nil }
            return f.name == "earliest_of" ? .earliestOf(kept) : .latestOf(kept)
        }
    }

    // MARK: Exemptions

    mutating func exemption(
        _ m: SyntaxMapping, checker: ExpressionChecker, requirementIDs: [String: SourceSpan], credentialRequirementIDs: [String],
        seen: inout [String: SourceSpan]
    ) -> Exemption? {
        let errorsBefore = typer.sink.diagnostics.filter { $0.severity == .error }.count
        let id = uniqueID(m, thing: "an exemption", noun: "exemption", kebabHelp: "use lowercase letters, digits and single hyphens",
                          duplicateMessage: "duplicate id", duplicateHelp: "exemption ids must differ from each other and from requirement ids",
                          taken: [requirementIDs], seen: &seen)
        let context = id.map { "exemption `\($0)`" } ?? "an exemption"
        let when = typer.require(m, "when", in: context, help: "add `when:` with a boolean expression").flatMap {
            expression($0, checker: checker, expected: [.bool])
        }
        let cite = cite(m, context: context)
        let precedence = m["precedence"].flatMap { typer.int($0.value, what: "an integer precedence") } ?? 0
        let known = requirementIDs.keys.sorted()
        func checkIDs(_ items: [YAMLScalar], _ typer: inout Typer) -> [String] {
            var out: [String] = []
            for s in items {
                if requirementIDs[s.value] != nil {
                    out.append(s.value)
                } else {
                    typer.report(Diagnostic(
                        id: "pack.undefinedRequirement", message: "no requirement has id `\(s.value)`", span: s.span,
                        help: Suggestions.didYouMean(s.value, in: known)))
                }
            }
            return out
        }
        var exempts: [String]?
        var except: [String] = []
        var all = false
        if let f = typer.require(m, "exempts", in: context, help: "add `exempts:` with requirement ids, or `all`") {
            if let s = f.value.scalar, s.value == "all" {
                all = true
            } else if let items = typer.scalarList(f.value, what: "requirement ids (or `all`)") {
                if items.isEmpty {
                    typer.report(Diagnostic(
                        id: "pack.emptyExemption", message: "\(context) exempts nothing", span: f.value.span,
                        help: "list the requirement ids it exempts, or write `exempts: all`"))
                }
                exempts = checkIDs(items, &typer)
            }
        }
        if let f = m["except"] {
            if !all {
                typer.report(Diagnostic(id: "pack.notApplicable", message: "`except` applies only with `exempts: all`", span: f.key.span,
                                        help: "remove the ids from `exempts` instead"))
            } else if let items = typer.scalarList(f.value, what: "requirement ids") {
                except = checkIDs(items, &typer)
            }
        }
        if all {
            // `all` excuses renewal conditions, never holding the credential itself: exempting
            // `credential_current` would report an expired license as compliant. A rule that
            // truly waives it names the requirement in an `exempts` list.
            except = Array(Set(except).union(credentialRequirementIDs)).sorted()
            if Set(except) == Set(requirementIDs.keys), !requirementIDs.isEmpty {
                let keptCredential = Set(credentialRequirementIDs).subtracting(m["except"].flatMap { $0.value.sequence?.compactMap { $0.scalar?.value } } ?? [])
                typer.report(Diagnostic(
                    id: "pack.emptyExemption",
                    message: keptCredential.isEmpty
                        ? "\(context) exempts nothing: `except` names every requirement"
                        : "\(context) exempts nothing: `all` never covers `credential_current` requirements"
                            + (m["except"] == nil ? "" : ", and `except` names the rest"),
                    span: (m["except"] ?? m["exempts"])?.value.span ?? m.span,
                    help: keptCredential.isEmpty ? nil : "to exempt the credential requirement itself, list it: `exempts: [\(keptCredential.sorted().joined(separator: ", "))]`"))
            }
        }
        let errorsAfter = typer.sink.diagnostics.filter { $0.severity == .error }.count
        guard errorsAfter == errorsBefore, let id, let when, let cite, all || exempts != nil else { return nil }
        return Exemption(id: id, when: when, exempts: all ? nil : exempts, except: except, cite: cite, precedence: precedence)
    }

    /// Two exemptions with equal precedence naming one requirement leave the reported one undefined.
    mutating func checkExemptionConflicts(_ exemptions: [Exemption], requirements: [String], spans: [String: SourceSpan]) {
        for (i, a) in exemptions.enumerated() {
            for b in exemptions[(i + 1)...] where a.precedence == b.precedence {
                let shared = requirements.filter { a.covers($0) && b.covers($0) }
                guard let first = shared.first else { continue }
                typer.report(Diagnostic(
                    id: "pack.exemptionConflict",
                    message: "exemptions `\(a.id)` and `\(b.id)` both name `\(first)`\(shared.count > 1 ? " (and \(shared.count - 1) more)" : "") with precedence \(a.precedence)",
                    span: spans[b.id], help: "give one of them a higher `precedence`",
                    notes: [.init("`\(a.id)` is defined here", span: spans[a.id])]))
            }
        }
    }
}
