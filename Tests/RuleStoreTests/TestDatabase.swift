import Foundation
import RuleStore
import Testing

/// Databases on the real PostgreSQL server that `Tools/test.sh` starts (its URL in
/// `CREDRULES_TEST_DATABASE_URL`). Without a server these tests fail, naming the script: they
/// never pass silently. Each test gets its own database, cloned from a migrated template.
enum TestDatabase {
    static let urlVariable = "CREDRULES_TEST_DATABASE_URL"

    /// The server URL, or a failure that says how to get one.
    static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[urlVariable], !url.isEmpty else {
            throw SetupError(description: """
                \(urlVariable) is not set: the database tests need a real PostgreSQL 15. \
                Run them with Tools/test.sh (it starts a throwaway server, runs swift test, stops it), \
                or start one with `eval "$(Tools/postgres/start.sh)"`.
                """)
        }
        return url
    }

    struct SetupError: Error, CustomStringConvertible { let description: String }

    /// The URL of database `name` on the test server.
    static func url(database name: String) throws -> String {
        let server = try serverURL()
        let withoutQuery = server.split(separator: "?", maxSplits: 1).first.map(String.init) ?? server
        guard let slash = withoutQuery.lastIndex(of: "/"), withoutQuery[..<slash].hasSuffix("//") == false else {
            return withoutQuery + "/" + name
        }
        return String(withoutQuery[..<slash]) + "/" + name
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0
    nonisolated(unsafe) private static var templateReady = false
    nonisolated(unsafe) private static var templateError: (any Error)?
    private static let template = "credrules_template_\(ProcessInfo.processInfo.processIdentifier)"

    /// A new empty database (no migrations), and its URL.
    static func empty() throws -> String {
        let name = try lock.withLock { () throws -> String in
            counter += 1
            let name = "credrules_test_\(ProcessInfo.processInfo.processIdentifier)_\(counter)"
            let admin = try Connection(url: try serverURL())
            // Database names cannot be parameters; this one is made here from digits only.
            try admin.execute("CREATE DATABASE \(name)")
            return name
        }
        return try url(database: name)
    }

    /// A new database with every bundled migration applied, and its URL.
    static func migrated() throws -> String {
        try lock.withLock {
            if let templateError { throw templateError }
            if !templateReady {
                do {
                    let admin = try Connection(url: try serverURL())
                    try admin.execute("CREATE DATABASE \(template)")
                    let connection = try Connection(url: try url(database: template))
                    try Migrator(migrations: try Migration.bundled()).migrate(on: connection)
                } catch {
                    // Every later test reports the same cause, not a follow-on error.
                    templateError = error
                    throw error
                }
                templateReady = true
            }
            counter += 1
            let name = "credrules_test_\(ProcessInfo.processInfo.processIdentifier)_\(counter)"
            let admin = try Connection(url: try serverURL())
            try admin.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
            return try url(database: name)
        }
    }
}

extension Connection {
    /// The rows of a one-column query as strings.
    func column(_ sql: String, _ parameters: [SQLParameter?] = []) throws -> [String?] {
        try execute(sql, parameters).rows.map { $0.first ?? nil }
    }

    /// A one-value query.
    func value(_ sql: String, _ parameters: [SQLParameter?] = []) throws -> String? {
        try execute(sql, parameters).scalar
    }

    /// Runs `body` as `role` with the app session variables set, then resets them.
    func asRole<T>(_ role: String, app: String? = nil, provider: String? = nil, org: String? = nil,
                   _ body: () throws -> T) throws -> T {
        try execute("SELECT set_config('role', $1, false)", [.text(role)])
        try execute("SELECT set_config('app.current_role', $1, false), set_config('app.current_provider_id', $2, false), set_config('app.current_org_id', $3, false)",
                    [.text(app ?? ""), .text(provider ?? ""), .text(org ?? "")])
        defer { _ = try? execute("RESET ROLE") }
        return try body()
    }
}

extension TestDatabase {
    /// Examples/sample-facts.json with the rows its facts refer to but do not carry (an
    /// `organizations` row per org id, a `documents` row per cited document, owned by the citing
    /// provider), as `db import` needs them, written to a new temporary file the caller removes.
    /// `documentColumns` adds columns to each document row by document id.
    static func sampleFactsWithReferences(documentColumns: (String) -> [String: Any] = { _ in [:] }) throws -> URL {
        let sample = DatabaseCommandTests.repositoryRoot.appendingPathComponent("Examples/sample-facts.json")
        var facts = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sample)) as? [String: [[String: Any]]])
        facts["organizations"] = Set((facts["providers"] ?? []).compactMap { $0["org_id"] as? String }).sorted().map { ["id": $0, "name": $0] }
        var documents: [String: String] = [:]
        for rows in facts.values { for row in rows { if let doc = row["extracted_from_doc_id"] as? String { documents[doc] = row["provider_id"] as? String } } }
        facts["documents"] = documents.sorted { $0.key < $1.key }.map { id, provider in
            ["id": id, "provider_id": provider].merging(documentColumns(id)) { first, _ in first }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("credrules-facts-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: facts, options: [.sortedKeys]).write(to: path)
        return path
    }
}
