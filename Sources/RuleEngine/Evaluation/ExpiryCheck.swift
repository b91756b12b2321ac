import RuleBase
import RuleIR

/// Expiry rules the stored expiration date must agree with (`Grammar/pack-language.md` §3.12).
extension CredentialEvaluator {
    /// Compares the credential's stored `expiration_date` with the requirement's expiry rule and
    /// records the outcome on the result: `expiry_check` in the log, a trace line, and an
    /// `expiration_mismatch` gap when the two disagree. The stored date stays the one every other
    /// part of the evaluation uses; the rule is not trusted over the record, nor the record over
    /// the rule. A fact the rule needs that is absent (the nightly database run holds no key for
    /// `providers.date_of_birth`) leaves the rule unchecked, never a mismatch.
    func checkingExpiry(_ result: RequirementResult, _ requirement: Requirement) -> RequirementResult {
        guard let rule = requirement.expiry, let stored = credential.date(FactColumns.expirationDate) else { return result }
        var result = result
        let provider = context.facts.rows(FactSchema.providers.name).first
        let lastName = provider?.string("last_name")
        let dateOfBirth = provider?.date("date_of_birth")
        let cite = loaded.citationReferences[rule.cite ?? requirement.cite] ?? rule.cite ?? requirement.cite
        switch rule.check(stored: stored, lastName: lastName, dateOfBirth: dateOfBirth, licenseType: credential.string("license_type")) {
        case .matches:
            result.expiryCheck = "matches: \(stored) is \(rule.description)"
        case .notChecked(let why):
            result.expiryCheck = "not checked: \(why)"
        case .mismatch(let expected):
            let basis = rule.needs.map { need in
                need == "last_name" ? "last name \(lastName ?? "")" : "born \(dateOfBirth?.description ?? "")"
            }
            let facts = basis.isEmpty ? "" : " (" + basis.joined(separator: ", ") + ")"
            result.expiryCheck = "mismatch: expected \(expected), stored \(stored)"
            result.gaps.append(Gap(
                type: .expirationMismatch, code: nil,
                description: "\(credentialNoun)'s stored expiration date \(stored) does not agree with the expiry rule, \(rule.description)\(facts): "
                    + "expected \(expected); the evaluation uses the stored date (\(cite))",
                severity: .medium, requirementID: requirement.id, citation: cite, dueDate: nil))
        }
        if tracing, let check = result.expiryCheck { result.trace.append("expiry rule (\(rule.description)): \(check)") }
        return result
    }
}
