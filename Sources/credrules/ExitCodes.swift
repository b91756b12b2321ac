import ArgumentParser

/// The exit codes of every subcommand, in one place.
enum ExitCodes {
    /// Everything clean.
    static let success = ExitCode(0)
    /// Input had errors (invalid pack, rejected fact rows, failed pack tests, replay mismatch).
    static let failure = ExitCode(1)
    /// The command line itself was wrong.
    static let usage = ExitCode(2)
}

/// A file could not be written or created: reported as `Error: …` with exit status 1, without
/// the usage text that a mistyped command line gets.
struct OutputFailure: Error, CustomStringConvertible {
    let description: String
}

/// The input could not be used at all (facts that are malformed, empty, unreadable or over a
/// limit): reported as `Error: …` with exit status 1, without the usage text.
struct InputFailure: Error, CustomStringConvertible {
    let description: String
}

/// The command line named something that is not there or not usable (a missing file, a folder
/// where a file belongs): `Error: …` with exit status 2, without the usage text, which would
/// bury the one line that matters.
struct UsageFailure: Error, CustomStringConvertible {
    let description: String
}
