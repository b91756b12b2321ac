public import RuleBase

/// The type of a fact column's values.
public enum FactColumnType: String, Sendable, Hashable {
    /// A JSON string.
    case string
    /// A `YYYY-MM-DD` string.
    case date
    /// A JSON number or a decimal string, with at most 9 fractional digits.
    case decimal
    /// `true` or `false`.
    case bool
    /// An array of strings.
    case stringList
    /// Any JSON value (`address_json`).
    case json
    /// `provider_attributes.value`: typed by the declaration of the row's `key`.
    case attributeValue
}

/// A column of a fact table: its name, type, whether every row must give it, and the closed
/// vocabulary its values come from, if any.
public struct FactColumn: Sendable {
    /// The column name.
    public let name: String
    /// The type of its values.
    public let type: FactColumnType
    /// Whether a row without it (or with null) is rejected.
    public let required: Bool
    /// The codes the column takes, for a coded column.
    public let vocabulary: FactVocabulary?

    /// Creates a column.
    public init(_ name: String, _ type: FactColumnType, required: Bool = false, vocabulary: FactVocabulary? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.vocabulary = vocabulary
    }

    /// Why `value` (not null) does not fit the column, or nil when it does. `attributeKey` is
    /// the row's `key`, for an attribute value.
    public func problem(with value: JSONValue, attributeKey: String? = nil, attributes: AttributeCatalogue = .shared) -> String? {
        if let message = FactSchema.typeProblem(value, type, attributeKey: attributeKey, attributes: attributes) { return message }
        if let vocabulary, let code = value.stringValue, !vocabulary.contains(code) { return vocabulary.rejection(of: code) }
        return nil
    }
}

/// A fact table: its columns and where the engine finds the ones it reads.
///
/// A class: tables are looked up per document and passed per row, and a struct of this many
/// arrays would be retained field by field each time.
public final class FactTable: Sendable {
    /// The table name.
    public let name: String
    /// The columns in declaration order (required first).
    public let declared: [FactColumn]
    /// Every column sorted by name (the order canonical rows list them in), so that a row's
    /// members can be matched in one pass.
    public let columns: [FactColumn]
    /// Positions in ``columns`` in the order problems are reported: as declared.
    public let checkOrder: [Int]
    /// Whether rows carry `provider_id`; `providers` rows are the providers themselves.
    public let ownedByProvider: Bool
    /// The id column; `provider_attributes` rows are identified by provider and key.
    public let idColumn: String?
    /// The credential kind whose rows this table holds, for a credential table.
    public let credentialKind: CredentialKind?
    /// Positions in ``columns`` of the columns the engine reads per row.
    public let idPosition: Int
    public let providerIDPosition: Int
    public let keyPosition: Int?
    public let creditsPosition: Int?
    public let issuePosition: Int?
    public let expirationPosition: Int?

    init(_ name: String, _ declared: [FactColumn], ownedByProvider: Bool = true, idColumn: String? = FactColumns.id,
         credentialKind: CredentialKind? = nil) {
        self.name = name
        self.declared = declared
        self.ownedByProvider = ownedByProvider
        self.idColumn = idColumn
        self.credentialKind = credentialKind
        let columns = declared.sorted { utf8Precedes($0.name, $1.name) }
        func position(_ column: String) -> Int? { columns.firstIndex { $0.name == column } }
        self.columns = columns
        checkOrder = declared.compactMap { position($0.name) }
        idPosition = position(FactColumns.id) ?? columns.count
        providerIDPosition = position(ownedByProvider ? FactColumns.providerID : FactColumns.id) ?? columns.count
        keyPosition = position(FactColumns.key)
        creditsPosition = position(FactColumns.creditsEarned)
        issuePosition = position(FactColumns.issueDate)
        expirationPosition = position(FactColumns.expirationDate)
        precondition(idPosition < columns.count && providerIDPosition < columns.count, "every fact table has an id column")
    }

    /// The column called `name`.
    public func column(_ name: String) -> FactColumn? { columns.first { $0.name == name } }

    /// The column names, sorted.
    public var columnNames: [String] { columns.map(\.name) }
}

/// Column names the compiler and the engine read by name.
public enum FactColumns {
    public static let id = "id"
    public static let providerID = "provider_id"
    public static let state = "state"
    public static let status = "status"
    public static let licenseType = "license_type"
    public static let licenseNumber = "license_number"
    public static let registrationNumber = "registration_number"
    public static let csrNumber = "csr_number"
    public static let issueDate = "issue_date"
    public static let expirationDate = "expiration_date"
    public static let specialty = "specialty"
    public static let category = "category"
    public static let creditType = "credit_type"
    public static let creditsEarned = "credits_earned"
    public static let completionDate = "completion_date"
    public static let key = "key"
    public static let value = "value"
}

/// The facts schema: the Data Bible's tables the engine reads, with the documented extensions
/// of BRIEF §2 (`licenses.license_type`, `dea_registrations.state`, `cme_events.credit_type`,
/// `providers.is_synthetic`, `provider_attributes`). One definition for the compiler (pack-test
/// facts), the engine (facts files) and the store (its migrations); `Grammar/reference/facts.md`
/// documents it.
public enum FactSchema {
    private static let createdAt = FactColumn("created_at", .string)
    private static let updatedAt = FactColumn("updated_at", .string)
    private static let documentID = FactColumn("extracted_from_doc_id", .string)
    private static let id = FactColumn(FactColumns.id, .string, required: true)
    private static let providerID = FactColumn(FactColumns.providerID, .string, required: true)

    public static let providers = FactTable("providers", [
        id, FactColumn("org_id", .string), FactColumn("npi", .string), FactColumn("first_name", .string),
        FactColumn("last_name", .string), FactColumn("email", .string), FactColumn("phone", .string),
        FactColumn("date_of_birth", .date), FactColumn("address_json", .json), FactColumn("is_synthetic", .bool),
        createdAt, updatedAt,
    ], ownedByProvider: false)
    public static let providerStates = FactTable("provider_states", [
        id, providerID, FactColumn(FactColumns.state, .string, required: true, vocabulary: .state), createdAt,
    ])
    public static let licenses = FactTable("licenses", [
        id, providerID, FactColumn(FactColumns.state, .string, required: true, vocabulary: .state),
        FactColumn(FactColumns.status, .string, required: true, vocabulary: .licenseStatus),
        FactColumn(FactColumns.expirationDate, .date, required: true),
        FactColumn(FactColumns.licenseNumber, .string), FactColumn(FactColumns.licenseType, .string, vocabulary: .licenseType),
        FactColumn(FactColumns.issueDate, .date), FactColumn("credential_version_id", .string), documentID, createdAt, updatedAt,
    ], credentialKind: .license)
    public static let deaRegistrations = FactTable("dea_registrations", [
        id, providerID, FactColumn(FactColumns.expirationDate, .date, required: true),
        FactColumn(FactColumns.registrationNumber, .string), FactColumn(FactColumns.state, .string, vocabulary: .state),
        FactColumn("schedules", .stringList), FactColumn(FactColumns.issueDate, .date), documentID, createdAt, updatedAt,
    ], credentialKind: .deaRegistration)
    public static let csrCertificates = FactTable("csr_certificates", [
        id, providerID, FactColumn(FactColumns.state, .string, required: true, vocabulary: .state),
        FactColumn(FactColumns.expirationDate, .date, required: true),
        FactColumn(FactColumns.csrNumber, .string), FactColumn(FactColumns.issueDate, .date), documentID, createdAt, updatedAt,
    ], credentialKind: .csrCertificate)
    public static let boardCertifications = FactTable("board_certifications", [
        id, providerID, FactColumn(FactColumns.specialty, .string, required: true, vocabulary: .specialty),
        FactColumn("board_name", .string), FactColumn(FactColumns.expirationDate, .date), FactColumn(FactColumns.issueDate, .date),
        documentID, createdAt,
    ], credentialKind: .boardCertification)
    public static let cmeEvents = FactTable("cme_events", [
        id, providerID, FactColumn(FactColumns.category, .string, required: true, vocabulary: .cmeCategory),
        FactColumn(FactColumns.creditsEarned, .decimal, required: true), FactColumn(FactColumns.completionDate, .date, required: true),
        FactColumn("title", .string), FactColumn(FactColumns.creditType, .string, vocabulary: .creditType),
        FactColumn(FactColumns.expirationDate, .date), documentID, createdAt,
    ])
    public static let providerAttributes = FactTable("provider_attributes", [
        providerID, FactColumn(FactColumns.key, .string, required: true),
        FactColumn(FactColumns.value, .attributeValue, required: true), FactColumn(FactColumns.id, .string),
    ], idColumn: nil)

    /// Every table, in the order they are documented.
    public static let tables: [FactTable] = [
        providers, providerStates, licenses, deaRegistrations, csrCertificates, boardCertifications, cmeEvents, providerAttributes,
    ]

    /// The tables by name.
    public static let byName: [String: FactTable] = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })

    /// The table names, sorted.
    public static let tableNames: [String] = tables.map(\.name).sorted()

    /// The most columns any table has.
    public static let widestTable = tables.map(\.columns.count).max() ?? 0

    /// Tables of the Data Bible the engine does not read; accepted and ignored.
    public static let ignoredTables: Set<String> = [
        "provider_identifiers", "provider_roles", "provider_settings", "organizations", "documents",
        "document_metadata", "document_lineage", "credential_versions",
    ]

    /// The type of a column called `name` in any table (columns of one name have one type
    /// across tables; a test holds the schema to that).
    public static func columnType(named name: String) -> FactColumnType? { columnTypes[name] }

    private static let columnTypes: [String: FactColumnType] = {
        var types: [String: FactColumnType] = [:]
        for table in tables { for column in table.columns { types[column.name] = column.type } }
        return types
    }()

    /// The table holding credentials of `kind`.
    public static func table(for kind: CredentialKind) -> FactTable {
        switch kind {
        case .license: licenses
        case .deaRegistration: deaRegistrations
        case .csrCertificate: csrCertificates
        case .boardCertification: boardCertifications
        }
    }

    /// Why `value` is not of `type`, or nil.
    static func typeProblem(_ value: JSONValue, _ type: FactColumnType, attributeKey: String?, attributes: AttributeCatalogue) -> String? {
        switch type {
        case .json: return nil
        case .string:
            return value.stringValue == nil ? "expected a string, found \(value.compactText)" : nil
        case .bool:
            if case .bool = value { return nil }
            return "expected true or false, found \(value.compactText)"
        case .date:
            guard let s = value.stringValue else { return "expected a YYYY-MM-DD date string, found \(value.compactText)" }
            return CalendarDate(iso: s) == nil ? "`\(s)` is not a valid YYYY-MM-DD date" : nil
        case .decimal:
            switch value {
            case .number(let t):
                return decimal(value) == nil ? "`\(t)` is not a decimal with at most 9 fractional digits" : nil
            case .string(let t):
                return ExactDecimal(t) == nil ? "`\(t)` is not a decimal number" : nil
            default: return "expected a number, found \(value.compactText)"
            }
        case .stringList:
            guard let items = value.arrayValue, items.allSatisfy({ $0.stringValue != nil }) else {
                return "expected an array of strings, found \(value.compactText)"
            }
            return nil
        case .attributeValue:
            guard let key = attributeKey, let declaration = attributes.declaration(of: key) else { return nil }
            return ScalarValue(json: value, type: declaration.type) == nil
                ? "attribute `\(key)` is declared \(declaration.type.rawValue): expected \(describe(declaration.type)), found \(value.compactText)"
                : nil
        }
    }

    private static func describe(_ type: ValueType) -> String {
        switch type {
        case .bool: "true or false (not a string)"
        case .int: "an integer"
        case .decimal: "a number or a decimal string"
        case .string: "a string"
        case .date: "a YYYY-MM-DD date string"
        }
    }

    /// Why a `provider_attributes` key is not accepted, or nil when it is declared.
    public static func attributeKeyProblem(_ key: String, attributes: AttributeCatalogue = .shared) -> String? {
        guard attributes.declaration(of: key) == nil else { return nil }
        let hint = Suggestions.didYouMean(key, in: attributes.keys)
            ?? "declared attributes: " + attributes.keys.map { "`\($0)`" }.joined(separator: ", ")
        return "unknown provider attribute `\(key)`; \(hint)"
    }

    /// Why a column name is not one of `table`'s, with a did-you-mean.
    public static func unknownColumnProblem(_ name: String, in table: FactTable) -> String {
        let hint = Suggestions.didYouMean(name, in: table.columnNames)
            ?? "columns: " + table.columnNames.map { "`\($0)`" }.joined(separator: ", ")
        return "unknown column `\(name)` in `\(table.name)`; \(hint)"
    }

    /// Why a row's issue and expiration dates cannot both be true, or nil.
    public static func dateOrderProblem(issue: CalendarDate?, expiration: CalendarDate?) -> String? {
        guard let issue, let expiration, issue > expiration else { return nil }
        return "issue_date \(issue) is after expiration_date \(expiration)"
    }

    /// A decimal given as a JSON number or a decimal string.
    public static func decimal(_ value: JSONValue) -> ExactDecimal? {
        switch value {
        case .number(let text): ExactDecimal(text) ?? ExactDecimal(JSONValue.canonicalNumber(text))
        case .string(let text): ExactDecimal(text)
        default: nil
        }
    }
}
