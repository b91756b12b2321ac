import RuleBase

/// Hints for libyaml's own error messages, in the words of someone who writes rule packs rather
/// than YAML parsers: what the line looks like to YAML, and the edit that usually fixes it
/// (indentation, quoting a value that contains `: `, a block scalar).
///
/// Each hint is computed from the message, the positions libyaml gives (the problem and, for most
/// messages, where the construct it was parsing started) and the text of those lines.
enum SyntaxHints {
    /// What to tell the analyst, and where: `at` replaces libyaml's position when libyaml points at
    /// a place the analyst cannot act on (the end of the file for an unclosed quote).
    struct Hint: Equatable {
        var help: String
        var at: SourceLocation?
    }

    static func hint(problem: String, context: String?, at mark: SourceLocation, contextAt contextMark: SourceLocation?, in file: SourceFile) -> Hint? {
        let line = mark.line >= 1 && mark.line <= file.lineCount ? Array(file.line(mark.line).unicodeScalars) : []
        let character = mark.column - 1 < line.count && mark.column >= 1 ? line[mark.column - 1] : nil
        let indent = line.prefix { $0 == " " }.count
        let firstColumn = indent + 1
        if character == "\t" || (line.first == "\t" && mark.column <= firstColumn + 1) {
            return Hint(help: "YAML does not allow tabs for indentation; use spaces")
        }
        switch problem {
        case "did not find expected '-' indicator":
            // A line inside a list item that is indented like neither the item's keys nor a new item.
            guard let contextMark else { break }
            let dash = contextMark.column
            let keys = keyColumn(afterDashAt: contextMark, in: file) ?? dash + 2
            if firstColumn == dash {
                return Hint(help: "line \(mark.line) is at the indentation of the list's `- ` (column \(dash)) but does not start with `- `: "
                    + "start a new item with `- `, indent it to column \(keys) to add it to the item above, or indent it less to end the list")
            }
            return Hint(help: "line \(mark.line) is indented to column \(firstColumn), but the list's items start at column \(dash) (`- `) "
                + "and their keys at column \(keys): line it up with the keys of its item (column \(keys)), or start a new item with `- `")
        case "did not find expected key":
            if mark.column > firstColumn {
                // Text after a closing quote on the same line: `x: "a" b`, `x: 'it's'`.
                return Hint(help: "YAML read a quoted value that ends before column \(mark.column) and then more text: "
                    + "quote the whole value, write a single quote inside single quotes as `''`, or write the value as a block scalar (`|`) on the next lines")
            }
            let columns = keyColumns(from: contextMark?.line ?? 1, before: mark.line, in: file)
            return Hint(help: "line \(mark.line) is indented to column \(firstColumn), which matches no key above it"
                + (columns.isEmpty ? "" : " (keys are at column " + columns.map(String.init).joined(separator: ", ") + ")")
                + ": keys of one mapping line up in one column; indent it like the keys it belongs beside")
        case "mapping values are not allowed in this context":
            let before = Array(line.prefix(max(mark.column - 1, 0)))
            if let colon = before.indices.first(where: { $0 + 1 < before.count && before[$0] == ":" && before[$0 + 1] == " " }) {
                // A value with `: ` in it: `title: Texas: renewal`, `hours: x ? 25 : 50`.
                let key = text(before[..<colon].drop { $0 == " " || $0 == "-" })
                var value = ""
                for c in line.dropFirst(colon + 2).unicodeScalarsTrimmingTrailingSpaces() {
                    if c == "\\" || c == "\"" { value.unicodeScalars.append("\\") }
                    value.unicodeScalars.append(c)
                }
                return Hint(help: "the value of `\(key)` contains `: `, which YAML reads as the start of another key: "
                    + "quote the value (`\(key): \"\(value)\"`) or write it as a block scalar (`\(key): |` with the value on the next line, indented)")
            }
            return Hint(help: "line \(mark.line) is indented under the line above, whose value is already written on that line: "
                + "indent it like the keys it belongs beside, or put the value above on its own lines")
        case "block sequence entries are not allowed in this context":
            return Hint(help: "`- ` starts a list item only at the start of a line: put the items on their own lines, indented under the key, or write the list inline as `[a, b]`")
        case "could not find expected ':'":
            let start = contextMark?.line ?? mark.line
            return Hint(help: "line \(start) reads as a key with no `:` after it: add `: ` after the key, or, if the line continues the value above, indent it more than that value's key")
        case "found character that cannot start any token":
            let c = character.map { String($0) } ?? ""
            let what = c == "`" ? "a backtick" : "`\(c)`"
            return Hint(help: "YAML cannot start a value with \(what)" + (c == "`" || c == "@" ? " (it is reserved)" : "")
                + ": quote the value (`'…'`) or write it as a block scalar (`|`)")
        case "found unexpected end of stream":
            if context?.contains("quoted scalar") == true, let contextMark {
                return Hint(help: "the quote opened here is never closed: close it on the same value, or write the value as a block scalar (`|`)", at: contextMark)
            }
        case "did not find expected ',' or ']'", "did not find expected ',' or '}'":
            let close = problem.hasSuffix("']'") ? "]" : "}"
            return Hint(help: "the inline \(close == "]" ? "list" : "mapping") opened on line \(contextMark?.line ?? mark.line) is not closed with `\(close)`, "
                + "or two of its entries lack a `,` between them; a value containing `,`, `[`, `]`, `{` or `}` must be quoted")
        case "found unknown escape character":
            return Hint(help: "inside double quotes `\\` starts an escape: write `\\\\` for a backslash, or use single quotes or a block scalar (`|`), where `\\` is literal")
        case "did not find expected node content":
            return Hint(help: "a value is missing here (two commas, or a `,` before a closing bracket): remove the extra comma or write the value")
        default:
            break
        }
        return nil
    }

    /// The indentation columns of the key lines from `first` up to (not including) `last`, sorted.
    static func keyColumns(from first: Int, before last: Int, in file: SourceFile) -> [Int] {
        var columns = Set<Int>()
        for number in max(first, 1)..<min(max(last, 1), file.lineCount + 1) {
            let line = Array(file.line(number).unicodeScalars)
            let indent = line.prefix { $0 == " " }.count
            guard indent < line.count, line[indent] != "#", line[indent] != "-", line.contains(":") else { continue }
            columns.insert(indent + 1)
        }
        return columns.sorted()
    }

    /// The column of the first key of a list item whose `- ` is at `dash`.
    static func keyColumn(afterDashAt dash: SourceLocation, in file: SourceFile) -> Int? {
        guard dash.line >= 1, dash.line <= file.lineCount else { return nil }
        let line = Array(file.line(dash.line).unicodeScalars)
        var column = dash.column  // at `-`
        guard column - 1 < line.count, line[column - 1] == "-" else { return nil }
        column += 1
        while column - 1 < line.count, line[column - 1] == " " { column += 1 }
        return column - 1 < line.count ? column : nil
    }
}

private func text(_ scalars: some Sequence<Unicode.Scalar>) -> String {
    var out = ""
    out.unicodeScalars.append(contentsOf: scalars)
    return out
}

extension ArraySlice<Unicode.Scalar> {
    fileprivate func unicodeScalarsTrimmingTrailingSpaces() -> ArraySlice<Unicode.Scalar> {
        var end = endIndex
        while end > startIndex, self[end - 1] == " " || self[end - 1] == "\r" { end -= 1 }
        return self[startIndex..<end]
    }
}
