import RuleBase
import Testing

@testable import RuleYAML

/// Every character of a scalar's value maps back to its column, so expression errors can
/// point inside YAML strings.
@Suite struct ScalarLocationTests {
    @Test func doubleQuotedStartsAfterTheQuote() throws {
        let text = "pack: ca\nrules:\n  when: \"a > 1\"\n"
        let scalar = try #require(load(text).root?.value(forKey: "rules")?.value(forKey: "when")?.scalar)
        #expect(scalar.span.start == loc(3, 9))
        #expect(scalar.location(ofUTF8Offset: 0) == loc(3, 10))
        #expect(scalar.location(ofUTF8Offset: 2) == loc(3, 12))
        #expect(scalar.location(ofUTF8Offset: 5) == loc(3, 15))  // end of value
        #expect(scalar.location(ofUTF8Offset: 6) == nil)
        #expect(scalar.location(ofUTF8Offset: -1) == nil)
        #expect(scalar.isFullyMapped)
        #expect(!scalar.hasSynthesizedCharacters)
    }

    @Test func plainScalar() throws {
        let text = "pack: ca\nrules:\n  when: a > 1\n"
        let scalar = try #require(load(text).root?.value(forKey: "rules")?.value(forKey: "when")?.scalar)
        #expect(scalar.location(ofUTF8Offset: 0) == loc(3, 9))
        #expect(scalar.location(ofUTF8Offset: 4) == loc(3, 13))
        #expect(scalar.span(ofUTF8Offset: 2) == SourceSpan(path: "test.yaml", start: loc(3, 11), end: loc(3, 12)))
        #expect(scalar.span(ofUTF8Range: 0..<5) == SourceSpan(path: "test.yaml", start: loc(3, 9), end: loc(3, 14)))
    }

    @Test func multiLinePlainScalarFoldsToSpaces() throws {
        let text = "when: a &&\n  b   \n\n   c\n"
        let scalar = try #require(load(text).root?.value(forKey: "when")?.scalar)
        #expect(scalar.value == "a && b\nc")
        let map = (0...scalar.value.utf8.count).map { scalar.location(ofUTF8Offset: $0) }
        #expect(map[0] == loc(1, 7))
        #expect(map[2] == loc(1, 9))
        #expect(map[4] == loc(1, 11))  // the folded space maps to the line break
        #expect(map[5] == loc(2, 3))  // b
        #expect(map[6] == loc(3, 1))  // the newline for the empty line
        #expect(map[7] == loc(4, 4))  // c
        #expect(map[8] == loc(4, 5))
        #expect(scalar.hasSynthesizedCharacters)
    }

    @Test func singleQuotedWithDoubledQuote() throws {
        let scalar = try #require(load("when: 'it''s x'\n").root?.value(forKey: "when")?.scalar)
        #expect(scalar.value == "it's x")
        #expect(scalar.location(ofUTF8Offset: 0) == loc(1, 8))
        #expect(scalar.location(ofUTF8Offset: 2) == loc(1, 10))  // the first quote of ''
        #expect(scalar.location(ofUTF8Offset: 3) == loc(1, 12))  // s, after ''
        #expect(scalar.location(ofUTF8Offset: 5) == loc(1, 14))
        #expect(scalar.location(ofUTF8Offset: 6) == loc(1, 15))
    }

    @Test func doubleQuotedEscapesMapToTheBackslash() throws {
        let scalar = try #require(load("when: \"a\\tb \\u00e9 c\"\n").root?.value(forKey: "when")?.scalar)
        #expect(scalar.value == "a\tb é c")
        #expect(scalar.location(ofUTF8Offset: 1) == loc(1, 9))  // \t
        #expect(scalar.location(ofUTF8Offset: 2) == loc(1, 11))  // b
        #expect(scalar.location(ofUTF8Offset: 4) == loc(1, 13))  // é from \u00e9
        #expect(scalar.location(ofUTF8Offset: 5) == loc(1, 13))  // its second byte
        #expect(scalar.location(ofUTF8Offset: 7) == loc(1, 20))  // c
        #expect(scalar.isFullyMapped)
        #expect(scalar.hasSynthesizedCharacters)
    }

    @Test func doubleQuotedEscapedLineBreak() throws {
        let scalar = try #require(load("when: \"a \\\n   && b\"\n").root?.value(forKey: "when")?.scalar)
        #expect(scalar.value == "a && b")
        #expect(scalar.location(ofUTF8Offset: 1) == loc(1, 9))
        #expect(scalar.location(ofUTF8Offset: 2) == loc(2, 4))
        #expect(scalar.location(ofUTF8Offset: 5) == loc(2, 7))
        #expect(scalar.location(ofUTF8Offset: 6) == loc(2, 8))
    }

    @Test func literalBlockMapsLineByLine() throws {
        let text = "rules:\n  - when: |\n      a > 1 &&\n        b < 2\n\n      c\n    id: x\n"
        let scalar = try #require(load(text).root?.value(forKey: "rules")?.sequence?.first?.value(forKey: "when")?.scalar)
        #expect(scalar.value == "a > 1 &&\n  b < 2\n\nc\n")
        #expect(scalar.location(ofUTF8Offset: 0) == loc(3, 7))
        #expect(scalar.location(ofUTF8Offset: 8) == loc(3, 15))  // the line break
        #expect(scalar.location(ofUTF8Offset: 9) == loc(4, 7))  // first content column keeps extra indentation
        #expect(scalar.location(ofUTF8Offset: 11) == loc(4, 9))
        #expect(scalar.location(ofUTF8Offset: 18) == loc(6, 7))  // c
        #expect(scalar.isFullyMapped)
    }

    @Test func literalBlockWithIndentationIndicatorAndChomping() throws {
        let scalar = try #require(load("a: |2-\n    x\n   y\n\n").root?.value(forKey: "a")?.scalar)
        #expect(scalar.value == "  x\n y")
        #expect(scalar.location(ofUTF8Offset: 0) == loc(2, 3))
        #expect(scalar.location(ofUTF8Offset: 2) == loc(2, 5))
        #expect(scalar.location(ofUTF8Offset: 5) == loc(3, 4))
        #expect(scalar.isFullyMapped)
    }

    @Test func foldedBlockMapsLineByLine() throws {
        let text = "a: >\n  one\n  two\n\n  three\n    more\n  end\n"
        let scalar = try #require(load(text).root?.value(forKey: "a")?.scalar)
        #expect(scalar.value == "one two\nthree\n  more\nend\n")
        #expect(scalar.location(ofUTF8Offset: 0) == loc(2, 3))
        #expect(scalar.location(ofUTF8Offset: 3) == loc(2, 6))  // folded space = the break
        #expect(scalar.location(ofUTF8Offset: 4) == loc(3, 3))
        #expect(scalar.location(ofUTF8Offset: 8) == loc(5, 3))  // three
        #expect(scalar.location(ofUTF8Offset: 16) == loc(6, 5))  // more
        #expect(scalar.location(ofUTF8Offset: 21) == loc(7, 3))  // end
        #expect(scalar.isFullyMapped)
    }

    @Test func wideCharactersCountAsOneColumn() throws {
        let scalar = try #require(load("名前: \"日本 x\"\n").root?.value(forKey: "名前")?.scalar)
        #expect(scalar.span.start == loc(1, 5))
        #expect(scalar.location(ofUTF8Offset: 0) == loc(1, 6))
        #expect(scalar.location(ofUTF8Offset: 3) == loc(1, 7))
        #expect(scalar.location(ofUTF8Offset: 4) == loc(1, 7))  // inside 本
        #expect(scalar.location(ofUTF8Offset: 7) == loc(1, 9))
    }

    @Test func flowContextScalars() throws {
        let root = load("a: [x y, 'q', \"r\"]\nb: {k: v w}\n").root
        #expect(node(root, "a", 0)?.scalar?.location(ofUTF8Offset: 2) == loc(1, 7))
        #expect(node(root, "a", 1)?.scalar?.location(ofUTF8Offset: 0) == loc(1, 11))
        #expect(node(root, "a", 2)?.scalar?.location(ofUTF8Offset: 0) == loc(1, 16))
        #expect(node(root, "b", "k")?.scalar?.location(ofUTF8Offset: 2) == loc(2, 10))
    }

    @Test func emptyScalars() throws {
        let root = load("a: ''\nb: \"\"\nc:\n").root
        #expect(node(root, "a")?.scalar?.location(ofUTF8Offset: 0) == loc(1, 5))
        #expect(node(root, "b")?.scalar?.location(ofUTF8Offset: 0) == loc(2, 5))
        #expect(node(root, "c")?.scalar?.location(ofUTF8Offset: 0) != nil)
    }

    @Test func handMadeScalarHasOnlyItsStart() {
        let scalar = YAMLScalar(value: "x", style: .plain, span: SourceSpan(path: "p", start: loc(2, 3)))
        #expect(scalar.location(ofUTF8Offset: 0) == loc(2, 3))
        #expect(scalar.location(ofUTF8Offset: 1) == nil)
    }
}
