@testable import RuleStore
import Testing

/// Immutability, change events, credential versions, lineage and retention, from plain SQL.
@Suite struct TriggerTests {
    typealias F = GovernanceFixture

    static func database() throws -> Connection {
        let connection = try Connection(url: try TestDatabase.migrated())
        try F.load(connection)
        return connection
    }

    @Test(arguments: ["audit_logs", "document_lineage", "credential_versions", "rule_versions", "rules_execution_entries",
                      "rules_execution_documents", "change_events", "retention_runs"])
    func immutableEvenForTheSuperuser(_ table: String) throws {
        let connection = try Self.database()
        try connection.execute("INSERT INTO audit_logs (actor_id, actor_role, action, resource, status) VALUES ('a', 'admin', 'read', 'licenses', 'success')")
        try connection.execute("INSERT INTO retention_runs (as_of, cutoff, purged_json, actor_id) VALUES (current_date, now(), '{}', 'x')")
        let before = try connection.value("SELECT count(*) FROM \(table)")
        #expect(before != "0", "fixture has rows in \(table)")
        // The document table is keyed by provider and SHA-256; every other by id.
        let key = table == "rules_execution_documents" ? "sha256" : "id"
        for statement in ["UPDATE \(table) SET \(key) = \(key)", "DELETE FROM \(table)", "TRUNCATE \(table) CASCADE"] {
            let error = #expect(throws: StoreError.self, "\(statement)") { try connection.execute(statement) }
            #expect(error?.message.contains("is not allowed: the table is immutable") == true, "\(statement)")
        }
        // Replication mode skips ordinary triggers; these fire ALWAYS.
        try connection.execute("SET session_replication_role = replica")
        #expect(throws: StoreError.self) { try connection.execute("DELETE FROM \(table)") }
        try connection.execute("RESET session_replication_role")
        // A superuser pretending to be retention is still refused: only the function's role may delete.
        try connection.execute("SELECT set_config('credrules.retention_cutoff', '2100-01-01', false)")
        #expect(throws: StoreError.self) { try connection.execute("DELETE FROM \(table)") }
        #expect(try connection.value("SELECT count(*) FROM \(table)") == before)
    }

    @Test func disablingAGovernanceTriggerLeavesAnAuditRow() throws {
        let connection = try Self.database()
        try connection.execute("SELECT set_config('app.current_actor_id', 'mallory', false)")
        try connection.execute("ALTER TABLE audit_logs DISABLE TRIGGER immutable_rows")
        let row = try connection.execute("SELECT actor_id, action, resource_id FROM audit_logs WHERE action LIKE 'ddl.%' AND actor_id = 'mallory'")
        #expect(row.rows.map { $0.compactMap { $0 } } == [["mallory", "ddl.alter_table", "public.audit_logs"]])
        try connection.execute("ALTER TABLE audit_logs ENABLE ALWAYS TRIGGER immutable_rows")
    }

    @Test func truncateOfAMutableTableIsRefused() throws {
        let connection = try Self.database()
        let error = #expect(throws: StoreError.self) { try connection.execute("TRUNCATE licenses CASCADE") }
        #expect(error?.message.contains("TRUNCATE on") == true)
    }

    @Test func everyWriteLeavesChangeEventsWithTheActor() throws {
        let connection = try Self.database()
        try connection.execute("SELECT set_config('app.current_actor_id', 'user-42', false)")
        let base = try connection.value("SELECT count(*) FROM change_events") ?? "0"
        try connection.execute("""
            INSERT INTO cme_events (provider_id, category, credits_earned, completion_date, title)
            SELECT $1, 'general', 1, DATE '2026-01-01' + n, 'Course ' || n FROM generate_series(1, 1000) AS n
            """, [.text(F.uuid("p1"))])
        #expect(try connection.value("SELECT count(*) FROM change_events WHERE change_type = 'insert' AND table_name = 'cme_events' AND actor_id = 'user-42'") == "1000")
        // An update that changes nothing records nothing; one that changes a row records old and new.
        try connection.execute("UPDATE licenses SET status = status")
        #expect(try connection.value("SELECT count(*) FROM change_events WHERE change_type = 'update'") == "0")
        try connection.execute("UPDATE licenses SET status = 'expired' WHERE provider_id = $1", [.text(F.uuid("p2"))])
        let update = try connection.execute("""
            SELECT row_id, previous_value ->> 'status' AS before, new_value ->> 'status' AS after, actor_id
            FROM change_events WHERE change_type = 'update'
            """)
        #expect(update.count == 1)
        #expect(try update.string(0, "row_id") == F.uuid("lic-p2"))
        #expect(try update.string(0, "before") == "active" && update.string(0, "after") == "expired")
        // Only the columns that changed (migration 0012), the same ones before and after.
        #expect(try connection.value("SELECT string_agg(k, ',' ORDER BY k) FROM change_events, jsonb_object_keys(new_value) k WHERE change_type = 'update'") == "status")
        #expect(try connection.value("SELECT string_agg(k, ',' ORDER BY k) FROM change_events, jsonb_object_keys(previous_value) k WHERE change_type = 'update'") == "status")
        // A credential's update too (its own trigger, which also writes the credential version).
        try connection.execute("UPDATE cme_events SET title = 'Course one' WHERE title = 'Course 1'")
        #expect(try connection.value("SELECT string_agg(k || '=' || (previous_value ->> k) || '>' || (new_value ->> k), ',' ORDER BY k) FROM change_events, jsonb_object_keys(new_value) k WHERE table_name = 'cme_events' AND change_type = 'update'") == "title=Course 1>Course one")
        try connection.execute("DELETE FROM provider_roles WHERE provider_id = $1", [.text(F.uuid("p3"))])
        #expect(try connection.value("SELECT row_id FROM change_events WHERE change_type = 'delete'") == "\(F.uuid("p3"))/provider")
        // Without an actor variable the session user is the actor.
        try connection.execute("SELECT set_config('app.current_actor_id', '', false)")
        try connection.execute("UPDATE organizations SET name = 'A2' WHERE name = 'A'")
        #expect(try connection.value("SELECT actor_id FROM change_events WHERE table_name = 'organizations' AND change_type = 'update'") == "db:postgres")
        #expect(Int(try connection.value("SELECT count(*) FROM change_events") ?? "0")! == Int(base)! + 1000 + 1 + 1 + 1 + 1)
    }

    @Test func changeEventsAreWrittenInTheSameTransaction() throws {
        let connection = try Self.database()
        let before = try connection.value("SELECT count(*) FROM change_events")
        #expect(throws: StoreError.self) {
            try connection.transaction {
                try connection.execute("UPDATE licenses SET status = 'suspended'")
                try connection.execute("SELECT 1 / 0")
            }
        }
        #expect(try connection.value("SELECT count(*) FROM change_events") == before)
        #expect(try connection.value("SELECT count(*) FROM licenses WHERE status = 'suspended'") == "0")
    }

    @Test func credentialVersionsAreMonotonicWithDiffs() throws {
        let connection = try Self.database()
        let license = F.uuid("lic-p1")
        func versions() throws -> [String] {
            try connection.column("""
                SELECT version_number || ':' || (diff_json ->> 'op') || ':' || coalesce((SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(diff_json -> 'changed') k), diff_json -> 'new' ->> 'status')
                FROM credential_versions WHERE entity_id = $1 ORDER BY version_number
                """, [.text(license)]).compactMap { $0 }
        }
        #expect(try versions().count == 1)
        #expect(try versions().first == "1:insert:active")
        try connection.execute("UPDATE licenses SET status = 'expired', license_number = 'A1' WHERE id = $1", [.text(license)])
        try connection.execute("UPDATE licenses SET status = status WHERE id = $1", [.text(license)])
        try connection.execute("UPDATE licenses SET expiration_date = '2029-01-31' WHERE id = $1", [.text(license)])
        #expect(Array(try versions().dropFirst()) == ["2:update:license_number,status", "3:update:expiration_date"])
        let diff = try connection.value("SELECT diff_json::text FROM credential_versions WHERE entity_id = $1 AND version_number = 3", [.text(license)])
        #expect(diff == #"{"op": "update", "changed": {"expiration_date": {"to": "2029-01-31", "from": "2027-01-31"}}}"#)
        // Every credential table versions its rows.
        let kinds = try connection.column("SELECT DISTINCT entity_type FROM credential_versions ORDER BY 1").compactMap { $0 }
        #expect(kinds == ["board_certification", "cme_event", "csr_certificate", "dea_registration", "license"])
        try connection.execute("DELETE FROM document_metadata")
        try connection.execute("DELETE FROM parsing_jobs")
        try connection.execute("DELETE FROM cme_events WHERE provider_id = $1", [.text(F.uuid("p1"))])
        #expect(try connection.value("SELECT max(version_number) || ':' || min(diff_json ->> 'op') FROM credential_versions WHERE entity_type = 'cme_event' AND provider_id = $1 AND diff_json ->> 'op' = 'delete'", [.text(F.uuid("p1"))]) == "2:delete")
    }

    @Test func lineageFollowsTheDocumentAndAMissingDocumentIsAnError() throws {
        let connection = try Self.database()
        #expect(try connection.column("SELECT row_id::text FROM document_lineage WHERE table_name = 'licenses' ORDER BY 1").count == 3)
        try connection.execute("INSERT INTO documents (id, external_id, provider_id) VALUES ($1, 'doc-new', $2)", [.text(F.uuid("doc-new")), .text(F.uuid("p1"))])
        try connection.execute("UPDATE licenses SET extracted_from_doc_id = $1 WHERE id = $2", [.text(F.uuid("doc-new")), .text(F.uuid("lic-p1"))])
        #expect(try connection.column("SELECT document_id::text FROM document_lineage WHERE row_id = $1 ORDER BY created_at, document_id", [.text(F.uuid("lic-p1"))]).count == 2)
        #expect(try connection.value("SELECT count(*) FROM document_lineage WHERE document_id = $1 AND column_name = '*'", [.text(F.uuid("doc-new"))]) == "1")
        let error = #expect(throws: StoreError.self) {
            try connection.execute("INSERT INTO cme_events (provider_id, category, credits_earned, completion_date, extracted_from_doc_id) VALUES ($1, 'ethics', 1, '2026-01-01', $2)",
                                   [.text(F.uuid("p1")), .text(F.uuid("doc-missing"))])
        }
        #expect(error?.sqlState == "23503")
        #expect(error?.constraint == "cme_events_extracted_from_doc_id_fkey")
    }

    @Test func retentionPurgesOnlyExpiredRowsAndRecordsIt() throws {
        let connection = try Self.database()
        try connection.executeScript("""
            INSERT INTO audit_logs (actor_id, actor_role, action, resource, status, "timestamp") VALUES
                ('old', 'admin', 'read', 'licenses', 'success', '2015-03-01'), ('new', 'admin', 'read', 'licenses', 'success', '2024-03-01');
            INSERT INTO change_events (table_name, row_id, change_type, actor_id, created_at) VALUES ('licenses', 'x', 'update', 'old', '2012-01-01');
            INSERT INTO notifications_sent (id, provider_id, channel, type, sent_at)
                VALUES (credrules_id('n-old'), credrules_id('p1'), 'email', 'reminder', '2016-01-01');
            INSERT INTO email_events (notification_id, provider_id, event_type, "timestamp")
                VALUES (credrules_id('n-old'), credrules_id('p1'), 'opened', '2016-01-02');
            """, name: "old rows")
        let licenses = try connection.value("SELECT count(*) FROM licenses")
        let versions = try connection.value("SELECT count(*) FROM credential_versions")
        let changeEventsBefore = Int(try connection.value("SELECT count(*) FROM change_events") ?? "0")!
        let future = #expect(throws: StoreError.self) {
            try connection.asRole("credrules_retention") { try connection.execute("SELECT credrules_retention_purge(current_date + 1)") }
        }
        #expect(future?.sqlState == "22023")
        let result = try connection.asRole("credrules_retention") { () throws in
            try connection.value("SELECT credrules_retention_purge(DATE '2026-11-30') -> 'purged'")
        }
        #expect(result == #"{"audit_logs": 1, "email_events": 1, "change_events": 1, "notifications_sent": 1}"#)
        #expect(try connection.column("SELECT actor_id FROM audit_logs WHERE action <> 'retention.purge' AND action NOT LIKE 'ddl.%'") == ["new"])
        #expect(try connection.value("SELECT count(*) FROM notifications_sent WHERE id = credrules_id('n-old')") == "0")
        #expect(try connection.value("SELECT count(*) FROM notifications_sent") == "3")
        #expect(try connection.value("SELECT count(*) FROM licenses") == licenses)
        #expect(try connection.value("SELECT count(*) FROM credential_versions") == versions)
        // The purge wrote no change events for what it removed (the old one is gone).
        #expect(Int(try connection.value("SELECT count(*) FROM change_events") ?? "0")! == changeEventsBefore - 1)
        #expect(try connection.value("SELECT purged_json ->> 'audit_logs' FROM retention_runs") == "1")
        #expect(try connection.value("SELECT count(*) FROM audit_logs WHERE action = 'retention.purge'") == "1")
        // Run again: nothing left to purge.
        let again = try connection.asRole("credrules_retention") { () throws in
            try connection.value("SELECT credrules_retention_purge(DATE '2026-11-30') -> 'purged' ->> 'audit_logs'")
        }
        #expect(again == "0")
    }
}
