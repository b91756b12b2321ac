internal import Crypto
import Foundation

/// One versioned SQL migration: `NNNN_name.sql`, applied once, in version order, in its own
/// transaction, and recorded in `schema_migrations` with the SHA-256 of its text.
public struct Migration: Sendable, Hashable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// `0001_schema.sql`
    public var fileName: String { String(format: "%04d_%@.sql", version, name) }

    /// Hex SHA-256 of the file's bytes.
    public var checksum: String { Hex.encode(SHA256.hash(data: Array(sql.utf8))) }

    /// The migrations bundled with credrules (Sources/RuleStore/Migrations/SQL), in order.
    public static func bundled() throws(StoreError) -> [Migration] {
        guard let folder = Bundle.module.resourceURL?.appendingPathComponent("SQL"),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else {
            throw StoreError(statement: "load migrations", message: "the migrations folder is missing from the RuleStore bundle")
        }
        var migrations: [Migration] = []
        for name in names where name.hasSuffix(".sql") {
            let path = folder.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw StoreError(statement: "load migrations", message: "cannot read \(path)")
            }
            migrations.append(try parse(fileName: name, sql: text))
        }
        return try ordered(migrations)
    }

    /// A migration from its file name (`NNNN_name.sql`) and text.
    public static func parse(fileName: String, sql: String) throws(StoreError) -> Migration {
        let stem = fileName.hasSuffix(".sql") ? String(fileName.dropLast(4)) : fileName
        let parts = stem.split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 4, let version = Int(parts[0]), version > 0 else {
            throw StoreError(statement: "load migrations", message: "`\(fileName)` is not named NNNN_name.sql")
        }
        return Migration(version: version, name: String(parts[1]), sql: sql)
    }

    /// Sorted by version; two files with one version are an error.
    static func ordered(_ migrations: [Migration]) throws(StoreError) -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.version == b.version {
            throw StoreError(statement: "load migrations", message: "two migrations have version \(a.version): \(a.fileName) and \(b.fileName)")
        }
        return sorted
    }
}

/// The state of one migration in a database.
public struct MigrationStatus: Sendable, Hashable {
    public enum State: String, Sendable { case applied, pending }
    public let migration: Migration
    public let state: State
    /// When it was applied (server time, ISO), for applied ones.
    public let appliedAt: String?
}

/// Applies migrations to a database: pending ones in order, each in its own transaction with
/// its `schema_migrations` row, so a failing one leaves the database as it was before it.
/// Refuses to run when an applied migration's file changed, or the database has one this
/// build does not know.
public struct Migrator {
    public let migrations: [Migration]

    public init(migrations: [Migration]) throws(StoreError) {
        self.migrations = try Migration.ordered(migrations)
    }

    /// Serialises concurrent `db migrate` runs on one database.
    private static let lockKey = "7269656c7572"

    /// Status of every known migration.
    public func status(on connection: Connection) throws(StoreError) -> [MigrationStatus] {
        try ensureTable(on: connection)
        let applied = try appliedMigrations(on: connection)
        try verify(applied)
        return migrations.map { migration in
            if let record = applied[migration.version] {
                return MigrationStatus(migration: migration, state: .applied, appliedAt: record.appliedAt)
            }
            return MigrationStatus(migration: migration, state: .pending, appliedAt: nil)
        }
    }

    /// Applies the pending migrations and returns them (empty when the database is current).
    @discardableResult
    public func migrate(on connection: Connection) throws -> [Migration] {
        try ensureTable(on: connection)
        try connection.execute("SELECT pg_advisory_lock(('x' || $1)::bit(48)::bigint)", [.text(Migrator.lockKey)])
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock(('x' || $1)::bit(48)::bigint)", [.text(Migrator.lockKey)]) }
        let applied = try appliedMigrations(on: connection)
        try verify(applied)
        var done: [Migration] = []
        for migration in migrations where applied[migration.version] == nil {
            do {
                try connection.transaction {
                    try connection.executeScript(migration.sql, name: migration.fileName)
                    try connection.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [.int(migration.version), .text(migration.name), .text(migration.checksum)])
                }
            } catch var error as StoreError {
                error.message = "migration \(migration.fileName) failed and was rolled back: \(error.message)"
                throw error
            }
            done.append(migration)
        }
        return done
    }

    private struct AppliedRecord {
        let name: String
        let checksum: String
        let appliedAt: String?
    }

    private func ensureTable(on connection: Connection) throws(StoreError) {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
    }

    private func appliedMigrations(on connection: Connection) throws(StoreError) -> [Int: AppliedRecord] {
        let result = try connection.execute(
            "SELECT version, name, checksum, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS applied_at FROM schema_migrations ORDER BY version")
        var applied: [Int: AppliedRecord] = [:]
        for row in 0..<result.count {
            guard let version = try result.int(row, "version") else { continue }
            applied[version] = AppliedRecord(
                name: try result.string(row, "name") ?? "", checksum: try result.string(row, "checksum") ?? "",
                appliedAt: try result.string(row, "applied_at"))
        }
        return applied
    }

    private func verify(_ applied: [Int: AppliedRecord]) throws(StoreError) {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = known[version] else {
                throw StoreError(
                    statement: "db migrate",
                    message: "the database has migration \(String(format: "%04d", version))_\(record.name) applied, which this credrules does not know: it is newer than this build")
            }
            guard migration.checksum == record.checksum else {
                throw StoreError(
                    statement: "db migrate",
                    message: "migration \(migration.fileName) changed after it was applied (applied checksum \(record.checksum), file checksum \(migration.checksum)); an applied migration must never change: add a new migration instead")
            }
        }
    }
}
