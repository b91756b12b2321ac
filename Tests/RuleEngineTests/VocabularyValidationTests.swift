import RuleBase
import RuleEngine
import RuleIR
import Testing

/// Facts are checked against the one fact schema: coded columns against their vocabulary,
/// known columns only, provider attributes against their declarations, dates in order.
@Suite struct VocabularyValidationTests {
    static let license = #""id": "L1", "provider_id": "p1", "state": "TX", "license_type": "MD", "issue_date": "2015-01-01", "expiration_date": "2027-01-31""#

    /// The one error a single-row document gives, on JSON Lines line 3.
    static func error(_ json: String) throws -> FactError? {
        let (_, errors) = FactLoader.load(try JSONParser.parse(json), line: 3)
        #expect(errors.count == 1, "\(errors.map(\.summary))")
        return errors.first
    }

    @Test func licenseStatusIsCaseSensitiveWithASuggestion() throws {
        let error = try Self.error(#"{"licenses": [{\#(Self.license), "status": "Active"}]}"#)
        #expect(error?.table == "licenses")
        #expect(error?.rowID == "L1")
        #expect(error?.column == "status")
        #expect(error?.line == 3)
        #expect(error?.message == "`Active` is not a license status: expected one of `active`, `inactive`, `expired`, `suspended`, `revoked`; did you mean `active`?")
    }

    @Test func stateNamesAreAnsweredWithTheirCode() throws {
        let error = try Self.error(#"{"licenses": [{"id": "L1", "provider_id": "p1", "state": "Virginia", "status": "active", "expiration_date": "2027-01-31"}]}"#)
        #expect(error?.column == "state")
        #expect(error?.message == "`Virginia` is not a state code: expected a two-letter USPS code such as `TX` or `DC`; did you mean `VA`?")
        let dc = FactLoader.load(try JSONParser.parse(#"{"licenses": [{"id": "L1", "provider_id": "p1", "state": "DC", "status": "active", "expiration_date": "2027-01-31"}]}"#))
        #expect(dc.errors.isEmpty)
    }

    @Test func cmeCategoryAndCreditTypeComeFromTheirVocabularies() throws {
        let category = try Self.error(#"{"cme_events": [{"id": "E1", "provider_id": "p1", "category": "General", "credits_earned": 2, "completion_date": "2026-01-01"}]}"#)
        #expect(category?.column == "category")
        #expect(category?.message.hasSuffix("did you mean `general`?") == true)
        #expect(category?.message.hasPrefix("`General` is not a CME category") == true)
        let credit = try Self.error(#"{"cme_events": [{"id": "E1", "provider_id": "p1", "category": "general", "credit_type": "AMA PRA 1", "credits_earned": 2, "completion_date": "2026-01-01"}]}"#)
        #expect(credit?.column == "credit_type")
        #expect(credit?.message == "`AMA PRA 1` is not a credit type: expected one of `ama_pra_1`, `aoa_1a`, `aoa_1b`, `other`; did you mean `ama_pra_1`?")
    }

    @Test func unknownColumnsAreRejected() throws {
        let error = try Self.error(#"{"licenses": [{\#(Self.license), "status": "active", "colour": "blue"}]}"#)
        #expect(error?.column == "colour")
        #expect(error?.message.hasPrefix("unknown column `colour` in `licenses`") == true)
        let typo = try Self.error(#"{"licenses": [{\#(Self.license), "stauts": "active", "status": "active"}]}"#)
        #expect(typo?.message == "unknown column `stauts` in `licenses`; did you mean `status`?")
    }

    @Test func attributeKeysAndValuesAreTypedByTheirDeclarations() throws {
        let key = try Self.error(#"{"provider_attributes": [{"provider_id": "p1", "key": "in_residnecy", "value": true}]}"#)
        #expect(key?.rowID == "p1/in_residnecy")
        #expect(key?.column == "key")
        #expect(key?.message == "unknown provider attribute `in_residnecy`; did you mean `in_residency`?")
        let value = try Self.error(#"{"provider_attributes": [{"provider_id": "p1", "key": "in_residency", "value": "true"}]}"#)
        #expect(value?.column == "value")
        #expect(value?.message == #"attribute `in_residency` is declared bool: expected true or false (not a string), found "true""#)
        let share = FactLoader.load(try JSONParser.parse(#"{"provider_attributes": [{"provider_id": "p1", "key": "geriatric_patient_share", "value": "0.4"}]}"#))
        #expect(share.errors.isEmpty)
    }

    @Test func anIssueDateAfterTheExpirationDateIsRejected() throws {
        let error = try Self.error(#"{"licenses": [{"id": "L1", "provider_id": "p1", "state": "TX", "status": "active", "issue_date": "2028-01-01", "expiration_date": "2027-01-31"}]}"#)
        #expect(error?.column == "issue_date")
        #expect(error?.message == "issue_date 2028-01-01 is after expiration_date 2027-01-31")
    }

    @Test func specialtyLicenseTypeAndScheduleColumnsAreChecked() throws {
        let specialty = try Self.error(#"{"board_certifications": [{"id": "B1", "provider_id": "p1", "specialty": "Radiology"}]}"#)
        #expect(specialty?.message.hasSuffix("did you mean `radiology`?") == true)
        let type = try Self.error(#"{"licenses": [{"id": "L1", "provider_id": "p1", "state": "TX", "license_type": "md", "status": "active", "expiration_date": "2027-01-31"}]}"#)
        #expect(type?.column == "license_type")
        let schedules = try Self.error(#"{"dea_registrations": [{"id": "D1", "provider_id": "p1", "expiration_date": "2027-01-31", "schedules": "2,3"}]}"#)
        #expect(schedules?.column == "schedules")
    }

    @Test func theCompilerAndTheEngineShareOneSchema() {
        // Every credential kind's table is a schema table that knows its kind.
        for kind in CredentialKind.allCases {
            #expect(FactSchema.byName[kind.table]?.credentialKind == kind)
        }
        #expect(ExpressionVariables.factLists.allSatisfy { FactSchema.byName[$0] != nil })
        #expect(FactSchema.providerStates.column("id")?.required == true)
        #expect(FactSchema.providers.column("npi") != nil)
        // A column name has one type in every table (expressions type `r.NAME` by it).
        for table in FactSchema.tables {
            for column in table.columns { #expect(FactSchema.columnType(named: column.name) == column.type, "\(table.name).\(column.name)") }
        }
    }
}
