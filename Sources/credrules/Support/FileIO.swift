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

    /// Writes a file atomically: to a temporary file beside it, then renamed, so a failure
    /// never leaves a half-written file.
    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-credrules"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw ValidationError("cannot write `\(path)`")
        }
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
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

/// Buffered line output to a file or standard output.
final class LineWriter {
    private let handle: FileHandle
    /// What is written to, for messages.
    private let path: String
    private var buffer: [UInt8] = []

    init(handle: FileHandle, path: String = "standard output") {
        self.handle = handle
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    /// Opens (truncating) a file for writing.
    convenience init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write `\(path)`")
        }
        self.init(handle: handle, path: "`\(path)`")
    }

    func write(line: String) {
        write(bytes: Array(line.utf8))
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    /// The first write error, if any (a full disk); later writes are skipped.
    private(set) var failure: String?

    /// Writes rows that already end in newlines, straight from their buffer.
    func write(lines: [UInt8]) {
        if buffer.count + lines.count < 1 << 20 {
            buffer += lines
            return
        }
        flush()
        writeAll(lines)
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
                let written = systemWrite(handle.fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                } else {
                    offset += written
                }
            }
        }
    }

    /// Flushes and closes; throws when any write failed.
    func close() throws {
        flush()
        if handle !== FileHandle.standardOutput { try? handle.close() }
        if let failure { throw OutputFailure(description: "cannot write \(path): \(failure)") }
    }
}

/// Reads a file line by line in large chunks, so memory stays flat however big the file is.
/// Lines are raw bytes: whoever parses a line validates it (the JSON parser checks the UTF-8
/// of every string), so nothing is decoded twice.
struct LineReader {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private var cursor = 0
    private var finished = false

    init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ValidationError("cannot read `\(path)`: no such file or not readable")
        }
        self.handle = handle
    }

    /// Up to `count` next lines (without line breaks); empty at the end of the file.
    mutating func nextLines(_ count: Int) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        while lines.count < count {
            if let newline = nextNewline() {
                lines.append(pending[cursor..<newline])
                cursor = newline + 1
                continue
            }
            if finished {
                if cursor < pending.count { lines.append(pending[cursor...]) }
                pending = []
                cursor = 0
                break
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
    static func forEachLine(path: String, _ body: (ArraySlice<UInt8>, Int) throws -> Bool) throws {
        var reader = try LineReader(path: path)
        var lineNumber = 0
        while true {
            let lines = reader.nextLines(1000)
            if lines.isEmpty { return }
            for line in lines {
                lineNumber += 1
                if JSONParser.isBlank(line) { continue }
                if try !body(line, lineNumber) { return }
            }
        }
    }
}

extension ArraySlice<UInt8> {
    /// The line as text (invalid UTF-8 is replaced, for messages and searches).
    var text: String { String(decoding: self, as: UTF8.self) }
}
