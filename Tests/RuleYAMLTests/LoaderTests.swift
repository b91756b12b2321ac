import RuleBase
import Testing

@testable import RuleYAML

@Suite struct LoaderTests {
    @Test func buildsTreeInDocumentOrderWithSpans() throws {
        let (root, diagnostics) = load("pack: ca-md\nrules:\n  - id: cme\n    hours: 50\n  - [a, b]\nflag: yes\n")
        #expect(diagnostics.isEmpty)
        let mapping = try #require(root?.mapping)
        #expect(mapping.map(\.key.value) == ["pack", "rules", "flag"])
        #expect(root?.kindName == "mapping")
        #expect(root?.span.start == loc(1, 1))
        let pack = try #require(node(root, "pack")?.scalar)
        #expect(pack.value == "ca-md")
        #expect(pack.style == .plain)
        #expect(pack.span.start == loc(1, 7))
        #expect(pack.span.end == loc(1, 12))
        #expect(mapping[1].key.span.start == loc(2, 1))
        #expect(node(root, "rules")?.kindName == "sequence")
        #expect(node(root, "rules", 0)?.span.start == loc(3, 5))
        #expect(node(root, "rules", 0, "hours")?.scalar?.value == "50")
        #expect(node(root, "rules", 0, "hours")?.span.start == loc(4, 12))
        #expect(node(root, "rules", 1)?.sequence?.map { $0.scalar?.value } == ["a", "b"])
        #expect(node(root, "rules", 1)?.span.start == loc(5, 5))
        #expect(node(root, "rules", 1)?.span.end == loc(5, 11))
        // Plain scalars stay strings: typing is the schema layer's job.
        #expect(node(root, "flag")?.scalar?.value == "yes")
    }

    @Test func scalarStylesAndNulls() {
        let (root, diagnostics) = load("a: 'q'\nb: \"d\"\nc: |\n  x\nd: >\n  y\ne:\nf: ~\ng: null\nh: 'null'\n")
        #expect(diagnostics.isEmpty)
        #expect(node(root, "a")?.scalar?.style == .singleQuoted)
        #expect(node(root, "b")?.scalar?.style == .doubleQuoted)
        #expect(node(root, "c")?.scalar?.style == .literal)
        #expect(node(root, "c")?.scalar?.value == "x\n")
        #expect(node(root, "d")?.scalar?.style == .folded)
        #expect(node(root, "e")?.scalar?.isNullLike == true)
        #expect(node(root, "f")?.scalar?.isNullLike == true)
        #expect(node(root, "g")?.scalar?.isNullLike == true)
        #expect(node(root, "h")?.scalar?.isNullLike == false)
        #expect(node(root, "missing") == nil)
    }

    @Test func syntaxErrorHasLineAndColumn() throws {
        let (root, diagnostics) = load("pack: ca\nrules:\n  - id: \"open\n")
        #expect(root == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.id == "yaml.syntax")
        #expect(diagnostic.message.hasPrefix("YAML syntax error: "))
        // libyaml reports the unterminated quote at end of input; the error points at the quote
        // the analyst must close, and a note at where the parser stopped.
        #expect(diagnostic.span?.start == loc(3, 9))
        #expect(diagnostic.notes.first?.span?.start == loc(4, 1))
    }

    @Test func syntaxErrorColumnOnFirstLine() throws {
        let (_, diagnostics) = load("a: b: c\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.id == "yaml.syntax")
        #expect(diagnostic.span?.start == loc(1, 5))
    }

    @Test func tabIndentationGetsHelp() throws {
        let (_, diagnostics) = load("a:\n\t- b\n")
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.id == "yaml.syntax")
        #expect(diagnostic.span?.start == loc(2, 1))
        #expect(diagnostic.help?.contains("tabs") == true)
    }

    @Test func duplicateKeyPointsAtSecondWithNoteAtFirst() throws {
        let (root, diagnostics) = load("pack: ca\nrules:\n  - hours: 1\n    id: x\n    hours: 2\n")
        #expect(root == nil)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostics.count == 1)
        #expect(diagnostic.id == "yaml.duplicateKey")
        #expect(diagnostic.message == "duplicate key `hours` in mapping")
        #expect(diagnostic.span?.start == loc(5, 5))
        #expect(diagnostic.span?.end == loc(5, 10))
        #expect(diagnostic.notes.first?.message == "first defined here")
        #expect(diagnostic.notes.first?.span?.start == loc(3, 5))
    }

    @Test func quotedAndPlainKeysAreTheSameKey() {
        let (_, diagnostics) = load("hours: 1\n\"hours\": 2\n")
        #expect(diagnostics.map(\.id) == ["yaml.duplicateKey"])
        // The same key in different mappings is fine.
        #expect(load("a: {x: 1}\nb: {x: 2}\n").diagnostics.isEmpty)
    }

    @Test func anchorsAliasesAndTagsAreRejected() throws {
        let anchors = load("a: &x 1\nb: *x\n").diagnostics
        #expect(anchors.map(\.id) == ["yaml.anchor", "yaml.alias"])
        #expect(anchors[0].message == "YAML anchors and aliases are not allowed in rule packs")
        #expect(anchors[0].span?.start == loc(1, 4))
        #expect(anchors[1].span?.start == loc(2, 4))

        let tags = load("a: !!str 1\nb: !local [x]\nc: ! {}\n").diagnostics
        #expect(tags.map(\.id) == ["yaml.tag", "yaml.tag", "yaml.tag"])
        #expect(tags[0].message.hasPrefix("YAML tags are not allowed in rule packs"))
        #expect(tags[0].span?.start == loc(1, 4))
        #expect(tags[1].span?.start == loc(2, 4))
        // Untagged values (libyaml reports a NULL tag) are fine.
        #expect(load("a: 1\nb: [x]\n").diagnostics.isEmpty)
    }

    @Test func documentsAndEmptyFiles() {
        #expect(load("").diagnostics.map(\.id) == ["yaml.empty"])
        #expect(load("# only a comment\n").diagnostics.map(\.id) == ["yaml.empty"])
        #expect(load("---\n").diagnostics.map(\.id) == ["yaml.empty"])
        #expect(load("--- a\n...\n").diagnostics.isEmpty)
        let multiple = load("a: 1\n---\nb: 2\n").diagnostics
        #expect(multiple.map(\.id) == ["yaml.multipleDocuments"])
        #expect(multiple.first?.span?.start == loc(2, 1))
    }

    @Test func nonScalarKeys() {
        let diagnostics = load("? [a]\n: 1\n{b: 1}: 2\nc: 3\n").diagnostics
        #expect(diagnostics.map(\.id) == ["yaml.nonScalarKey", "yaml.nonScalarKey"])
        #expect(diagnostics.first?.span?.start == loc(1, 3))
    }

    @Test func invalidUTF8PointsAtFirstBadByte() throws {
        let (file, root, diagnostics) = load(bytes: Array("pack: ca\nname: Café ".utf8) + [0xFF] + Array(" x\n".utf8))
        #expect(root == nil)
        #expect(file?.line(2).hasPrefix("name: Café") == true)
        let diagnostic = try #require(diagnostics.first)
        #expect(diagnostic.id == "yaml.invalidUTF8")
        #expect(diagnostic.span?.start == loc(2, 12))
        // Overlong encodings and surrogates are not UTF-8 either.
        #expect(load(bytes: [0x61, 0x3A, 0x20, 0xC0, 0xAF]).diagnostics.map(\.id) == ["yaml.invalidUTF8"])
        #expect(load(bytes: [0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80]).diagnostics.map(\.id) == ["yaml.invalidUTF8"])
        #expect(load(bytes: [0x61, 0x3A, 0x20, 0xE2, 0x82]).diagnostics.map(\.id) == ["yaml.invalidUTF8"])
    }

    @Test func byteOrderMarkIsDropped() throws {
        let (file, root, diagnostics) = load(bytes: [0xEF, 0xBB, 0xBF] + Array("pack: ca\n".utf8))
        #expect(diagnostics.isEmpty)
        #expect(file?.text == "pack: ca\n")
        #expect(node(root, "pack")?.span.start == loc(1, 7))
        // A SourceFile that keeps its BOM still gets positions consistent with SourceFile.
        let kept = load("\u{FEFF}pack: ca\n")
        #expect(kept.diagnostics.isEmpty)
        #expect(node(kept.root, "pack")?.span.start == loc(1, 8))
    }

    @Test func crlfAndLoneCRPositions() {
        let crlf = load("a: 1\r\nb: 'x'\r\n")
        #expect(crlf.diagnostics.isEmpty)
        #expect(node(crlf.root, "b")?.span.start == loc(2, 4))
        #expect(node(crlf.root, "b")?.scalar?.location(ofUTF8Offset: 0) == loc(2, 5))
        // libyaml breaks lines at a lone CR; positions still follow SourceFile's lines.
        let cr = load("a: 1\rb: 2\r")
        #expect(cr.diagnostics.isEmpty)
        #expect(node(cr.root, "b")?.span.start == loc(1, 9))
    }

    @Test func controlCharactersAreSyntaxErrors() {
        let diagnostics = load("a: b\u{1}c\n").diagnostics
        #expect(diagnostics.map(\.id) == ["yaml.syntax"])
        #expect(diagnostics.first?.span?.start == loc(1, 5))
        #expect(diagnostics.first?.message.contains("U+0001") == true)
    }
}

/// libyaml's messages come with a hint an analyst can act on, at the line and column to edit.
@Suite struct SyntaxHintTests {
    struct Case: Sendable, CustomStringConvertible {
        let yaml: String, line: Int, column: Int, help: String
        var description: String { help }
    }

    static let cases: [Case] = [
        Case(yaml: "a:\n  - id: x\n    kind: y\n   cite: z\n", line: 4, column: 4,
             help: "line 4 is indented to column 4, but the list's items start at column 3 (`- `) and their keys at column 5"),
        Case(yaml: "a:\n  - x\n  b: 1\n", line: 3, column: 3, help: "start a new item with `- `, indent it to column 5"),
        Case(yaml: "title: Texas: renewal\n", line: 1, column: 13, help: "quote the value (`title: \"Texas: renewal\"`) or write it as a block scalar (`title: |`"),
        Case(yaml: "  - hours: x < 13 ? 25 : 50\n", line: 1, column: 24, help: "the value of `hours` contains `: `"),
        Case(yaml: "a: x\n  b: 1\n", line: 2, column: 4, help: "line 2 is indented under the line above"),
        Case(yaml: "a:\n  b: 1\n c: 2\n", line: 3, column: 2, help: "matches no key above it (keys are at column 1, 3)"),
        Case(yaml: "a: 'it's'\n", line: 1, column: 8, help: "write a single quote inside single quotes as `''`"),
        Case(yaml: "a: `x`\n", line: 1, column: 4, help: "YAML cannot start a value with a backtick (it is reserved)"),
        Case(yaml: "a: 1\nb\nc: 2\n", line: 3, column: 1, help: "line 2 reads as a key with no `:` after it"),
        Case(yaml: "a: \"unclosed\nb: 2\n", line: 1, column: 4, help: "the quote opened here is never closed"),
        Case(yaml: "a: [1, 2\nb: 3\n", line: 2, column: 2, help: "the inline list opened on line 1 is not closed with `]`"),
        Case(yaml: "a: {x: 1\nb: 3\n", line: 2, column: 2, help: "the inline mapping opened on line 1 is not closed with `}`"),
        Case(yaml: "a: - x\n", line: 1, column: 4, help: "`- ` starts a list item only at the start of a line"),
        Case(yaml: "a: \"x\\d\"\n", line: 1, column: 6, help: "inside double quotes `\\` starts an escape"),
        Case(yaml: "a: [1, , 2]\n", line: 1, column: 8, help: "a value is missing here"),
    ]

    @Test(arguments: cases)
    func hintAtPosition(_ c: Case) throws {
        var sink = DiagnosticSink()
        _ = YAMLLoader.load(SourceFile(path: "p.yaml", text: c.yaml), into: &sink)
        let d = try #require(sink.diagnostics.first)
        #expect(d.id == "yaml.syntax")
        #expect(d.span?.start == SourceLocation(line: c.line, column: c.column))
        #expect(d.help?.contains(c.help) == true, "\(d.help ?? "no help")")
    }
}
