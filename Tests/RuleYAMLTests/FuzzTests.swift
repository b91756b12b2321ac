import Foundation
import RuleBase
import RuleTestSupport
import Testing

@testable import RuleYAML

/// Mutation fuzzing with a seeded generator: reproducible, so a failure names its seed.
///
/// For every mutant: no crash, a prompt return, and either a tree with no errors or at least
/// one error whose position lies inside the file. Every copied character of every scalar must
/// map to the same character in the file.
@Suite struct FuzzTests {
    static let seeds: [String] = [
        """
        # Pack
        pack: ca-md
        version: 2024-01-01
        renewal:
          every: 2 years
          hours: 50
        rules:
          - id: cme
            when: a > 1 && b < 2
            note: 'it''s fine'
            quoted: "x \\u00e9 \\t y"
            text: |
              line one
                indented
            folded: >-
              one
              two

              three
            list: [1, 2, {k: v, "q": 'r'}]
        empty:
        tilde: ~

        """,
        "a: {b: [c, d, {e: f}], g: \"h\\\n  i\"}\n? k\n: v\n",
        "- x\n- - y\n  - z: |2\n       w\n- 'multi\n  line'\n- plain\n  folded\n\n  text\n",
        "名前: \"日本語\"\nwhen: 名前 == 'é' # comment\r\nnext: ok\r\n",
    ]

    static let inserts: [String] = [
        "[", "{", "&", "*", "!", "|", ">", "'", "\"", "\t", "\n", ": ", "- ", "#", "? ", "---\n", "...\n",
        "&a ", "*a", "!!str ", "%TAG ! x\n", "\\", "\r", "\u{2028}", "\u{85}", "\u{FEFF}", "é", "日", "😀",
    ]

    static func mutate(_ input: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...Int.random(in: 0...3, using: &random) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0 where !bytes.isEmpty:
                bytes[min(position, bytes.count - 1)] = UInt8.random(in: 0...255, using: &random)
            case 1:
                bytes.removeSubrange(position...)
            case 2, 3:
                bytes.insert(contentsOf: Array(inserts.randomElement(using: &random)?.utf8 ?? "[".utf8), at: position)
            case 4:
                let scalar = Unicode.Scalar(UInt32.random(in: 0...0x10FFFF, using: &random)) ?? "x"
                bytes.insert(contentsOf: Array(String(Character(scalar)).utf8), at: position)
            case 5:
                let depth = Int.random(in: 1...200, using: &random)
                let opener = Bool.random(using: &random) ? "[" : "{a: "
                bytes.insert(contentsOf: Array(String(repeating: opener, count: depth).utf8), at: position)
            case 6 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...20, using: &random))
                bytes.removeSubrange(min(position, end)..<end)
            case 7 where !bytes.isEmpty:
                let start = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, start + Int.random(in: 1...40, using: &random))
                bytes.insert(contentsOf: Array(bytes[start..<end]), at: position)
            default:
                var nested = "\n"
                for level in 0..<Int.random(in: 1...80, using: &random) {
                    nested += String(repeating: " ", count: level) + "- k:\n"
                }
                bytes.insert(contentsOf: Array(nested.utf8), at: position)
            }
        }
        return bytes
    }

    /// Checks the invariants for one input; returns a description of the first violation.
    static func check(_ bytes: [UInt8]) -> String? {
        let limits = YAMLLoader.Limits()
        var sink = DiagnosticSink()
        let clock = ContinuousClock()
        let start = clock.now
        let (file, root) = YAMLLoader.load(path: "fuzz.yaml", bytes: bytes, limits: limits, into: &sink)
        if clock.now - start > .seconds(2) { return "took \(clock.now - start)" }
        guard let file else { return "no file" }
        if let root {
            if sink.hasErrors { return "tree returned with errors" }
            return checkScalars(root, in: file)
        }
        let errors = sink.diagnostics.filter { $0.severity == .error }
        if errors.isEmpty { return "no tree and no error" }
        for diagnostic in errors {
            guard let span = diagnostic.span else { return "\(diagnostic.id) has no position" }
            if file.utf8Offset(of: span.start) == nil { return "\(diagnostic.id) at \(span.start) outside file" }
            for note in diagnostic.notes {
                if let at = note.span?.start, file.utf8Offset(of: at) == nil { return "note at \(at) outside file" }
            }
        }
        return nil
    }

    static func checkScalars(_ node: YAMLNode, in file: SourceFile) -> String? {
        var pending = [node]
        let source = Array(file.text.utf8)
        while let next = pending.popLast() {
            switch next.kind {
            case .sequence(let items): pending.append(contentsOf: items)
            case .mapping(let entries):
                for entry in entries {
                    pending.append(entry.value)
                    pending.append(YAMLNode(kind: .scalar(entry.key), span: entry.key.span))
                }
            case .scalar(let scalar):
                let value = Array(scalar.value.utf8)
                for segment in scalar.sourceMap.segments where segment.isCopy {
                    guard let offset = file.utf8Offset(of: segment.start),
                        offset + segment.length <= source.count,
                        Array(source[offset..<(offset + segment.length)])
                            == Array(value[segment.valueStart..<(segment.valueStart + segment.length)])
                    else { return "scalar \(scalar.value.debugDescription) maps to other text at \(segment.start)" }
                }
                for offset in 0...value.count {
                    if let at = scalar.location(ofUTF8Offset: offset), file.utf8Offset(of: at) == nil {
                        return "scalar offset \(offset) maps outside the file"
                    }
                }
            }
        }
        return nil
    }

    @Test(arguments: 0..<FuzzTests.seeds.count)
    func seedsLoadCleanly(_ index: Int) {
        var sink = DiagnosticSink()
        let root = YAMLLoader.load(SourceFile(path: "seed.yaml", text: Self.seeds[index]), into: &sink)
        #expect(sink.diagnostics.isEmpty, "\(sink.diagnostics.map(\.message))")
        #expect(root != nil)
        if let root {
            #expect(Self.checkScalars(root, in: SourceFile(path: "seed.yaml", text: Self.seeds[index])) == nil)
            var scalars = 0
            var unmapped: [String] = []
            var pending = [root]
            while let next = pending.popLast() {
                switch next.kind {
                case .sequence(let items): pending.append(contentsOf: items)
                case .mapping(let entries): pending.append(contentsOf: entries.map(\.value))
                case .scalar(let scalar):
                    scalars += 1
                    if !scalar.isFullyMapped { unmapped.append(scalar.value) }
                }
            }
            #expect(unmapped.isEmpty, "not fully mapped: \(unmapped)")
        }
    }

    @Test func mutatedPacks() {
        var random = SplitMix64(seed: 0x5EED_C0DE)
        var failures: [String] = []
        for iteration in 0..<3_000 {
            let seed = Self.seeds[iteration % Self.seeds.count]
            let mutant = Self.mutate(Array(seed.utf8), &random)
            if let failure = Self.check(mutant) {
                failures.append("#\(iteration): \(failure): \(String(decoding: mutant, as: UTF8.self).debugDescription)")
                if failures.count >= 5 { break }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
