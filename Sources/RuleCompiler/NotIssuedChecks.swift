import RuleBase
import RuleSyntax
import RuleIR

extension PackChecker {
    /// `not_issued:` (`Grammar/pack-language.md` §2.1): credential types the pack's state does not
    /// issue. Only a state's controlled-substance registration can be absent: every jurisdiction
    /// licenses physicians, DEA registrations are federal and board certifications national.
    mutating func notIssued(credential own: CredentialKind?, state: String?) -> [NotIssued] {
        var out: [NotIssued] = []
        var seen: [CredentialKind: SourceSpan] = [:]
        let context = "a `not_issued` entry"
        for m in syntax.notIssued {
            let field = typer.require(m, "credential", in: context, help: "name the credential type, e.g. `credential: csr_certificate`")
            let kind = field.flatMap {
                typer.oneOf($0.value, CredentialKind.allCases.map(\.rawValue), what: "credential kind").flatMap(CredentialKind.init(rawValue:))
            }
            let cite = cite(m, context: context)
            guard let field, let kind, let cite else { continue }
            let why: String? = switch kind {
            case .csrCertificate where own == .csrCertificate: "a `csr_certificate` pack cannot declare its own credential not issued"
            case .csrCertificate where state == nil: "a `not_issued` entry needs the pack's state (`applies_to.state`): it says what that state does not issue"
            case .csrCertificate: nil
            case .license: "every jurisdiction licenses physicians: a license cannot be declared not issued"
            case .deaRegistration: "DEA registrations are federal: no state issues or withholds them"
            case .boardCertification: "board certifications are national: no state issues or withholds them"
            }
            if let why {
                typer.report(Diagnostic(id: "pack.notIssued", message: why, span: field.value.span,
                                        help: "only `csr_certificate` can be declared not issued, in a pack that names its state"))
                continue
            }
            if let first = seen[kind] {
                typer.report(Diagnostic(id: "pack.notIssued", message: "`\(kind.rawValue)` is declared not issued twice", span: field.value.span,
                                        help: "keep one entry", notes: [.init("first declared here", span: first)]))
                continue
            }
            seen[kind] = field.value.span
            out.append(NotIssued(credential: kind, cite: cite))
        }
        return out
    }
}

extension PackCompiler {
    /// A state declared not to issue a credential type while a pack for that type and state is
    /// in force on some of the same days: one of the two is wrong.
    static func checkNotIssued(_ packs: [CompiledPack], spans: [String: SourceSpan]) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for declaring in packs {
            let version = declaring.ruleVersion
            for entry in version.notIssued {
                for other in packs where other.ruleVersion.credential == entry.credential
                    && other.ruleVersion.appliesTo.state == version.appliesTo.state
                    && other.ruleVersion.effective.overlaps(version.effective)
                {
                    out.append(Diagnostic(
                        id: "pack.notIssuedButCovered",
                        message: "`\(version.id)` says US-\(version.appliesTo.state ?? "?") issues no `\(entry.credential.rawValue)`, "
                            + "but `\(other.ruleVersion.id)` evaluates one in force on some of the same days",
                        span: spans[declaring.path],
                        help: "remove the `not_issued` entry, or end one version's `effective` range where the law changed",
                        notes: [.init("the \(entry.credential.rawValue) pack", span: spans[other.path])]))
                }
            }
        }
        return out
    }
}
