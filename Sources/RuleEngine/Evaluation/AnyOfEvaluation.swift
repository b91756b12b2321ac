import RuleBase
import RuleIR

/// Look-backs of which any one satisfies a `cme_hours` requirement (`Grammar/pack-language.md` §3.14).
extension CredentialEvaluator {
    /// Each option's figures are counted as `cme_hours` requirements of their own (the same event rules:
    /// window bounds, an event's expiration, a cure period), over the option's `lookback_months`; the
    /// requirement is met by the first option, in pack order, whose figures are all reached.
    func anyOf(_ requirement: Requirement, options: [LookbackOption], cycle: DerivedCycle, scope: Scope) -> RequirementResult {
        var evaluated: [(option: LookbackOption, results: [RequirementResult])] = []
        for option in options {
            let results = option.figures.enumerated().map { index, figure in
                var part = Requirement(id: "\(requirement.id)/\(option.id)/\(index + 1)", title: requirement.title, kind: .cmeHours,
                                       cite: requirement.cite, severity: requirement.severity,
                                       gapType: figure.categories == nil ? .cmeHoursShort : .cmeCategoryShort)
                part.hours = .constant(figure.hours)
                part.categories = figure.categories
                part.creditTypes = figure.creditTypes
                part.lookbackMonths = option.lookbackMonths
                return hours(part, cycle: cycle, scope: scope)
            }
            evaluated.append((option, results))
        }
        func describe(_ figure: HoursFigure, _ r: RequirementResult) -> String {
            let filter = (figure.categories.map { " in " + $0.map { $0.replacingOccurrences(of: "_", with: " ") }.joined(separator: " or ") } ?? "")
                + (figure.creditTypes.map { " (" + $0.joined(separator: ", ") + ")" } ?? "")
            return "\(r.earned ?? .zero) of \(figure.hours) hours\(filter)"
        }
        func summary(_ e: (option: LookbackOption, results: [RequirementResult])) -> String {
            "\(e.option.title) (\(e.option.lookbackMonths) months): " + zip(e.option.figures, e.results).map(describe).joined(separator: ", ")
        }
        var trace: [String] = []
        if tracing {
            for e in evaluated {
                let met = e.results.allSatisfy { $0.outcome == .met }
                trace.append("option \(e.option.id): \(summary(e)) → \(met ? "met" : "not met")"
                    + (e.results.first?.windowStart.map { ", window from \($0)" } ?? ""))
            }
        }
        let chosen = evaluated.first { $0.results.allSatisfy { $0.outcome == .met } }
        let shown = chosen ?? evaluated[0]
        var result = RequirementResult(id: requirement.id, kind: requirement.kind, outcome: .met, reason: "")
        result.earned = shown.results.first?.earned
        result.required = shown.results.first?.required
        result.windowStart = shown.results.first?.windowStart
        result.windowEnd = shown.results.first?.windowEnd
        result.deadline = shown.results.first?.deadline
        var rows: [String] = []
        for row in shown.results.flatMap(\.countedRows) where !rows.contains(row) { rows.append(row) }
        result.countedRows = rows
        result.trace = trace
        if let chosen {
            result.reason = "met by \(summary(chosen))"
            return result
        }
        if let unknown = evaluated.flatMap(\.results).first(where: { $0.outcome == .unknown }) {
            var u = unknown
            u.id = requirement.id
            u.trace = trace + unknown.trace
            u.gaps = unknown.gaps.map { var g = $0; g.requirementID = requirement.id; return g }
            return u
        }
        let cite = citation(requirement.cite)
        result.outcome = .unmet
        result.reason = "no option met: " + evaluated.map(summary).joined(separator: "; ")
        result.gaps = [Gap(type: requirement.gapType, code: nil,
                           description: "None of the \(options.count) options of \(requirement.title) is met: "
                               + evaluated.map(summary).joined(separator: "; ") + " (\(cite))",
                           severity: requirement.severity, requirementID: requirement.id, citation: cite, dueDate: result.deadline)]
        return result
    }
}
