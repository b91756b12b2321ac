import RuleBase
import RuleExpressions
import RuleIR

/// Evaluates one rule version for one credential row.
struct CredentialEvaluator {
    let loaded: LoadedRuleVersion
    let context: ProviderContext
    let credential: FactRow
    let asOf: CalendarDate
    /// Whether to record what each requirement saw (for `explain`); off in bulk runs.
    var tracing = false

    private var version: RuleVersion { loaded.version }

    func run(recordingLog: Bool) -> CredentialEvaluation {
        let cycle = deriveCycle()
        var parameterSlots: [CELValue?] = []
        var parameterValues: [(String, ScalarValue)] = []
        for parameter in loaded.sortedParameters {
            let value = cycle.end.flatMap { parameter.value(forCycleEnding: $0) }
            parameterSlots.append(value?.celValue)
            if let value { parameterValues.append((parameter.name, value)) }
        }
        var attributeSlots: [CELValue?] = []
        var missingAttributes = Set<String>()
        var defaultsUsed: [(String, ScalarValue)] = []
        var onFile: [(String, ScalarValue)] = []
        for declaration in loaded.sortedAttributes {
            if let raw = context.attributes[declaration.key], let value = ScalarValue(json: raw, type: declaration.type) {
                attributeSlots.append(value.celValue)
                if tracing { onFile.append((declaration.key, value)) }
            } else if let fallback = declaration.defaultValue, !context.rejectedAttributes.contains(declaration.key) {
                attributeSlots.append(fallback.celValue)
                defaultsUsed.append((declaration.key, fallback))
            } else {
                attributeSlots.append(nil)
                missingAttributes.insert(declaration.key)
            }
        }
        // Filled by the plan made when the rule version was loaded: no name lookups here.
        var slots: [CELValue?] = []
        slots.reserveCapacity(loaded.slotPlan.count)
        for source in loaded.slotPlan {
            switch source {
            case .fixed(let variable): slots.append(fixedValue(variable, cycle))
            case .parameter(let index): slots.append(parameterSlots[index])
            case .attribute(let index): slots.append(attributeSlots[index])
            case .unbound: slots.append(nil)
            }
        }
        let scope = Scope(activation: CELActivation(slots: slots), missingAttributes: missingAttributes, loaded: loaded)

        var results: [RequirementResult] = []
        results.reserveCapacity(version.requirements.count)
        // By index, each requirement passed where it lies: a copy of one retains each of its many fields.
        let requirements = version.requirements
        for index in requirements.indices {
            var result = evaluate(requirements[index], exemptions: loaded.exemptionsByRequirement[index], cycle: cycle, scope: scope)
            applyAlternatives(loaded.alternativesByRequirement[index], to: &result, scope: scope)
            applyConsequence(requirements[index], to: &result)
            results.append(result)
        }
        var gaps = results.flatMap(\.gaps)
        gaps += credentialGaps(cycle: cycle, results: results)
        let status = Self.status(cycle: cycle, results: results, credentialGaps: gaps, asOf: asOf,
                                 warnDays: version.cycle.warnWithinDays)
        let daysUntilDue = cycle.end.map { asOf.days(until: $0) }
        var evaluation = CredentialEvaluation(
            providerID: context.facts.providerID, ruleVersionID: loaded.id, ruleType: version.pack,
            ruleVersionHash: loaded.hash, asOf: asOf, credentialKind: version.credential, credentialID: credential.id,
            windowStart: cycle.windowStart, windowEnd: cycle.end, nextRenewalDate: cycle.end, daysUntilDue: daysUntilDue,
            renewalNumber: cycle.renewalNumber, status: status, requirements: results, gaps: gaps,
            parameterValues: parameterValues, defaultsUsed: defaultsUsed)
        evaluation.attributesOnFile = onFile
        guard recordingLog else { return evaluation }
        LogDocuments.writeLogLine(&evaluation, loaded: loaded, context: context, credential: credential)
        return evaluation
    }

    // MARK: Cycle

    struct DerivedCycle {
        var issue: CalendarDate?
        var end: CalendarDate?
        var windowStart: CalendarDate?
        var renewalNumber: Int?
        var monthsLicensed: Int?
    }

    /// The cycle ends on the credential's expiration date. The renewal number is the smallest
    /// k ≥ 1 with end ≤ issue + first_term_months + (k − 1) × months (the first term may run
    /// longer or shorter than a cycle). The CME window is the `cme_window_months` ending on the
    /// expiration date, starting the day after; the first cycle's window starts at the issue date.
    func deriveCycle() -> DerivedCycle {
        var cycle = DerivedCycle()
        cycle.end = credential.date(FactColumns.expirationDate)
        cycle.issue = credential.date(FactColumns.issueDate)
        guard let end = cycle.end else { return cycle }
        let months = max(1, version.cycle.months)
        if let issue = cycle.issue {
            var k = 1
            while k < 1000, let limit = issue.adding(months: version.cycle.firstTermMonths + (k - 1) * months), limit < end { k += 1 }
            cycle.renewalNumber = k
            cycle.monthsLicensed = Self.wholeMonths(from: issue, to: end)
        }
        if var start = end.adding(months: -version.cycle.cmeWindowMonths)?.adding(days: 1) {
            if let issue = cycle.issue, issue <= end, issue > start || cycle.renewalNumber == 1 { start = issue }
            cycle.windowStart = start
        }
        return cycle
    }

    static func wholeMonths(from a: CalendarDate, to b: CalendarDate) -> Int {
        guard a <= b else { return 0 }
        var months = (b.year - a.year) * 12 + (b.month - a.month)
        if let shifted = a.adding(months: months), shifted > b { months -= 1 }
        return max(0, months)
    }

    private func fixedValue(_ variable: LoadedRuleVersion.FixedVariable, _ cycle: DerivedCycle) -> CELValue? {
        switch variable {
        case .asOf: .date(asOf)
        case .credentialID: .string(credential.id)
        case .credentialState: .string(credential.string("state") ?? "")
        case .credentialLicenseType: .string(credential.string("license_type") ?? "")
        case .credentialStatus: .string(credential.string(FactColumns.status) ?? (credential.table == FactSchema.licenses.name ? "" : "active"))
        case .credentialIssueDate: cycle.issue.map { .date($0) }
        case .credentialExpirationDate, .cycleEnd: cycle.end.map { .date($0) }
        case .cycleStart: cycle.windowStart.map { .date($0) }
        case .renewalNumber: cycle.renewalNumber.map { .int(Int64($0)) }
        case .monthsLicensed: cycle.monthsLicensed.map { .int(Int64($0)) }
        case .factList(let table): context.lists[table]
        }
    }

    // MARK: Requirements

    struct Scope {
        let activation: CELActivation
        let missingAttributes: Set<String>
        let loaded: LoadedRuleVersion

        enum Outcome {
            case value(CELValue)
            case missing([String])
            case failed(String)
        }

        /// Missing attributes stay unbound: CEL's `||` and `&&` absorb the error when the other
        /// side decides, and only an expression that really needed the fact is `missing`.
        func evaluate(_ expression: Expression) -> Outcome {
            switch loaded.evaluate(expression, activation) {
            case .success(let value): return .value(value)
            case .failure(let failure):
                let missing = expression.attributes.filter { missingAttributes.contains($0) }
                return missing.isEmpty ? .failed(failure.message) : .missing(missing)
            }
        }
    }

    func citation(_ id: String) -> String {
        loaded.citationReferences[id] ?? id
    }

    private func unknown(_ requirement: Requirement, _ what: String, trace: [String]) -> RequirementResult {
        var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .unknown, reason: what)
        result.trace = trace
        result.gaps = [Gap(type: .missingData, code: nil, description: "Cannot decide \(requirement.title): \(what) (\(citation(requirement.cite)))",
                           severity: .medium, requirementID: requirement.id, citation: citation(requirement.cite), dueDate: nil)]
        return result
    }

    /// - Parameter exemptions: those covering the requirement, in the order they are tried.
    private func evaluate(_ requirement: Requirement, exemptions: [Exemption], cycle: DerivedCycle, scope: Scope) -> RequirementResult {
        var trace: [String] = []
        if credential.table == FactSchema.licenses.name, version.appliesTo.licenseTypes != nil, credential.string(FactColumns.licenseType) == nil {
            return unknown(requirement, "license \(credential.id) has no license_type", trace: trace)
        }
        if let cadence = requirement.cadence {
            guard let n = cycle.renewalNumber else {
                return unknown(requirement, "the renewal number needs the credential's issue_date", trace: trace)
            }
            if tracing { trace.append("cadence: renewal \(n) \(cadence.includes(renewal: n) ? "is" : "is not") a due renewal") }
            if !cadence.includes(renewal: n) {
                var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .notApplicable,
                                               reason: "not due at renewal \(n)")
                result.trace = trace
                return result
            }
        }
        if let when = requirement.when {
            switch scope.evaluate(when) {
            case .missing(let keys):
                return unknown(requirement, "missing provider attribute \(keys.map { "`\($0)`" }.joined(separator: ", "))", trace: trace)
            case .failed(let message):
                return unknown(requirement, "condition `\(when.source)` failed: \(message)", trace: trace)
            case .value(let value):
                if tracing { trace.append("when `\(when.source)` → \(Self.describe(value))") }
                if value != .bool(true) {
                    var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .notApplicable,
                                                   reason: "condition is false")
                    result.trace = trace
                    return result
                }
            }
        }
        // Exemptions: the highest precedence that holds wins; ties resolve by pack order.
        for exemption in exemptions {
            switch scope.evaluate(exemption.when) {
            case .value(.bool(true)):
                if tracing { trace.append("exemption \(exemption.id): `\(exemption.when.source)` → true (\(citation(exemption.cite)))") }
                var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .exempt,
                                               reason: "exempt under \(exemption.id) (\(citation(exemption.cite)))")
                result.exemptedBy = exemption.id
                result.trace = trace
                return result
            case .value(let v):
                if tracing { trace.append("exemption \(exemption.id): `\(exemption.when.source)` → \(Self.describe(v))") }
            case .missing(let keys):
                if tracing { trace.append("exemption \(exemption.id): not decided, missing \(keys.joined(separator: ", "))") }
            case .failed(let message):
                if tracing { trace.append("exemption \(exemption.id): failed: \(message)") }
            }
        }
        if let table = Self.tableRead(by: requirement), let rows = context.rejected[table] ?? context.rejected[""], !rows.isEmpty {
            // A total over rows one of which was rejected is not a total: say so rather than
            // report a confident shortfall.
            let named = rows.prefix(3).map(\.summary).joined(separator: "; ") + (rows.count > 3 ? "; and \(rows.count - 3) more" : "")
            return unknown(requirement, "\(rows.count == 1 ? "a \(table) row was" : "\(rows.count) \(table) rows were") rejected (\(named))", trace: trace)
        }
        var result: RequirementResult
        switch requirement.kind {
        case .credentialCurrent: result = checkingExpiry(credentialCurrent(requirement, cycle: cycle), requirement)
        case .cmeHours, .oneTimeTraining:
            result = requirement.anyOf.map { anyOf(requirement, options: $0, cycle: cycle, scope: scope) } ?? hours(requirement, cycle: cycle, scope: scope)
        case .registrationCurrent, .certificationCurrent: result = registration(requirement)
        case .custom: result = custom(requirement, cycle: cycle, scope: scope)
        }
        if !trace.isEmpty { result.trace = trace + result.trace }
        return result
    }

    /// The fact table a requirement kind totals or looks up rows in.
    static func tableRead(by requirement: Requirement) -> String? {
        switch requirement.kind {
        case .cmeHours, .oneTimeTraining: FactSchema.cmeEvents.name
        case .registrationCurrent: (requirement.registration ?? .deaRegistration).table
        case .certificationCurrent: FactSchema.boardCertifications.name
        case .credentialCurrent, .custom: nil
        }
    }

    var credentialNoun: String {
        switch version.credential {
        case .license: "License \(credential.string("license_number") ?? credential.id)"
        case .deaRegistration: "DEA registration \(credential.string("registration_number") ?? credential.id)"
        case .csrCertificate: "Controlled-substance registration \(credential.string("csr_number") ?? credential.id)"
        case .boardCertification: "Board certification \(credential.id)"
        }
    }

    private func credentialCurrent(_ requirement: Requirement, cycle: DerivedCycle) -> RequirementResult {
        let cite = citation(requirement.cite)
        var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .met, reason: "in force")
        guard let end = cycle.end else { return unknown(requirement, "no expiration_date", trace: []) }
        result.deadline = end
        let status = credential.string("status") ?? "active"
        if tracing { result.trace.append("status \(status), expires \(end)") }
        if status == "active", var graced = inGrace(requirement, end: end, noun: credentialNoun, cite: cite) {
            graced.trace = result.trace + graced.trace
            return graced
        }
        if status == "expired" || (status == "active" && end < asOf) {
            result.outcome = .unmet
            result.reason = "expired on \(end)"
            var when = end < asOf ? "expired on \(end), \(end.days(until: asOf)) days ago" : "is recorded as expired (expiration date \(end))"
            if let last = requirement.grace?.lastDay(after: end), last < asOf { when += "; its grace period ended on \(last)" }
            result.gaps.append(Gap(type: .credentialExpired, code: nil, description: "\(credentialNoun) \(when) (\(cite))",
                                   severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: end))
        } else if status != "active" {
            result.outcome = .unmet
            result.reason = "status is \(status)"
            result.gaps.append(Gap(type: .credentialInactive, code: nil, description: "\(credentialNoun) is \(status) (\(cite))",
                                   severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: nil))
        } else if asOf.days(until: end) <= version.cycle.warnWithinDays {
            result.gaps.append(Gap(type: .credentialExpiring, code: nil,
                                   description: "\(credentialNoun) expires on \(end), in \(asOf.days(until: end)) days (\(cite))",
                                   severity: .medium, requirementID: requirement.id, citation: cite, dueDate: end))
        }
        return result
    }

    /// The deadline of a one-time training, relative to the current cycle.
    func resolve(_ deadline: Deadline, cycle: DerivedCycle) -> CalendarDate? {
        let months = max(1, version.cycle.months)
        switch deadline {
        case .date(let d): return d
        case .monthsAfterIssue(let n): return cycle.issue?.adding(months: n)
        case .renewal(let k):
            guard let end = cycle.end, let n = cycle.renewalNumber else { return nil }
            return end.adding(months: (k - n) * months)
        case .firstRenewalAfter(let date):
            // Never a cycle end before the credential existed.
            let d = max(date, cycle.issue ?? date)
            guard var end = cycle.end else { return nil }
            var steps = 0
            while end < d, steps < 10_000, let next = end.adding(months: months) { end = next; steps += 1 }
            while steps < 10_000, let previous = end.adding(months: -months), previous >= d { end = previous; steps += 1 }
            return end
        case .earliestOf(let list):
            let dates = list.map { resolve($0, cycle: cycle) }
            return dates.contains(nil) ? nil : dates.compactMap { $0 }.min()
        case .latestOf(let list):
            let dates = list.map { resolve($0, cycle: cycle) }
            return dates.contains(nil) ? nil : dates.compactMap { $0 }.max()
        }
    }

    func hours(_ requirement: Requirement, cycle: DerivedCycle, scope: Scope) -> RequirementResult {
        let cite = citation(requirement.cite)
        var trace: [String] = []
        var required: ExactDecimal
        switch requirement.hours {
        case .constant(let d)?: required = d
        case .expression(let e)?:
            switch scope.evaluate(e) {
            case .value(.decimal(let d)):
                required = d
                if tracing { trace.append("hours `\(e.source)` → \(d)") }
            case .value(.int(let i)):
                required = ExactDecimal(Int(i))
                if tracing { trace.append("hours `\(e.source)` → \(i)") }
            case .value(let v): return unknown(requirement, "hours `\(e.source)` gave \(Self.describe(v))", trace: trace)
            case .missing(let keys): return unknown(requirement, "missing provider attribute \(keys.joined(separator: ", "))", trace: trace)
            case .failed(let message): return unknown(requirement, "hours `\(e.source)` failed: \(message)", trace: trace)
            }
        case .anyRecord?, nil: required = .zero
        }
        let fullRequired = required
        var proratedNote = ""
        var prorated: String?
        if let rule = requirement.prorate {
            switch proration(rule, full: required, cycle: cycle) {
            case .full: if tracing { trace.append("\(rule.description): \(cycle.monthsLicensed ?? 0) months licensed, the full \(required) hours") }
            case .prorated(let figure, let explanation):
                required = figure
                prorated = explanation
                proratedNote = "; prorated: \(explanation)"
                if tracing { trace.append("\(rule.description): \(explanation)") }
            case .unknown(let why): return unknown(requirement, why, trace: trace)
            }
        }
        let anyRecord = requirement.hours == .anyRecord
        let isTraining = requirement.kind == .oneTimeTraining
        var windowStart: CalendarDate?
        var windowEnd = cycle.end
        var deadline: CalendarDate?
        // In a cure period (§3.8) what was due at the expiration date is due at the grace end.
        let cure = cureEnd(cycle: cycle)
        let cured = cycle.end.flatMap { end in cure.map { asOf > end ? $0 : end } } ?? cycle.end
        if isTraining {
            deadline = requirement.deadline.map { resolve($0, cycle: cycle) } ?? cured
            guard deadline != nil else { return unknown(requirement, "the deadline needs the credential's issue_date", trace: trace) }
        } else {
            deadline = cured
            guard let end = cycle.end else { return unknown(requirement, "no expiration_date", trace: trace) }
            if tracing, let cure, asOf > end { trace.append("cure period: hours completed until \(cure) count for the cycle ending \(end)") }
            if let window = requirement.window {
                switch window.placement(expiringOn: end, cycleMonths: version.cycle.months) {
                case .counts(let start, let last):
                    windowStart = start
                    windowEnd = last
                    deadline = last
                    if tracing { trace.append("window \(start) to \(last): \(window.placementDescription); due by its last day") }
                case .notDue(let why):
                    var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .notApplicable, reason: why)
                    if tracing { result.trace = trace + ["window: \(window.placementDescription): \(why)"] }
                    return result
                case .undefined:
                    return unknown(requirement, "the CME window of \(end) leaves the calendar", trace: trace)
                }
            } else if let lookback = requirement.lookbackMonths {
                windowStart = end.adding(months: -lookback)?.adding(days: 1)
            } else {
                windowStart = cycle.windowStart
            }
        }
        var earned = ExactDecimal.zero
        var counted: [String] = []
        var lastCompletion: CalendarDate?
        var capTally = isTraining ? nil : requirement.caps.map(CapTally.init)
        for event in context.events {
            guard event.completed <= asOf else { continue }
            if let categories = requirement.categories, !categories.contains(event.category) { continue }
            if let excluded = requirement.excludedCategories, excluded.contains(event.category) { continue }
            if let creditTypes = requirement.creditTypes, !creditTypes.contains(event.creditType ?? "") { continue }
            if let from = requirement.countsFrom, event.completed < from {
                if tracing { trace.append("not counted \(event.id): completed \(event.completed), before \(from)") }
                continue
            }
            if !isTraining {
                // A cure period extends what counts only when the window is the renewal's own.
                guard let start = windowStart, let end = windowEnd, event.completed >= start,
                      event.completed <= (requirement.window == nil ? (cure ?? end) : end) else { continue }
                if let expires = event.expires, expires < end { continue }
            }
            guard let sum = earned.adding(event.credits) else { continue }
            if capTally != nil, capTally?.add(event.credits, category: event.category, creditType: event.creditType) == false { continue }
            earned = sum
            counted.append(event.id)
            lastCompletion = max(lastCompletion ?? event.completed, event.completed)
            if tracing { trace.append("counted \(event.id): \(event.credits) h \(event.category) on \(event.completed)") }
        }
        // Caps (§3.11): what a cap holds back is offered but not counted.
        var cappedNote = ""
        if let capTally {
            earned = capTally.counted
            let binding = capTally.results.filter { $0.offered > $0.counted }
            if tracing { for c in capTally.results { trace.append("cap \(c.description)") } }
            if !binding.isEmpty { cappedNote = "; capped: " + binding.map(\.description).joined(separator: "; ") }
        }
        var carriedNote = ""
        var carriedIn: ExactDecimal?
        if !isTraining, let rule = requirement.carryForward, let start = windowStart,
            let carried = carriedHours(requirement, rule: rule, required: fullRequired, windowStart: start, renewalNumber: cycle.renewalNumber)
        {
            if tracing { trace.append("carry forward: \(carried.note)") }
            if carried.hours > .zero, let sum = earned.adding(carried.hours) {
                earned = sum
                counted += carried.rows
                carriedIn = carried.hours
                carriedNote = ", including \(carried.hours) carried from the previous window"
            }
        }
        var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .met, reason: "")
        result.carriedIn = carriedIn
        result.prorated = prorated
        result.capped = capTally?.results
        result.earned = earned
        result.required = anyRecord ? nil : required
        result.windowStart = windowStart
        result.windowEnd = isTraining ? nil : windowEnd
        result.deadline = deadline
        result.countedRows = counted
        result.trace = trace
        if anyRecord ? !counted.isEmpty : earned >= required {
            result.reason = anyRecord ? "completed (\(counted.joined(separator: ", ")))" : "\(earned) of \(required) hours\(carriedNote)\(cappedNote)\(proratedNote)"
            if isTraining, let deadline, let last = lastCompletion, last > deadline {
                result.reason += ", completed \(last), after the \(deadline) deadline"
            }
            return result
        }
        result.outcome = .unmet
        let short = required.subtracting(earned) ?? required
        let topic = requirement.categories.map { $0.map { String($0.map { $0 == "_" ? " " : $0 }) }.joined(separator: " or ") + " " } ?? ""
        let except = requirement.excludedCategories.map { " other than " + $0.map { String($0.map { $0 == "_" ? " " : $0 }) }.joined(separator: " or ") } ?? ""
        let formal = requirement.creditTypes.map { " (credit types: \($0.joined(separator: ", ")))" } ?? ""
        let due = deadline.map { " by \($0)" } ?? ""
        result.reason = anyRecord ? "no matching record" + (requirement.countsFrom.map { " completed on or after \($0)" } ?? "")
            : "\(earned) of \(required) hours\(carriedNote)\(cappedNote)\(proratedNote)"
        let description: String
        let gapType: GapType
        if isTraining {
            gapType = .trainingMissing
            let since = requirement.countsFrom.map { ", completed on or after \($0)" } ?? ""
            description = anyRecord
                ? "Needs the one-time \(topic)training\(formal)\(since)\(due) (\(cite))"
                : "Needs \(short.formatted(minimumFractionDigits: 1)) more hours of one-time \(topic)training\(formal)\(since)\(due) (\(cite))"
        } else {
            gapType = requirement.categories == nil ? .cmeHoursShort : .cmeCategoryShort
            description = anyRecord
                ? "Needs a record of \(topic)CME\(except)\(formal)\(due): none completed in the window (\(cite))"
                : "Needs \(short.formatted(minimumFractionDigits: 1)) more hours of \(topic)CME\(except)\(formal)\(due): \(earned.formatted(minimumFractionDigits: 1)) of \(required.formatted(minimumFractionDigits: 1)) earned\(cappedNote.isEmpty ? "" : " (" + cappedNote.dropFirst(2) + ")") (\(cite))"
        }
        result.gaps = [Gap(type: requirement.gapType == .custom ? gapType : requirement.gapType, code: nil, description: description,
                           severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: deadline)]
        return result
    }

    private func registration(_ requirement: Requirement) -> RequirementResult {
        let cite = citation(requirement.cite)
        let table = requirement.kind == .certificationCurrent ? FactSchema.boardCertifications.name : (requirement.registration ?? .deaRegistration).table
        let noun = requirement.kind == .certificationCurrent
            ? "board certification" + (requirement.specialties.map { " in \($0.joined(separator: " or "))" } ?? "")
            : (requirement.registration == .csrCertificate ? "state controlled-substance registration" : "DEA registration")
        let state = credential.string("state") ?? ""
        let sameState = requirement.kind == .registrationCurrent && (requirement.sameState ?? true) && !state.isEmpty
        let held = context.facts.rows(table).filter { row in
            if sameState, row.string("state") != state { return false }
            if let specialties = requirement.specialties, !specialties.contains(row.string("specialty") ?? "") { return false }
            return true
        }
        var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .met, reason: "")
        let current = held.filter { row in row.date("expiration_date").map { $0 >= asOf } ?? (table == FactSchema.boardCertifications.name) }
        let place = sameState ? " for \(state)" : ""
        if let row = current.first {
            result.countedRows = current.map(\.id)
            result.reason = "\(row.id) current"
            if tracing { result.trace = current.map { "held \($0.id), expires \($0.string("expiration_date") ?? "never")" } }
            return result
        }
        // A registration row without a state may be the one for this state: undecided, as
        // `dea_registrations.exists(r, r.state == credential.state)` is (§3.4).
        if sameState, let stateless = Self.statelessRows(context.facts.rows(table)) {
            return unknown(requirement, stateless, trace: [])
        }
        result.outcome = .unmet
        if held.isEmpty {
            result.reason = "none held"
            result.gaps = [Gap(type: .registrationMissing, code: nil, description: "No \(noun)\(place) on file (\(cite))",
                               severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: nil)]
        } else {
            let latest = held.compactMap { $0.date("expiration_date") }.max()
            result.deadline = latest
            result.countedRows = held.map(\.id)
            result.reason = "expired"
            let type: GapType = requirement.kind == .certificationCurrent ? .certificationExpired : .registrationExpired
            result.gaps = [Gap(type: type, code: nil,
                               description: "The \(noun)\(place) expired on \(latest?.description ?? "an unknown date") (\(cite))",
                               severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: latest)]
        }
        return result
    }

    private func custom(_ requirement: Requirement, cycle: DerivedCycle, scope: Scope) -> RequirementResult {
        let cite = citation(requirement.cite)
        guard let check = requirement.check else { return unknown(requirement, "no check expression", trace: []) }
        switch scope.evaluate(check) {
        case .missing(let keys): return unknown(requirement, "missing provider attribute \(keys.joined(separator: ", "))", trace: [])
        case .failed(let message): return unknown(requirement, "check `\(check.source)` failed: \(message)", trace: [])
        case .value(let value):
            var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: value == .bool(true) ? .met : .unmet,
                                           reason: "check is \(Self.describe(value))")
            if tracing { result.trace = ["check `\(check.source)` → \(Self.describe(value))"] }
            result.deadline = cycle.end
            if result.outcome == .unmet {
                let message = requirement.message ?? requirement.title
                result.gaps = [Gap(type: .custom, code: requirement.code, description: "\(message) (\(cite))",
                                   severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: cycle.end)]
            }
            return result
        }
    }

    /// Gaps about the credential that no requirement reported (a pack without `credential_current`).
    private func credentialGaps(cycle: DerivedCycle, results: [RequirementResult]) -> [Gap] {
        guard !version.requirements.contains(where: { $0.kind == .credentialCurrent }) else { return [] }
        let status = credential.string("status") ?? "active"
        if status != "active" {
            return [Gap(type: .credentialInactive, code: nil, description: "\(credentialNoun) is \(status)", severity: .critical,
                        requirementID: nil, citation: nil, dueDate: nil)]
        }
        if let end = cycle.end, end < asOf {
            return [Gap(type: .credentialExpired, code: nil, description: "\(credentialNoun) expired on \(end)", severity: .critical,
                        requirementID: nil, citation: nil, dueDate: end)]
        }
        return []
    }

    /// Grammar/pack-language.md §8.
    static func status(
        cycle: DerivedCycle, results: [RequirementResult], credentialGaps gaps: [Gap], asOf: CalendarDate, warnDays: Int
    ) -> ComplianceStatus {
        if gaps.contains(where: { $0.type == .credentialExpired || $0.type == .credentialInactive || $0.type == .credentialDeactivated }) {
            return .nonCompliant
        }
        let unmet = results.filter { $0.outcome == .unmet }
        if unmet.contains(where: { $0.deadline.map { $0 < asOf } ?? true }) { return .nonCompliant }
        // Practising in a grace period is lawful but the renewal is overdue: never better than at_risk.
        if gaps.contains(where: { $0.type == .credentialInGrace }) { return .atRisk }
        if unmet.contains(where: { $0.deadline.map { asOf.days(until: $0) <= warnDays } ?? false }) { return .atRisk }
        if results.contains(where: { $0.outcome == .unknown }) { return .unknown }
        if !unmet.isEmpty { return .inProgress }
        return .compliant
    }

    static func describe(_ value: CELValue) -> String {
        switch value {
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .decimal(let d): d.description
        case .date(let d): d.description
        case .string(let s): "\"\(s)\""
        case .null: "null"
        default: value.typedJSON.compactText
        }
    }
}
