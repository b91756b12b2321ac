import ArgumentParser
import Foundation
import RuleBase

/// write(2), named apart from ``LineWriter``'s own `write` methods.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// File-system access for the command line: the only place that touches files.
enum FileIO {
    /// The bytes of a file, or a usage error naming it.
    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read `\(path)`: no such file or not readable")
        }
        return [UInt8](data)
    }

    /// A file's text, which must be UTF-8.
    static func readText(_ path: String) throws -> String {
        let bytes = try read(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ValidationError("`\(path)` is not valid UTF-8")
        }
        return text
    }

    /// Files under the given paths whose extension is in `extensions`, sorted; folders are
    /// searched recursively. A path that does not exist is a usage error.
    static func files(under paths: [String], extensions: Set<String>) throws -> [String] {
        var result: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or folder: `\(path)`")
            }
            if !isDirectory.boolValue {
                result.append(path)
                continue
            }
            guard let enumerator = FileManager.default.enumerator(atPath: path) else { continue }
            var found: [String] = []
            while let relative = enumerator.nextObject() as? String {
                let ext = (relative as NSString).pathExtension.lowercased()
                if extensions.contains(ext) { found.append((path as NSString).appendingPathComponent(relative)) }
            }
            result += found.sorted()
        }
        return result
    }

    /// Writes a file atomically (see ``AtomicFile``): readers see the old file or the new one,
    /// never a half-written one, and two runs writing the same path never share a temporary.
    static func writeAtomically(_ text: String, to path: String) throws {
        let file = try AtomicFile(path: path)
        let writer = LineWriter(descriptor: file.descriptor, path: "`\(path)`")
        writer.write(raw: Array(text.utf8))
        do {
            try writer.close()
            try file.commit()
        } catch {
            file.discard()
            throw error
        }
    }

    /// What a path names, for messages: nothing, a folder, or a file.
    enum PathKind { case missing, directory, file }

    static func kind(of path: String) -> PathKind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }

    /// Opens an input file for reading: a missing path or a folder is a usage error that says
    /// which; a file that exists but cannot be read is an input error with the system's reason.
    static func openForReading(_ path: String, role: String) throws -> FileHandle {
        switch kind(of: path) {
        case .missing: throw UsageFailure(description: "cannot read `\(path)`: no such file")
        case .directory: throw UsageFailure(description: "\(role) `\(path)` is a directory, not a file")
        case .file: break
        }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw InputFailure(description: "cannot read `\(path)`: \(String(cString: strerror(errno)))")
        }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// The size in bytes of an open file.
    static func size(of handle: FileHandle) -> Int {
        var info = stat()
        return fstat(handle.fileDescriptor, &info) == 0 ? Int(info.st_size) : 0
    }

    /// Creates a folder (and its parents) if missing.
    static func makeDirectory(_ path: String) throws {
        // Component by component with mkdir(2), so a failure names its reason (a file in
        // the way, no permission) rather than a Foundation error code.
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw OutputFailure(description: "cannot create the folder `\(path)`: `\(prefix)` is a file")
                }
            } else if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw OutputFailure(description: "cannot create the folder `\(path)`: \(String(cString: strerror(errno)))")
            }
            prefix += "/"
        }
    }

    /// Whether standard output is a terminal (colour only then).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes to standard error.
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// A file written under a unique temporary name in its final folder and renamed over its final
/// path only when complete. rename(2) replaces the target in one step, so readers see the old
/// file or the new one, never a half-written one; the name holds the process id and is created
/// exclusively, so two runs writing into one folder never share a temporary.
final class AtomicFile {
    /// The final path.
    let path: String
    /// Where the bytes go until ``commit()``.
    let temporaryPath: String
    /// The temporary file's descriptor, open for writing.
    let descriptor: Int32
    private var isOpen = true

    init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var attempt = 0
        while true {
            let candidate = (folder.isEmpty ? "" : folder + "/") + ".\(name).\(getpid())-\(attempt).credrules-tmp"
            let descriptor = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if descriptor >= 0 {
                self.temporaryPath = candidate
                self.descriptor = descriptor
                return
            }
            guard errno == EEXIST, attempt < 10_000 else {
                throw OutputFailure(description: "cannot write `\(path)`: \(String(cString: strerror(errno)))")
            }
            attempt += 1
        }
    }

    /// Flushes the bytes to disk (`durable`), then renames the temporary over the final path
    /// and syncs the folder, so the new name survives a crash too.
    func commit(durable: Bool = true) throws {
        if durable, fsync(descriptor) != 0 {
            let reason = String(cString: strerror(errno))
            discard()
            throw OutputFailure(description: "cannot write `\(path)`: \(reason)")
        }
        closeDescriptor()
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            discard()
            throw OutputFailure(description: "cannot replace `\(path)`: \(reason)")
        }
        if durable { Self.syncFolder(of: path) }
    }

    /// Removes the temporary; the final path keeps what it had.
    func discard() {
        closeDescriptor()
        unlink(temporaryPath)
    }

    private func closeDescriptor() {
        if isOpen { close(descriptor) }
        isOpen = false
    }

    deinit { closeDescriptor() }

    /// fsync(2) on a folder makes a rename in it durable.
    static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

/// Buffered output to a file descriptor or standard output. The first write error (a full
/// disk) is kept, later writes are skipped, and ``close()`` throws it.
final class LineWriter {
    private let descriptor: Int32
    /// What is written to, for messages.
    private let path: String
    private var buffer: [UInt8] = []

    /// Writes to `descriptor`, which the caller keeps open and closes.
    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    /// Writes to standard output.
    static func standardOutput() -> LineWriter { LineWriter(descriptor: STDOUT_FILENO, path: "standard output") }

    func write(line: String) {
        write(bytes: Array(line.utf8))
    }

    /// Writes one line: the bytes and a newline.
    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    /// The first write error, if any.
    private(set) var failure: String?

    /// Writes bytes as they are (rows that already end in newlines, a whole document),
    /// straight from their buffer when they are large.
    func write(raw bytes: [UInt8]) {
        if buffer.count + bytes.count < 1 << 20 {
            buffer += bytes
            return
        }
        flush()
        writeAll(bytes)
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// write(2) until everything is written or it fails (the failure is kept for ``close()``).
    private func writeAll(_ data: [UInt8]) {
        // Straight from the array: a gigabyte of log need not be copied into `Data` first.
        data.withUnsafeBytes { bytes in
            var offset = 0
            while failure == nil, offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                } else {
                    offset += written
                }
            }
        }
    }

    /// Flushes; throws when any write failed. The descriptor stays open.
    func close() throws {
        flush()
        if let failure { throw OutputFailure(description: "cannot write \(path): \(failure)") }
    }
}

/// Reads a file line by line in large chunks, so memory stays flat however big the file is.
/// Lines are raw bytes: whoever parses a line validates it (the JSON parser checks the UTF-8
/// of every string), so nothing is decoded twice. A line longer than ``maximumLineBytes`` is
/// never held whole: it is skipped to its end and handed out as ``Line/tooLong(byteCount:)``.
struct LineReader {
    /// One line of the file.
    enum Line {
        /// The line's bytes, without the line break.
        case text(ArraySlice<UInt8>)
        /// A line over the limit, skipped; how long it was.
        case tooLong(byteCount: Int)

        /// The bytes, or nothing for a line that was too long.
        var bytes: ArraySlice<UInt8> {
            if case .text(let bytes) = self { return bytes }
            return []
        }
    }

    private let handle: FileHandle
    /// The longest line handed out whole.
    let maximumLineBytes: Int
    private var pending: [UInt8] = []
    private var cursor = 0
    private var finished = false
    /// Bytes of an over-long line skipped so far (its start has already been dropped).
    private var skipping: Int?

    init(handle: FileHandle, maximumLineBytes: Int) {
        self.handle = handle
        self.maximumLineBytes = maximumLineBytes
    }

    init(path: String, role: String, maximumLineBytes: Int) throws {
        self.init(handle: try FileIO.openForReading(path, role: role), maximumLineBytes: maximumLineBytes)
    }

    /// Up to `count` next lines, and no more once `byteBudget` bytes are held; empty at the
    /// end of the file.
    mutating func nextLines(_ count: Int, byteBudget: Int = .max) -> [Line] {
        var lines: [Line] = []
        var held = 0
        while lines.count < count, held < byteBudget {
            if let newline = nextNewline() {
                if let skipped = skipping {
                    lines.append(.tooLong(byteCount: skipped + newline - cursor))
                    skipping = nil
                } else if newline - cursor > maximumLineBytes {
                    lines.append(.tooLong(byteCount: newline - cursor))
                } else {
                    lines.append(.text(pending[cursor..<newline]))
                    held += newline - cursor
                }
                cursor = newline + 1
                continue
            }
            if finished {
                if let skipped = skipping {
                    lines.append(.tooLong(byteCount: skipped + pending.count - cursor))
                    skipping = nil
                } else if pending.count - cursor > maximumLineBytes {
                    lines.append(.tooLong(byteCount: pending.count - cursor))
                } else if cursor < pending.count {
                    lines.append(.text(pending[cursor...]))
                }
                pending = []
                cursor = 0
                break
            }
            if skipping != nil || pending.count - cursor > maximumLineBytes {
                // The partial line is over the limit: drop what is held of it and keep only
                // its length, so a gigabyte line costs no more memory than a short one.
                skipping = (skipping ?? 0) + pending.count - cursor
                pending = []
                cursor = 0
            }
            let chunk = handle.readData(ofLength: 4 << 20)
            if chunk.isEmpty {
                finished = true
            } else if cursor == 0 {
                // No line has been handed out of this buffer: it can grow in place (a line
                // longer than a chunk then costs amortised linear time, not quadratic).
                pending += chunk
            } else {
                // A new buffer holds the partial line and the new chunk; the lines already
                // handed out keep the old one, so nothing they share is ever mutated.
                var next: [UInt8] = []
                next.reserveCapacity(pending.count - cursor + chunk.count)
                next += pending[cursor...]
                next += chunk
                pending = next
                cursor = 0
            }
        }
        return lines
    }

    private func nextNewline() -> Int? {
        pending.withUnsafeBufferPointer { buffer in
            guard cursor < buffer.count, let base = buffer.baseAddress,
                  let found = memchr(base + cursor, 0x0A, buffer.count - cursor) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }
}

extension LineReader {
    /// Reads a file line by line, calling `body` with each non-blank line and its 1-based
    /// number until `body` returns false or the file ends.
    static func forEachLine(
        path: String, role: String, maximumLineBytes: Int, _ body: (Line, Int) throws -> Bool
    ) throws {
        var reader = try LineReader(path: path, role: role, maximumLineBytes: maximumLineBytes)
        var lineNumber = 0
        while true {
            let lines = reader.nextLines(1000, byteBudget: 64 << 20)
            if lines.isEmpty { return }
            for line in lines {
                lineNumber += 1
                if case .text(let bytes) = line, JSONParser.isBlank(bytes) { continue }
                if try !body(line, lineNumber) { return }
            }
        }
    }
}

extension ArraySlice<UInt8> {
    /// The line as text (invalid UTF-8 is replaced, for messages and searches).
    var text: String { String(decoding: self, as: UTF8.self) }
}
