import ArgumentParser
import Foundation
import RuleBase
import RuleStore

/// `credrules db import`: load a facts file into PostgreSQL, encrypting the protected columns.
struct DatabaseImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a facts file (JSON, or JSON Lines streamed) into the database: an upsert by id.",
        discussion: """
            Accepts what `eval` reads, plus optional `organizations`, `documents` and `provider_identifiers` \
            tables. A new row is inserted, a changed row updated (so change events and credential versions \
            record it), an unchanged row left alone. Any bad row rolls back the whole file and is reported with \
            its line, table, row and column. providers.npi/email/phone/date_of_birth and \
            provider_identifiers.id_value are encrypted with the key in CREDRULES_ENCRYPTION_KEY (base64 of 32 \
            bytes) or --key-file. Runs as the credrules_loader role.
            """)

    @OptionGroup var options: DatabaseOptions

    @Option(help: "A file holding the base64 encryption key (instead of $CREDRULES_ENCRYPTION_KEY).")
    var keyFile: String?

    @Argument(help: "The facts file (.json, or .jsonl / .ndjson for JSON Lines).")
    var file: String

    func run() throws {
        let cipher: FieldCipher
        do { cipher = try FieldCipher.fromEnvironment(keyFile: keyFile) } catch { throw DatabaseFailure(error) }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw ValidationError("cannot read `\(file)`: no such file or not readable")
        }
        let connection = try options.connect()
        let importer = FactImporter(connection: connection, cipher: cipher)
        let summary = try options.audited(connection, role: DatabaseRole.loader.rawValue, action: "db.import", resource: "facts") {
            do {
                try connection.assumeRole(.loader)
                try importer.begin()
                try forEachDocument { document, line in try importer.add(document, line: line) }
                let summary = try importer.finish()
                try connection.execute("RESET ROLE")
                return (summary, [("file", .string(file)), ("key_id", .string(cipher.keyID)), ("counts", summary.json)])
            } catch {
                importer.abort()
                throw error
            }
        }
        for counts in summary.tables {
            print("\(counts.table): \(counts.rows) rows, \(counts.inserted) inserted, \(counts.updated) updated, \(counts.unchanged) unchanged")
        }
        for (table, rows) in summary.ignored { print("\(table): \(rows) rows not imported (derived or owned by the API)") }
    }

    private var isJSONLines: Bool { file.lowercased().hasSuffix(".jsonl") || file.lowercased().hasSuffix(".ndjson") }

    /// Each facts document with its line (JSON Lines), or the whole file (line nil).
    private func forEachDocument(_ body: (JSONValue, Int?) throws -> Void) throws {
        if isJSONLines {
            try LineReader.forEachLine(path: file, role: "the facts file", maximumLineBytes: FactsLimits.maximumLineBytes) { line, lineNumber in
                guard case .text(let text) = line else {
                    throw ImportError(line: lineNumber, table: nil, index: nil, rowID: nil, column: nil,
                                      message: "the line is longer than \(FactsLimits.describe(FactsLimits.maximumLineBytes)) (one provider's facts)")
                }
                let document: JSONValue
                do {
                    document = try JSONParser.parse(text.text)
                } catch let error as JSONSyntaxError {
                    throw ImportError(line: lineNumber, table: nil, index: nil, rowID: nil, column: nil,
                                      message: "invalid JSON at column \(error.location.column): \(error.message)")
                }
                try body(document, lineNumber)
                return true
            }
            return
        }
        let document: JSONValue
        do {
            document = try JSONParser.parse(try FileIO.readText(file))
        } catch let error as JSONSyntaxError {
            throw ImportError(line: error.location.line, table: nil, index: nil, rowID: nil, column: nil,
                              message: "invalid JSON at column \(error.location.column): \(error.message)")
        }
        try body(document, nil)
    }
}

/// `credrules db rotate-key`: re-encrypt the protected columns under a new key, in batches.
struct DatabaseRotateKeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Re-encrypt protected columns from the current key to a new one, in batches.",
        discussion: """
            The current key comes from CREDRULES_ENCRYPTION_KEY or --key-file, the new one from \
            CREDRULES_NEW_ENCRYPTION_KEY or --new-key-file. Each batch commits on its own, so an interrupted \
            rotation resumes where it stopped; rows under other keys are left alone.
            """)

    @OptionGroup var options: DatabaseOptions

    @Option(help: "A file holding the current base64 key.")
    var keyFile: String?

    @Option(help: "A file holding the new base64 key.")
    var newKeyFile: String?

    @Option(help: "Rows per transaction.")
    var batchSize = 1000

    func run() throws {
        let current: FieldCipher
        let next: FieldCipher
        do {
            current = try FieldCipher.fromEnvironment(keyFile: keyFile)
            next = try FieldCipher.fromEnvironment(keyFile: newKeyFile, variable: "CREDRULES_NEW_ENCRYPTION_KEY")
        } catch {
            throw DatabaseFailure(error)
        }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        let connection = try options.connect()
        let counts = try options.audited(connection, role: DatabaseRole.loader.rawValue, action: "db.rotate-key", resource: "providers") {
            try connection.assumeRole(.loader)
            let counts = try KeyRotation(connection: connection, from: current, to: next, batchSize: batchSize).run()
            try connection.execute("RESET ROLE")
            return (counts, [("from_key_id", .string(current.keyID)), ("to_key_id", .string(next.keyID)),
                             ("providers", .int(counts.providers)), ("provider_identifiers", .int(counts.identifiers))])
        }
        print("re-encrypted \(counts.providers) providers and \(counts.identifiers) identifiers from key \(current.keyID) to \(next.keyID)")
    }
}
