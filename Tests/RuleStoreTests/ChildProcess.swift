import Foundation
import Testing

/// A process the database tests start (`credrules` as a user runs it, or bash), with its output
/// captured in scratch files rather than pipes, so a chatty child never blocks on a full pipe.
/// Every wait has a deadline: a hung child is killed and the test fails naming the command,
/// instead of the whole suite hanging until CI's own limit.
final class ChildProcess {
    let process = Process()
    private let scratch: URL
    private let command: String

    /// How a child ended: exit status or signal, and what it printed.
    struct Ending: CustomStringConvertible {
        let status: Int32
        let signalled: Bool
        let stdout: String
        let stderr: String
        var description: String { "\(signalled ? "signal" : "exit status") \(status); stdout: \(stdout); stderr: \(stderr)" }
    }

    /// Starts `executable` with `arguments` in the repository root.
    init(executable: URL, arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = DatabaseCommandTests.repositoryRoot
        if let environment { process.environment = environment }
        command = ([executable.lastPathComponent] + arguments).joined(separator: " ")
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("credrules-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        for name in ["out", "err"] { _ = FileManager.default.createFile(atPath: scratch.appendingPathComponent(name).path, contents: nil) }
        process.standardOutput = try FileHandle(forWritingTo: scratch.appendingPathComponent("out"))
        process.standardError = try FileHandle(forWritingTo: scratch.appendingPathComponent("err"))
        try process.run()
    }

    /// Starts the `credrules` binary built beside the tests, against `database`, with the tests'
    /// encryption key; `extra` adds or overrides environment variables.
    convenience init(credrules arguments: [String], database: String, environment extra: [String: String] = [:]) throws {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        let folder = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("credrules").path) }
        let executable = try #require(folder, "the credrules binary is built beside the tests").appendingPathComponent("credrules")
        var environment = ProcessInfo.processInfo.environment
        environment["CREDRULES_DATABASE_URL"] = database
        environment["CREDRULES_ENCRYPTION_KEY"] = DatabaseCommandTests.key
        // A test hook of `run`; only a test that means it passes it, in `extra`.
        environment.removeValue(forKey: "CREDRULES_TEST_STOP_AFTER_BATCHES")
        for (name, value) in extra { environment[name] = value }
        try self.init(executable: executable, arguments: arguments, environment: environment)
    }

    /// Starts bash with `arguments`, through Python's subprocess, which closes every descriptor but
    /// 0–2 in the child: Foundation's Process notices an exit by a descriptor the child inherits,
    /// and a server the script leaves running would hold it open and hang the wait.
    convenience init(bash arguments: [String]) throws {
        try self.init(executable: URL(fileURLWithPath: "/usr/bin/env"),
                      arguments: ["python3", "-c", "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:], close_fds=True).returncode)",
                                  "/bin/bash"] + arguments)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(at: scratch)
    }

    var hasExited: Bool { !process.isRunning }

    /// kill -9, as a test's deliberate crash (not a timeout).
    func kill9() {
        killedByTest = true
        kill(process.processIdentifier, SIGKILL)
    }

    /// Waits for the end; after `timeout` seconds (generous: the machine is shared) the child is
    /// killed and the wait fails, naming the command and what it had printed.
    func wait(timeout: TimeInterval = 600) throws -> Ending {
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(timeout)
        let killer = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        process.waitUntilExit()
        killer.cancel()
        let signalled = process.terminationReason == .uncaughtSignal
        let ending = Ending(status: process.terminationStatus, signalled: signalled,
                            stdout: try String(contentsOf: scratch.appendingPathComponent("out"), encoding: .utf8),
                            stderr: try String(contentsOf: scratch.appendingPathComponent("err"), encoding: .utf8))
        if signalled && ending.status == SIGKILL && !killedByTest && Date() >= deadline {
            throw TestDatabase.SetupError(description: "\(command) did not end within \(Int(timeout)) s and was killed; \(ending)")
        }
        return ending
    }

    private var killedByTest = false
}
