import ArgumentParser
import RuleBase
import RuleCompiler
import RuleIR
import RuleStore

/// `credrules publish`: compile packs and publish new rule versions to the database.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Compile rule packs and publish each changed one as a new rule version.",
        discussion: """
            A pack whose compiled bytes equal the latest published version of its rule type is left alone; \
            a changed one becomes the next version_number of its rule type. Published versions never change. \
            cme_categories_required gets the CME hours of each new version. Nothing is published when any pack \
            has errors. Runs as the credrules_loader role.
            """)

    @OptionGroup var options: DatabaseOptions

    @Argument(help: "Pack files or folders.")
    var paths: [String]

    func run() throws {
        let compiled = try PackSetLoading.compileReportingErrors(paths, format: .human)
        // In pack order, then the pack's own version: numbering is the same on every machine.
        let versions = compiled.packs.map(\.ruleVersion)
            .sorted { ($0.pack, $0.version) < ($1.pack, $1.version) }
            .map(Self.publishable)
        let connection = try options.connect()
        let outcomes = try options.audited(connection, role: DatabaseRole.loader.rawValue, action: "publish", resource: "rule_versions") {
            try connection.assumeRole(.loader)
            let outcomes = try connection.publish(versions)
            try connection.execute("RESET ROLE")
            return (outcomes, [
                ("packs", .array(compiled.packs.map { .string($0.path) })),
                ("published", .array(outcomes.filter(\.published).map { .string("\($0.ruleType)#\($0.versionNumber)") })),
                ("unchanged", .array(outcomes.filter { !$0.published }.map { .string("\($0.ruleType)#\($0.versionNumber)") })),
            ])
        }
        for outcome in outcomes {
            print(outcome.published
                ? "published \(outcome.ruleType) as version \(outcome.versionNumber)"
                : "unchanged \(outcome.ruleType) (version \(outcome.versionNumber))")
        }
    }

    /// The store's view of a rule version, with its CME hours for `cme_categories_required`.
    static func publishable(_ version: RuleVersion) -> PublishableRuleVersion {
        var rows: [CMERequirement] = []
        if let state = version.appliesTo.state {
            for requirement in version.requirements where requirement.kind == .cmeHours {
                guard let hours = hours(of: requirement, in: version) else { continue }
                let months = requirement.lookbackMonths ?? version.cycle.months
                for category in requirement.categories.map({ $0.map(Optional.some) }) ?? [nil] {
                    rows.append(CMERequirement(requirementID: requirement.id, state: state, cycleLengthMonths: months,
                                               category: category, creditsRequired: hours))
                }
            }
        }
        return PublishableRuleVersion(ruleType: version.pack, canonicalJSON: version.canonicalJSON, sha256: version.hash,
                                      cmeRequirements: rows)
    }

    /// Constant hours, or a plain `params.NAME` reference (its latest dated value); hours
    /// computed by an expression cannot be materialised and are left out.
    static func hours(of requirement: Requirement, in version: RuleVersion) -> String? {
        switch requirement.hours {
        case .constant(let value)?:
            return value.description
        case .expression(let expression)?:
            let source = expression.source.trimmingCharacters(in: .whitespaces)
            guard source.hasPrefix("params."),
                  let parameter = version.parameters.first(where: { "params." + $0.name == source }),
                  let latest = parameter.values.max(by: { $0.from < $1.from })
            else { return nil }
            switch latest.value {
            case .int, .decimal: return latest.value.description
            default: return nil
            }
        case .anyRecord?, nil:
            // `hours: any` names no figure a dashboard could show.
            return nil
        }
    }
}
