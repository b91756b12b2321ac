import Foundation
import Logging

/// How a long run reports while it works: on a terminal (standard error is a TTY) a progress bar
/// with providers per second and the time left; otherwise one structured log line per batch
/// (swift-log), for a job scheduler's log. Wall-clock time appears only here and in the summary,
/// never in an output table, a log entry or a manifest.
final class RunProgress: @unchecked Sendable {
    private let total: Int
    private let startedAt = Date()
    private var done = 0
    private var batches = 0
    private var lastDrawn = Date.distantPast
    private let onTerminal: Bool
    private let logger: Logger

    /// - Parameters:
    ///   - total: providers the run will evaluate (for the bar and the time left).
    ///   - label: the logger's label.
    ///   - metadata: fields every log line carries (run id, shard, as-of date).
    init(total: Int, label: String, metadata: Logger.Metadata) {
        self.total = total
        onTerminal = isatty(STDERR_FILENO) == 1
        var logger = Logger(label: label)
        for (key, value) in metadata { logger[metadataKey: key] = value }
        self.logger = logger
    }

    /// Seconds since the run started.
    var elapsed: Double { Date().timeIntervalSince(startedAt) }

    /// Providers per second so far.
    var rate: Double { elapsed > 0 ? Double(done) / elapsed : 0 }

    /// A batch of `providers` has been written (called from the runner's writer thread only).
    func advance(by providers: Int) {
        done += providers
        batches += 1
        if onTerminal {
            let now = Date()
            // Redrawn at most five times a second, and at the end.
            guard now.timeIntervalSince(lastDrawn) >= 0.2 || done >= total else { return }
            lastDrawn = now
            FileHandle.standardError.write(Data(("\r" + bar() + "\u{1B}[K").utf8))
        } else {
            logger.info("batch written", metadata: [
                "batch": "\(batches)", "providers_done": "\(done)", "providers_total": "\(total)",
                "providers_per_second": "\(Self.format(rate))", "eta_seconds": "\(eta.map { String(Int($0.rounded())) } ?? "unknown")",
            ])
        }
    }

    /// A message worth a log line (start, resume, end); on a terminal it goes above the bar.
    func note(_ message: String, _ metadata: Logger.Metadata = [:]) {
        if onTerminal { return }
        logger.info("\(message)", metadata: metadata)
    }

    /// Clears the bar (a terminal) before the summary is printed.
    func finish() {
        if onTerminal, batches > 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// Seconds left at the current rate.
    private var eta: Double? {
        guard done > 0, rate > 0 else { return nil }
        return Double(max(0, total - done)) / rate
    }

    /// `[########------------]  1,200/2,000 providers  85.3/s  ETA 0:09`
    private func bar() -> String {
        let width = 30
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let left = eta.map { Self.clock($0) } ?? "--:--"
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            + "\(done)/\(total) providers  \(Self.format(rate))/s  ETA \(left)"
    }

    /// `3:07`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }

    /// One decimal place, in the POSIX locale.
    static func format(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
