/// Renders diagnostics as text in the layout of swiftc and rustc:
///
/// ```
/// pack.yaml:12:9: error[pack.unknownKey]: unknown key `hours_requred` in a requirement
///    12 |     hours_requred: 2
///       |     ^~~~~~~~~~~~~
///   = help: did you mean `hours`?
/// pack.yaml:3:3: note: first defined here
/// ```
///
/// The id sits in brackets after the severity so that a reader can look it up or silence it.
public enum HumanDiagnosticRenderer {
    /// Renders `diagnostics`, sorted with ``Diagnostic/sortedForOutput(_:)``.
    ///
    /// - Parameters:
    ///   - diagnostics: What to print.
    ///   - files: Source files by path, used to quote the offending line; a diagnostic whose
    ///     file is missing is printed without a quote.
    ///   - color: Whether to add ANSI colors (the caller decides, e.g. by `isatty`).
    /// - Returns: The text, each diagnostic ending with a newline.
    public static func render(_ diagnostics: [Diagnostic], files: [String: SourceFile], color: Bool = false) -> String {
        var out = ""
        for diagnostic in Diagnostic.sortedForOutput(diagnostics) {
            out += render(diagnostic, files: files, color: color)
        }
        return out
    }

    /// Renders one diagnostic with its quote, help and notes.
    public static func render(_ diagnostic: Diagnostic, files: [String: SourceFile], color: Bool = false) -> String {
        let style = Style(enabled: color)
        var out = ""
        let severityColor = diagnostic.severity == .error ? style.red : (diagnostic.severity == .warning ? style.yellow : style.cyan)
        out += style.bold + position(diagnostic.span) + style.reset
        out += severityColor + style.bold + diagnostic.severity.rawValue + "[" + diagnostic.id + "]" + style.reset
        out += style.bold + ": " + diagnostic.message + style.reset + "\n"
        if let span = diagnostic.span, let file = files[span.path] {
            out += quote(span, in: file, style: style, caretColor: severityColor)
        }
        if let help = diagnostic.help {
            out += "  = " + style.cyan + "help" + style.reset + ": " + help + "\n"
        }
        for note in diagnostic.notes {
            out += style.bold + position(note.span) + style.reset + style.cyan + "note" + style.reset + ": " + note.message + "\n"
            if let span = note.span, let file = files[span.path] {
                out += quote(span, in: file, style: style, caretColor: style.cyan)
            }
        }
        return out
    }

    private static func position(_ span: SourceSpan?) -> String {
        guard let span else { return "" }
        return "\(span.path):\(span.start.line):\(span.start.column): "
    }

    /// The source line with a gutter, then `^` under the start and `~` under the rest of the
    /// span on that line. Tabs in the prefix are kept so that the caret lines up in a terminal.
    private static func quote(_ span: SourceSpan, in file: SourceFile, style: Style, caretColor: String) -> String {
        guard span.start.line >= 1, span.start.line <= file.lineCount else { return "" }
        let line = file.line(span.start.line)
        let scalars = Array(line.unicodeScalars)
        let number = String(span.start.line)
        let gutter = String(repeating: " ", count: number.count)
        var marker = ""
        let startIndex = max(span.start.column - 1, 0)
        for index in 0..<min(startIndex, scalars.count) {
            marker += scalars[index] == "\t" ? "\t" : " "
        }
        if startIndex > scalars.count { marker += String(repeating: " ", count: startIndex - scalars.count) }
        let endColumn: Int
        if span.end.line == span.start.line {
            endColumn = max(span.end.column, span.start.column + 1)
        } else {
            // A span running onto later lines is underlined to the end of its first line.
            endColumn = max(scalars.count + 1, span.start.column + 1)
        }
        marker += "^" + String(repeating: "~", count: max(endColumn - span.start.column - 1, 0))
        var out = ""
        out += " \(number) | " + line + "\n"
        out += " \(gutter) | " + caretColor + marker + style.reset + "\n"
        return out
    }

    private struct Style {
        let red: String, yellow: String, cyan: String, bold: String, reset: String
        init(enabled: Bool) {
            red = enabled ? "\u{1B}[31m" : ""
            yellow = enabled ? "\u{1B}[33m" : ""
            cyan = enabled ? "\u{1B}[36m" : ""
            bold = enabled ? "\u{1B}[1m" : ""
            reset = enabled ? "\u{1B}[0m" : ""
        }
    }
}

/// A one-line count for the end of a report: "2 errors, 1 warning".
public func diagnosticSummary(_ diagnostics: [Diagnostic]) -> String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.filter { $0.severity == .warning }.count
    return "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
}
