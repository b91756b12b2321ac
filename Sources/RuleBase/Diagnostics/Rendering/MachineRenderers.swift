/// Renders diagnostics as a JSON array for CI tools:
/// `[{id, severity, message, file, line, column, end_line, end_column, help, notes}]`.
///
/// Positionless diagnostics have `null` file and positions; a missing help is `null`.
public enum JSONDiagnosticRenderer {
    /// The diagnostics, sorted with ``Diagnostic/sortedForOutput(_:)``, as a JSON array.
    public static func render(_ diagnostics: [Diagnostic]) -> JSONValue {
        .array(Diagnostic.sortedForOutput(diagnostics).map(object))
    }

    private static func object(_ d: Diagnostic) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(d.id)), ("severity", .string(d.severity.rawValue)), ("message", .string(d.message)),
        ]
        members += position(d.span)
        members.append(("help", d.help.map { .string($0) } ?? .null))
        members.append((
            "notes",
            .array(d.notes.map { note in .object([("message", .string(note.message))] + position(note.span)) })
        ))
        return .object(members)
    }

    private static func position(_ span: SourceSpan?) -> [(String, JSONValue)] {
        guard let span else {
            return [("file", .null), ("line", .null), ("column", .null), ("end_line", .null), ("end_column", .null)]
        }
        return [
            ("file", .string(span.path)), ("line", .int(span.start.line)), ("column", .int(span.start.column)),
            ("end_line", .int(span.end.line)), ("end_column", .int(span.end.column)),
        ]
    }
}

/// Renders diagnostics as a SARIF 2.1.0 log (one run, tool `credrules`), the format code-scanning
/// services read.
public enum SARIFDiagnosticRenderer {
    /// The SARIF log as JSON; rules are the distinct ids, sorted.
    public static func render(_ diagnostics: [Diagnostic], toolVersion: String? = nil) -> JSONValue {
        let sorted = Diagnostic.sortedForOutput(diagnostics)
        let ruleIDs = Array(Set(sorted.map(\.id))).sorted()
        var driver: [(String, JSONValue)] = [("name", .string("credrules"))]
        if let toolVersion { driver.append(("version", .string(toolVersion))) }
        driver.append(("rules", .array(ruleIDs.map { .object([("id", .string($0))]) })))
        let results: [JSONValue] = sorted.map { d in
            var text = d.message
            if let help = d.help { text += "\nhelp: " + help }
            var result: [(String, JSONValue)] = [
                ("ruleId", .string(d.id)),
                ("level", .string(level(d.severity))),
                ("message", .object([("text", .string(text))])),
            ]
            if let span = d.span {
                result.append(("locations", .array([location(span)])))
            } else {
                result.append(("locations", .array([])))
            }
            if !d.notes.isEmpty {
                result.append((
                    "relatedLocations",
                    .array(d.notes.enumerated().map { index, note in
                        var m: [(String, JSONValue)] = [("id", .int(index)), ("message", .object([("text", .string(note.message))]))]
                        if let span = note.span, case .object(let loc) = location(span) { m += loc }
                        return .object(m)
                    })
                ))
            }
            return .object(result)
        }
        return .object([
            ("version", .string("2.1.0")),
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("runs", .array([.object([("tool", .object([("driver", .object(driver))])), ("results", .array(results))])])),
        ])
    }

    private static func level(_ severity: Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    private static func location(_ span: SourceSpan) -> JSONValue {
        .object([
            ("physicalLocation", .object([
                ("artifactLocation", .object([("uri", .string(span.path))])),
                ("region", .object([
                    ("startLine", .int(span.start.line)), ("startColumn", .int(span.start.column)),
                    ("endLine", .int(span.end.line)), ("endColumn", .int(span.end.column)),
                ])),
            ])),
        ])
    }
}
