import RuleBase
@testable import RuleStore
import Testing

@Suite struct ImportTests {
    static let key = FieldCipherTests.key(1)

    static func provider(_ id: String, org: String = "org-1", npi: String = "1234567893", synthetic: Bool = true,
                         extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("id", .string(id)), ("org_id", .string(org)), ("first_name", .string("Ann")), ("npi", .string(npi)),
                 ("date_of_birth", .string("1970-04-21")), ("is_synthetic", .bool(synthetic))] + extra)
    }

    static func document(_ n: Int, status: String = "active", expiration: String = "2027-01-31", credits: JSONValue = .number("2.5")) -> JSONValue {
        let provider = "prov-\(n)"
        return .object([
            ("organizations", .array(n == 1 ? [.object([("id", .string("org-1")), ("name", .string("Org One"))])] : [])),
            ("documents", .array([.object([("id", .string("doc-\(n)")), ("provider_id", .string(provider))])])),
            ("providers", .array([Self.provider(provider)])),
            ("licenses", .array([.object([
                ("id", .string("lic-\(n)")), ("provider_id", .string(provider)), ("state", .string("TX")),
                ("license_type", .string("MD")), ("status", .string(status)), ("expiration_date", .string(expiration)),
                ("extracted_from_doc_id", .string("doc-\(n)")),
            ])])),
            ("cme_events", .array([.object([
                ("id", .string("cme-\(n)")), ("provider_id", .string(provider)), ("category", .string("ethics")),
                ("credits_earned", credits), ("completion_date", .string("2026-01-15")),
            ])])),
            ("provider_attributes", .array([.object([
                ("provider_id", .string(provider)), ("key", .string("direct_patient_care")), ("value", .bool(true)),
            ])])),
        ])
    }

    static func load(_ connection: Connection, _ documents: [JSONValue], cipher: FieldCipher? = nil, chunk: Int = 2) throws -> ImportSummary {
        let importer = FactImporter(connection: connection, cipher: try cipher ?? FieldCipher(keyBytes: key))
        importer.chunkDocuments = chunk
        try importer.begin()
        do {
            for (index, document) in documents.enumerated() { try importer.add(document, line: index + 1) }
            return try importer.finish()
        } catch {
            importer.abort()
            throw error
        }
    }

    func counts(_ summary: ImportSummary, _ table: String) -> String {
        guard let c = summary.tables.first(where: { $0.table == table }) else { return "-" }
        return "\(c.inserted)/\(c.updated)/\(c.unchanged)"
    }

    @Test func insertsThenLeavesUnchangedRowsAloneThenUpdatesChangedOnes() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let first = try Self.load(connection, (1...5).map { Self.document($0) })
        #expect(first.tables.count == 6)
        #expect(counts(first, "licenses") == "5/0/0")
        #expect(counts(first, "providers") == "5/0/0")
        #expect(try connection.value("SELECT count(*) FROM document_lineage") == "5")
        let events = try connection.value("SELECT count(*) FROM change_events")
        let versions = try connection.value("SELECT count(*) FROM credential_versions")

        let again = try Self.load(connection, (1...5).map { Self.document($0) })
        #expect(counts(again, "licenses") == "0/0/5")
        #expect(counts(again, "providers") == "0/0/5")
        #expect(counts(again, "provider_attributes") == "0/0/5")
        #expect(try connection.value("SELECT count(*) FROM change_events") == events)
        #expect(try connection.value("SELECT count(*) FROM credential_versions") == versions)

        var changed = (1...5).map { Self.document($0) }
        changed[2] = Self.document(3, status: "expired", credits: .string("3.0"))
        changed.append(Self.document(6))
        let third = try Self.load(connection, changed)
        #expect(counts(third, "licenses") == "1/1/4")
        #expect(counts(third, "cme_events") == "1/1/4")
        let diff = try connection.value("SELECT diff_json::text FROM credential_versions WHERE entity_id = credrules_id('lic-3') AND version_number = 2")
        #expect(diff == #"{"op": "update", "changed": {"status": {"to": "expired", "from": "active"}}}"#)
        // 2.5 → "3.0" is a change of value; "2.5" and 2.5 would not be.
        #expect(try connection.value("SELECT credits_earned::text FROM cme_events WHERE external_id = 'cme-3'") == "3.0")
        #expect(try connection.value("SELECT count(*) FROM change_events WHERE change_type = 'update' AND table_name = 'licenses'") == "1")
    }

    @Test func credrulesIDIsInlinedAndAgreesWithSwift() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        for id in ["prov-000001", "", "x'); DROP TABLE licenses; --", "Zoë/ünïcödé\t", String(repeating: "z", count: 300)] {
            #expect(try connection.value("SELECT credrules_id($1)::text", [.text(id)]) == RowID.uuid(forExternalID: id), "\(id)")
        }
        #expect(try connection.value("SELECT credrules_id(NULL) IS NULL") == "t")
        // Inlined: the plan computes the hash itself instead of calling the function per row.
        let plan = try connection.column("EXPLAIN (VERBOSE) SELECT credrules_id(external_id) FROM providers").compactMap { $0 }.joined(separator: "\n")
        #expect(plan.contains("sha256") && !plan.contains("credrules_id"), "\(plan)")
    }

    @Test func theNextVersionLookupCannotBecomeASequentialScanPerRow() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        // An analyzed, empty credential_versions makes a sequential scan look free; run per row
        // over a heap the statement itself grows, it is quadratic (minutes at 100,000 rows).
        try connection.execute("ANALYZE credential_versions")
        let settings = try connection.column("""
            SELECT proname || ':' || array_to_string(proconfig, ',') FROM pg_proc
            WHERE proname IN ('credrules_record_credential_changes', 'credrules_record_credential_versions') ORDER BY 1
            """)
        #expect(settings.allSatisfy { $0?.contains("enable_seqscan=off") == true } && settings.count == 2, "\(settings)")
        // Versions still number from the latest one, through insert, update and re-insert.
        _ = try Self.load(connection, (1...3).map { Self.document($0) })
        _ = try Self.load(connection, (1...3).map { Self.document($0, status: "expired") })
        try connection.execute("DELETE FROM licenses WHERE external_id = 'lic-2'")
        _ = try Self.load(connection, (1...3).map { Self.document($0, status: "expired") })
        let versions = try connection.column("""
            SELECT string_agg(version_number || ':' || (diff_json ->> 'op'), ',' ORDER BY version_number)
            FROM credential_versions WHERE entity_id = credrules_id('lic-2')
            """)
        #expect(versions == ["1:insert,2:update,3:delete,4:insert"])
        #expect(try connection.value("SELECT count(*) FROM document_lineage WHERE row_id = credrules_id('lic-2')") == "2")
        #expect(try connection.value("SELECT string_agg(change_type, ',' ORDER BY created_at, change_type) FROM change_events WHERE row_id = credrules_id('lic-2')::text") == "insert,update,delete,insert")
    }

    @Test func governanceRowsOfAStatementGetAscendingTimeOrderedIDs() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        _ = try Self.load(connection, (1...3).map { Self.document($0) })
        _ = try Self.load(connection, (1...3).map { Self.document($0, status: "expired") })
        for table in ["change_events", "credential_versions", "document_lineage"] {
            // Version 7, RFC 9562 variant.
            #expect(try connection.value("SELECT count(*) FROM \(table) WHERE substr(id::text, 15, 1) <> '7' OR substr(id::text, 20, 1) NOT IN ('8', '9', 'a', 'b')") == "0", "\(table)")
        }
        // One statement: one prefix, a counter from 1, ids in the order the rows were written
        // (the importer inserts by id), so the primary key is appended to.
        for (table, key) in [("change_events", "row_id"), ("credential_versions", "entity_id::text"), ("document_lineage", "row_id::text")] {
            let filter = table == "change_events" ? "table_name = 'licenses' AND change_type = 'insert'"
                : table == "credential_versions" ? "entity_type = 'license' AND diff_json ->> 'op' = 'insert'" : "table_name = 'licenses'"
            let row = try connection.execute("""
                SELECT count(DISTINCT left(id::text, 28)) AS prefixes, string_agg(right(id::text, 8), ',' ORDER BY id) AS counters,
                       array_agg(\(key) ORDER BY id) = array_agg(\(key) ORDER BY \(key)) AS in_key_order
                FROM \(table) WHERE \(filter) AND created_at = (SELECT min(created_at) FROM \(table))
                """)
            #expect(try row.string(0, "prefixes") == "1", "\(table)")
            #expect(try row.string(0, "counters") == "00000001,00000002,00000003", "\(table)")
            #expect(try row.string(0, "in_key_order") == "t", "\(table)")
        }
        // The update's events: a prefix of their own, not before the insert's millisecond.
        #expect(try connection.value("""
            SELECT (SELECT max(left(id::text, 13)) FROM change_events WHERE table_name = 'licenses' AND change_type = 'insert')
                   <= (SELECT min(left(id::text, 13)) FROM change_events WHERE table_name = 'licenses' AND change_type = 'update')
                   AND (SELECT count(DISTINCT left(id::text, 28)) FROM change_events WHERE table_name = 'licenses') = 2
            """) == "t")
    }

    @Test func documentHashesAreSixtyFourLowercaseHexDigits() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        _ = try Self.load(connection, [Self.document(1)])
        let hex = String(repeating: "0123456789abcdef", count: 4)
        for (n, hash) in [hex, nil].enumerated() {
            try connection.execute("INSERT INTO documents (id, external_id, provider_id, sha256_hash) VALUES (credrules_id($1), $1, credrules_id('prov-1'), $2)",
                                   [.text("doc-good-\(n)"), hash.map { .text($0) }])
        }
        for (n, hash) in [hex.uppercased(), String(hex.dropLast()), hex + "0", String(hex.dropLast()) + "g", String(hex.dropLast()) + "é", ""].enumerated() {
            let error = #expect(throws: StoreError.self, "\(hash)") {
                try connection.execute("INSERT INTO documents (id, external_id, provider_id, sha256_hash) VALUES (credrules_id($1), $1, credrules_id('prov-1'), $2)",
                                       [.text("doc-bad-\(n)"), .text(hash)])
            }
            #expect(error?.constraint == "documents_sha256_hash_check", "\(hash)")
        }
    }

    @Test func protectedColumnsAreCiphertextAndTheNPIIsFoundByBlindIndex() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let cipher = try FieldCipher(keyBytes: Self.key)
        _ = try Self.load(connection, [Self.document(1), Self.document(2)])
        let row = try connection.execute("SELECT npi, date_of_birth, encryption_key_id FROM providers WHERE external_id = 'prov-1'")
        let npi = try #require(try row.bytes(0, "npi"))
        #expect(!String(decoding: npi, as: UTF8.self).contains("1234567893"))
        #expect(try cipher.decrypt(npi, column: "providers.npi") == "1234567893")
        #expect(try cipher.decrypt(try #require(try row.bytes(0, "date_of_birth")), column: "providers.date_of_birth") == "1970-04-21")
        #expect(try row.string(0, "encryption_key_id") == cipher.keyID)
        #expect(try connection.value("SELECT count(*) FROM providers WHERE position(convert_to('1234567893', 'UTF8') IN npi) > 0 OR position(convert_to('1970-04-21', 'UTF8') IN date_of_birth) > 0") == "0")
        #expect(try connection.providerExternalIDs(withNPI: "1234567893", cipher: cipher) == ["prov-1", "prov-2"])
        #expect(try connection.providerExternalIDs(withNPI: "0000000000", cipher: cipher) == [])
    }

    @Test func wrongKeyIsAClearError() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        _ = try Self.load(connection, [Self.document(1)])
        let other = try FieldCipher(keyBytes: FieldCipherTests.key(2))
        let error = #expect(throws: ImportError.self) { try Self.load(connection, [Self.document(2)], cipher: other) }
        #expect(error?.description.contains("encrypted with key \(try FieldCipher(keyBytes: Self.key).keyID), but the key given is \(other.keyID)") == true)
        #expect(try connection.value("SELECT count(*) FROM providers") == "1")
    }

    @Test func keyRotationReencryptsInBatchesAndResumes() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        _ = try Self.load(connection, (1...7).map { Self.document($0) })
        let old = try FieldCipher(keyBytes: Self.key)
        let new = try FieldCipher(keyBytes: FieldCipherTests.key(3))
        let rotated = try KeyRotation(connection: connection, from: old, to: new, batchSize: 3).run()
        #expect(rotated.providers == 7)
        #expect(try connection.value("SELECT count(DISTINCT encryption_key_id) || ':' || min(encryption_key_id) FROM providers") == "1:\(new.keyID)")
        let npi = try #require(try connection.execute("SELECT npi FROM providers WHERE external_id = 'prov-5'").bytes(0, "npi"))
        #expect(try new.decrypt(npi, column: "providers.npi") == "1234567893")
        #expect(throws: KeyError.self) { try old.decrypt(npi, column: "providers.npi") }
        #expect(try connection.providerExternalIDs(withNPI: "1234567893", cipher: new).count == 7)
        // Done: running again has nothing to do; importing with the new key works.
        #expect(try KeyRotation(connection: connection, from: old, to: new, batchSize: 3).run().providers == 0)
        #expect(counts(try Self.load(connection, (1...7).map { Self.document($0) }, cipher: new), "providers") == "0/0/7")
    }

    @Test func badRowRollsBackTheWholeFileNamingLineRowAndColumn() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        func refused(_ documents: [JSONValue]) -> ImportError? {
            #expect(throws: ImportError.self) { try Self.load(connection, documents, chunk: 2) }
        }
        // A vocabulary violation on line 4 (in the second COPY chunk).
        var documents = (1...5).map { Self.document($0) }
        documents[3] = Self.document(4, status: "lapsed")
        var error = refused(documents)
        #expect(error?.line == 4 && error?.table == "licenses" && error?.rowID == "lic-4" && error?.column == "status")
        // A date that is not a date.
        documents[3] = Self.document(4, expiration: "2027-02-30")
        error = refused(documents)
        #expect(error?.line == 4 && error?.column == "expiration_date")
        #expect(error?.message.contains("out of range") == true || error?.message.contains("invalid") == true)
        // A decimal of the wrong type, caught before the server sees it.
        documents[3] = Self.document(4, credits: .bool(true))
        error = refused(documents)
        #expect(error?.line == 4 && error?.table == "cme_events" && error?.column == "credits_earned")
        // A document that exists neither in the file nor the database.
        documents[3] = Self.document(4)
        documents[4] = .object([
            ("providers", .array([Self.provider("prov-5")])),
            ("licenses", .array([.object([("id", .string("lic-5")), ("provider_id", .string("prov-5")), ("state", .string("TX")),
                                         ("status", .string("active")), ("expiration_date", .string("2027-01-31")),
                                         ("extracted_from_doc_id", .string("doc-missing"))])])),
        ])
        error = refused(documents)
        #expect(error?.line == 5 && error?.rowID == "lic-5" && error?.column == "extracted_from_doc_id")
        #expect(error?.message.contains("documents") == true)
        // An unknown column, an unknown table, a duplicate id.
        documents[4] = .object([("providers", .array([Self.provider("prov-5", extra: [("shoe_size", .number("9"))])]))])
        error = refused(documents)
        #expect(error?.line == 5 && error?.column == "shoe_size")
        documents[4] = .object([("licences", .array([]))])
        #expect(refused(documents)?.message.contains("unknown table `licences`") == true)
        documents[4] = Self.document(1)
        error = refused(documents)
        #expect(error?.column == "id" && error?.message.contains("more than once") == true)
        // Nothing of any attempt was stored.
        for table in ["providers", "licenses", "documents", "organizations", "change_events", "credential_versions"] {
            #expect(try connection.value("SELECT count(*) FROM \(table)") == "0", "\(table) is empty")
        }
    }

    @Test func injectionAttemptsThroughIdsNamesAndValuesAreStoredAsData() throws {
        let connection = try Connection(url: try TestDatabase.migrated())
        let hostile = "x'); DROP TABLE licenses; --"
        let tab = "name\twith\ttabs\nand\\N newline"
        let document: JSONValue = .object([
            ("organizations", .array([.object([("id", .string("org-1")), ("name", .string(hostile))])])),
            ("providers", .array([Self.provider(hostile, extra: [("last_name", .string(tab))])])),
            ("licenses", .array([.object([("id", .string("lic\"; DELETE FROM providers; --")), ("provider_id", .string(hostile)),
                                         ("state", .string("TX")), ("status", .string("active")),
                                         ("expiration_date", .string("2027-01-31")), ("license_number", .string("'; SELECT pg_sleep(10); --"))])])),
        ])
        _ = try Self.load(connection, [document])
        #expect(try connection.value("SELECT name FROM organizations") == hostile)
        #expect(try connection.value("SELECT external_id FROM providers") == hostile)
        #expect(try connection.value("SELECT last_name FROM providers") == tab)
        #expect(try connection.value("SELECT count(*) FROM licenses WHERE provider_id = credrules_id($1)", [.text(hostile)]) == "1")
        // A value that would break out of a status CHECK is refused as a value, not run.
        var bad = document
        if case .object(var tables) = bad {
            tables[2] = ("licenses", .array([.object([("id", .string("l2")), ("provider_id", .string(hostile)), ("state", .string("TX")),
                                                      ("status", .string("active') OR ('1'='1")), ("expiration_date", .string("2027-01-31"))])]))
            bad = .object(tables)
        }
        let error = #expect(throws: ImportError.self) { try Self.load(connection, [bad]) }
        #expect(error?.column == "status")
        #expect(try connection.value("SELECT to_regclass('licenses')::text") == "licenses")
    }
}

@Suite struct FieldCipherTests {
    static func key(_ seed: UInt8) -> [UInt8] { (0..<32).map { UInt8($0) &* 7 &+ seed } }

    @Test func roundTripsAndAuthenticatesColumnAndKey() throws {
        let cipher = try FieldCipher(keyBytes: Self.key(1))
        let sealed = cipher.encrypt("555-0100", column: "providers.phone")
        #expect(try cipher.decrypt(sealed, column: "providers.phone") == "555-0100")
        // Deterministic per key and column, so a re-import of an unchanged row is unchanged.
        #expect(cipher.encrypt("555-0100", column: "providers.phone") == sealed)
        #expect(cipher.encrypt("555-0100", column: "providers.email") != sealed)
        #expect(throws: KeyError.self) { try cipher.decrypt(sealed, column: "providers.email") }
        #expect(throws: KeyError.self) { try FieldCipher(keyBytes: Self.key(2)).decrypt(sealed, column: "providers.phone") }
        var damaged = sealed
        damaged[20] ^= 1
        #expect(throws: KeyError.self) { try cipher.decrypt(damaged, column: "providers.phone") }
        let other = try FieldCipher(keyBytes: Self.key(2))
        #expect(cipher.keyID.count == 16 && cipher.keyID != other.keyID)
    }

    @Test func keysComeFromTheEnvironmentOrAFileAndBadOnesAreNamed() throws {
        let good = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
        #expect(try FieldCipher.fromEnvironment(keyFile: nil, environment: ["CREDRULES_ENCRYPTION_KEY": good]).keyID.count == 16)
        let missing = #expect(throws: KeyError.self) { try FieldCipher.fromEnvironment(keyFile: nil, environment: [:]) }
        #expect(missing?.message.contains("CREDRULES_ENCRYPTION_KEY") == true)
        let short = #expect(throws: KeyError.self) {
            try FieldCipher.fromEnvironment(keyFile: nil, environment: ["CREDRULES_ENCRYPTION_KEY": "AAEC"])
        }
        #expect(short?.message.contains("32 bytes, got 3") == true)
        let notBase64 = #expect(throws: KeyError.self) {
            try FieldCipher.fromEnvironment(keyFile: nil, environment: ["CREDRULES_ENCRYPTION_KEY": "not base64!"])
        }
        #expect(notBase64?.message.contains("not base64") == true)
        #expect(throws: KeyError.self) { try FieldCipher.fromEnvironment(keyFile: "/nonexistent/key", environment: [:]) }
    }
}
