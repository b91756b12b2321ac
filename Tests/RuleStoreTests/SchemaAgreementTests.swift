import RuleIR
import RuleStore
import Testing

/// The migrations and the one fact schema the code uses (RuleIR's `FactSchema` and
/// `OutputSchema`) agree: every fact column the engine reads and every output column it writes
/// exists in the migrated database with a type that holds its values. A column added to the
/// schema without a migration, or a migration that renames or retypes one, fails here.
@Suite(.serialized) struct SchemaAgreementTests {
    /// Columns stored as AES-256-GCM ciphertext (`Sources/RuleStore/Migrations/SCHEMA.md`).
    static let encrypted: Set<String> = ["providers.npi", "providers.email", "providers.phone", "providers.date_of_birth"]

    /// The PostgreSQL types that hold a fact column's values.
    static func acceptedTypes(_ type: FactColumnType, qualified: String) -> Set<String> {
        if encrypted.contains(qualified) { return ["bytea"] }
        // Timestamps travel as ISO strings in files (`created_at`, `updated_at`).
        if type == .string, qualified.hasSuffix("_at") { return ["timestamp with time zone"] }
        switch type {
        // Ids are strings in files and uuids (with the file id in `external_id`) in the database.
        case .string: return ["text", "character varying", "uuid", "character"]
        case .date: return ["date"]
        case .decimal: return ["numeric"]
        case .bool: return ["boolean"]
        case .stringList, .json, .attributeValue: return ["jsonb"]
        }
    }

    static func columnTypes(_ connection: Connection, table: String) throws -> [String: String] {
        let rows = try connection.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            [.text(table)]).rows
        var types: [String: String] = [:]
        for row in rows { if let name = row[0], let type = row[1] { types[name] = type } }
        return types
    }

    @Test func everyFactColumnIsAColumnOfItsTableWithATypeThatHoldsIt() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        for table in FactSchema.tables {
            let types = try Self.columnTypes(connection, table: table.name)
            #expect(!types.isEmpty, "the migrations create no table `\(table.name)`")
            for column in table.columns {
                let qualified = "\(table.name).\(column.name)"
                guard let type = types[column.name] else {
                    Issue.record("the fact schema has \(qualified), the migrations do not")
                    continue
                }
                #expect(Self.acceptedTypes(column.type, qualified: qualified).contains(type),
                        "\(qualified) is \(column.type.rawValue) in the fact schema but \(type) in the database")
            }
        }
    }

    @Test func everyOutputColumnIsAColumnOfItsTable() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        for table in OutputSchema.tables {
            let types = try Self.columnTypes(connection, table: table.name)
            #expect(!types.isEmpty, "the migrations create no table `\(table.name)`")
            let nullable = Set(try connection.column(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'YES'",
                [.text(table.name)]).compactMap { $0 })
            for column in table.columns {
                #expect(types[column.name] != nil, "the output schema has \(table.name).\(column.name), the migrations do not")
                if column.nullable, types[column.name] != nil {
                    #expect(nullable.contains(column.name), "the engine writes \(table.name).\(column.name) as null at times; the database refuses null")
                }
                for code in column.vocabulary ?? [] {
                    for check in try Self.singleColumnChecks(connection, table: table.name, column: column.name) {
                        #expect(try Self.accepts(connection, check: check, column: column.name, code: code),
                                "\(table.name).\(column.name): the engine writes `\(code)`, the database rejects it (\(check))")
                    }
                }
            }
        }
    }

    /// The single-column CHECK constraints on `table.column`, as PostgreSQL prints them.
    static func singleColumnChecks(_ connection: Connection, table: String, column: String) throws -> [String] {
        try connection.column("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (c.conkey)
            WHERE n.nspname = 'public' AND t.relname = $1 AND a.attname = $2 AND c.contype = 'c' AND cardinality(c.conkey) = 1
            """, [.text(table), .text(column)]).compactMap { $0 }
    }

    /// Whether the constraint's body holds with the column replaced by `code` (passed as a parameter).
    static func accepts(_ connection: Connection, check: String, column: String, code: String) throws -> Bool {
        let body = check.hasPrefix("CHECK ") ? String(check.dropFirst(6)) : check
        let expression = body.replacingOccurrences(of: column, with: "($1::text)")
        return try connection.value("SELECT COALESCE((\(expression))::text, 'true')", [.text(code)]) == "true"
    }

    @Test func everyCodeOfAVocabularyColumnIsAcceptedByItsConstraints() throws {
        // A coded column's single-column CHECK constraints (a list, or a pattern) accept every
        // code of the schema's vocabulary: a fact the engine takes is never refused by the store.
        let connection = try Connection(url: try TestDatabase.migrated())
        var checked = 0
        for table in FactSchema.tables {
            for column in table.columns {
                guard let vocabulary = column.vocabulary else { continue }
                for check in try Self.singleColumnChecks(connection, table: table.name, column: column.name) {
                    checked += 1
                    for code in vocabulary.codes {
                        #expect(try Self.accepts(connection, check: check, column: column.name, code: code),
                                "\(table.name).\(column.name): the database rejects `\(code)` (\(check))")
                    }
                    #expect(try !Self.accepts(connection, check: check, column: column.name, code: "Not A Code"), "\(check) accepts anything")
                }
            }
        }
        #expect(checked >= 8, "the coded columns have constraints to compare")
    }
}
