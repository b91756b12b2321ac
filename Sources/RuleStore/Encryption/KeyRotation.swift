/// Re-encrypts protected columns from one key to another in batches, each batch one
/// transaction and one UPDATE (so the statement triggers run once per batch). Rows already
/// under the new key are skipped, so an interrupted rotation resumes where it stopped: a batch
/// is all or nothing, and the next run picks up the rows still under the current key.
///
/// Refused before any write: the same key twice, and a database holding values under a key that
/// is neither of the two (the current key given is then the wrong one). A value that does not
/// decrypt under the current key rolls back its batch and names the row.
public struct KeyRotation {
    let connection: Connection
    let from: FieldCipher
    let to: FieldCipher
    let batchSize: Int

    public init(connection: Connection, from: FieldCipher, to: FieldCipher, batchSize: Int) {
        self.connection = connection
        self.from = from
        self.to = to
        self.batchSize = batchSize
    }

    public struct Counts: Sendable {
        public var providers = 0
        public var identifiers = 0
    }

    public func run() throws -> Counts {
        var counts = Counts()
        guard from.keyID != to.keyID else {
            throw KeyError(message: "the new key is the current key (\(from.keyID)): nothing to rotate; pass a different new key")
        }
        for table in ["providers", "provider_identifiers"] {
            // Table names are constants here.
            if let other = try connection.execute(
                "SELECT encryption_key_id FROM \(table) WHERE encryption_key_id <> $1 AND encryption_key_id <> $2 ORDER BY 1 LIMIT 1",
                [.text(from.keyID), .text(to.keyID)]).scalar {
                throw KeyError(message: "\(table) holds values encrypted with key \(other), which is neither the current key given (\(from.keyID)) nor the new key (\(to.keyID)): pass the key they were encrypted with as the current key")
            }
        }
        while true {
            let done = try connection.transaction { () throws -> Int in
                let rows = try connection.execute(
                    "SELECT id::text, coalesce(external_id, id::text) AS row_name, npi, email, phone, date_of_birth FROM providers WHERE encryption_key_id = $1 ORDER BY id LIMIT $2 FOR UPDATE",
                    [.text(from.keyID), .int(batchSize)])
                guard rows.count > 0 else { return 0 }
                try connection.execute("CREATE TEMPORARY TABLE rotated_providers (id uuid, npi bytea, npi_blind_index bytea, email bytea, phone bytea, date_of_birth bytea) ON COMMIT DROP")
                var copy = CopyRows()
                for row in 0..<rows.count {
                    try naming(rows, row, table: "providers") {
                        copy.field(try rows.string(row, "id"))
                        let npi = try rows.bytes(row, "npi").map { try from.decrypt($0, column: "providers.npi") }
                        copy.field(bytes: npi.map { to.encrypt($0, column: "providers.npi") })
                        copy.field(bytes: npi.map { to.blindIndex($0, column: "npi") })
                        for column in ["email", "phone", "date_of_birth"] {
                            let plain = try rows.bytes(row, column).map { try from.decrypt($0, column: "providers." + column) }
                            copy.field(bytes: plain.map { to.encrypt($0, column: "providers." + column) })
                        }
                    }
                    copy.endRow()
                }
                try connection.copy("COPY rotated_providers FROM STDIN", rows: copy)
                try connection.execute("""
                    UPDATE providers p SET npi = r.npi, npi_blind_index = r.npi_blind_index, email = r.email, phone = r.phone,
                        date_of_birth = r.date_of_birth, encryption_key_id = $1, updated_at = now()
                    FROM rotated_providers r WHERE p.id = r.id
                    """, [.text(to.keyID)])
                return rows.count
            }
            if done == 0 { break }
            counts.providers += done
        }
        while true {
            let done = try connection.transaction { () throws -> Int in
                let rows = try connection.execute(
                    "SELECT id::text, coalesce(external_id, id::text) AS row_name, id_value FROM provider_identifiers WHERE encryption_key_id = $1 ORDER BY id LIMIT $2 FOR UPDATE",
                    [.text(from.keyID), .int(batchSize)])
                guard rows.count > 0 else { return 0 }
                try connection.execute("CREATE TEMPORARY TABLE rotated_identifiers (id uuid, id_value bytea, id_value_blind_index bytea) ON COMMIT DROP")
                var copy = CopyRows()
                for row in 0..<rows.count {
                    try naming(rows, row, table: "provider_identifiers") {
                        copy.field(try rows.string(row, "id"))
                        let plain = try from.decrypt(try rows.bytes(row, "id_value") ?? [], column: "provider_identifiers.id_value")
                        copy.field(bytes: to.encrypt(plain, column: "provider_identifiers.id_value"))
                        copy.field(bytes: to.blindIndex(plain, column: "identifier"))
                    }
                    copy.endRow()
                }
                try connection.copy("COPY rotated_identifiers FROM STDIN", rows: copy)
                try connection.execute("""
                    UPDATE provider_identifiers p SET id_value = r.id_value, id_value_blind_index = r.id_value_blind_index,
                        encryption_key_id = $1, updated_at = now()
                    FROM rotated_identifiers r WHERE p.id = r.id
                    """, [.text(to.keyID)])
                return rows.count
            }
            if done == 0 { break }
            counts.identifiers += done
        }
        return counts
    }

    /// Runs `body` for one row; a key error names the row (its file id, or its uuid).
    private func naming(_ rows: QueryResult, _ row: Int, table: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as KeyError {
            let name = (try? rows.string(row, "row_name")) ?? nil
            throw KeyError(message: "\(table) row `\(name ?? "?")`: \(error.message); this batch was rolled back, earlier batches are under the new key (run again with the same keys to resume once the row is repaired)")
        }
    }
}

extension Connection {
    /// Providers whose NPI is `npi`, found through the blind index (never decryption in SQL).
    public func providerExternalIDs(withNPI npi: String, cipher: FieldCipher) throws(StoreError) -> [String] {
        try execute("SELECT external_id FROM providers WHERE npi_blind_index = $1 ORDER BY external_id",
                    [.bytes(cipher.blindIndex(npi, column: "npi"))]).rows.compactMap { $0.first ?? nil }
    }
}
