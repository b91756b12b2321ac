import ArgumentParser
import Foundation
import RuleBase
import RuleStore

/// `credrules db …`: the PostgreSQL system of record.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Migrate, inspect, load and maintain the PostgreSQL database.",
        subcommands: [DatabaseMigrateCommand.self, DatabaseStatusCommand.self, DatabaseImportCommand.self,
                      DatabaseRotateKeyCommand.self, DatabaseRetentionCommand.self])
}

/// `--database URL` (or CREDRULES_DATABASE_URL) and `--actor`, shared by every database command.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL (postgresql://user@host:port/db); default: $CREDRULES_DATABASE_URL.")
    var database: String?

    @Option(help: "Who is acting, recorded in audit rows and change events; default: cli:$USER.")
    var actor: String?

    var actorName: String { actor ?? "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }

    /// An open connection with the actor set, or a usage error when no URL is given.
    func connect() throws -> Connection {
        guard let url = database ?? ProcessInfo.processInfo.environment["CREDRULES_DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("no database: pass --database URL or set CREDRULES_DATABASE_URL")
        }
        do {
            let connection = try Connection(url: url)
            try connection.setActor(actorName)
            return connection
        } catch {
            throw DatabaseFailure(error)
        }
    }

    /// Runs `body`; a database error becomes `Error: …` with exit status 1, after an audit
    /// row recording the failure (when the database can still take one).
    func audited<T>(_ connection: Connection, role: String, action: String, resource: String,
                    _ body: () throws -> (T, [(String, JSONValue)])) throws -> T {
        do {
            let (value, metadata) = try body()
            try connection.writeAudit(AuditEntry(actor: actorName, role: role, action: action, resource: resource,
                                                 status: .success, metadata: metadata))
            return value
        } catch {
            _ = try? connection.execute("RESET ROLE")
            try? connection.writeAudit(AuditEntry(actor: actorName, role: role, action: action, resource: resource,
                                                  status: .failure, metadata: [("error", .string(String(describing: error)))]))
            if error is ExitCode || error is ValidationError || error is UsageFailure { throw error }
            throw DatabaseFailure(error)
        }
    }
}

/// A database error reported as `Error: …` with exit status 1 (not a usage error).
struct DatabaseFailure: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) { description = String(describing: error) }
    init(message: String) { description = message }
}

struct DatabaseMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations, each in its own transaction.",
        discussion: """
            Migrations are applied in version order and recorded with their SHA-256 in schema_migrations. \
            Running it again changes nothing. A migration whose file changed since it was applied is refused. \
            Needs a superuser, or a role with CREATEROLE that owns the database.
            """)

    @OptionGroup var options: DatabaseOptions

    func run() throws {
        let connection = try options.connect()
        let applied = try options.audited(connection, role: "migrator", action: "db.migrate", resource: "schema_migrations") {
            let applied = try Migrator(migrations: try Migration.bundled()).migrate(on: connection)
            return (applied, [("applied", .array(applied.map { .string($0.fileName) }))])
        }
        if applied.isEmpty {
            print("database is up to date")
        } else {
            for migration in applied { print("applied \(migration.fileName)") }
        }
    }
}

struct DatabaseStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "List applied and pending migrations.")

    @OptionGroup var options: DatabaseOptions

    func run() throws {
        let connection = try options.connect()
        let statuses: [MigrationStatus]
        do {
            statuses = try Migrator(migrations: try Migration.bundled()).status(on: connection)
        } catch {
            throw DatabaseFailure(error)
        }
        for status in statuses {
            let when = status.appliedAt.map { " \($0)" } ?? ""
            print("\(status.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(status.migration.fileName)\(when)")
        }
        // Reading the schema state is an access too, once the audit table exists.
        if statuses.contains(where: { $0.state == .applied }) {
            try? connection.writeAudit(AuditEntry(
                actor: options.actorName, role: "migrator", action: "db.status", resource: "schema_migrations", status: .success,
                metadata: [("applied", .int(statuses.filter { $0.state == .applied }.count)),
                           ("pending", .int(statuses.filter { $0.state == .pending }.count))]))
        }
    }
}

struct DatabaseRetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Purge notifications, email events, audit logs and change events older than 7 years.",
        discussion: """
            Runs credrules_retention_purge as the credrules_retention role (the login must be a member). \
            Documents, credentials and their versions are never purged. The date may not be in the future.
            """)

    @OptionGroup var options: DatabaseOptions

    @Option(help: "The date retention is computed from, YYYY-MM-DD.")
    var asOf: String

    func run() throws {
        guard let date = CalendarDate(iso: asOf) else { throw ValidationError("--as-of must be a YYYY-MM-DD date, got `\(asOf)`") }
        let connection = try options.connect()
        // The function writes its own audit and retention_runs rows.
        do {
            try connection.assumeRole(.retention)
            print(try connection.runRetention(asOf: date))
        } catch {
            _ = try? connection.execute("RESET ROLE")
            try? connection.writeAudit(AuditEntry(actor: options.actorName, role: "credrules_retention", action: "retention.purge",
                                                  resource: "retention_runs", status: .failure,
                                                  metadata: [("as_of", .string(asOf)), ("error", .string(String(describing: error)))]))
            throw DatabaseFailure(error)
        }
    }
}
