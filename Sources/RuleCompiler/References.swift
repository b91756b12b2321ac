/// Finds `provider.KEY` and `params.NAME` references in expression text, outside string literals.
///
/// The expression checker does not expose the identifiers it resolved, so the text is scanned.
/// A reference is `root . name` where `root` is not itself selected from something (`x.provider.a`
/// is not one).
enum ReferenceScanner {
    /// The names selected from `root` in `text`, sorted and unique.
    static func names(selectedFrom root: String, in text: String) -> [String] {
        Array(Set(references(in: text).filter { $0.root == root }.map(\.name))).sorted()
    }

    /// Every `root.name` reference with its UTF-8 offset.
    static func references(in text: String) -> [(root: String, name: String, offset: Int)] {
        let bytes = Array(text.utf8)
        var tokens: [(text: String, offset: Int)] = []  // identifiers and "." only; other punctuation as "#"
        var i = 0
        func isIdentStart(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b == 95 }
        func isIdent(_ b: UInt8) -> Bool { isIdentStart(b) || (b >= 48 && b <= 57) }
        while i < bytes.count {
            let b = bytes[i]
            if b == 32 || b == 9 || b == 10 || b == 13 { i += 1; continue }
            // String literal, with optional r/b prefixes.
            var j = i
            var raw = false
            while j < bytes.count, j - i < 2, [114, 82, 98, 66].contains(bytes[j]) {
                if bytes[j] == 114 || bytes[j] == 82 { raw = true }
                j += 1
            }
            if j < bytes.count, bytes[j] == 34 || bytes[j] == 39, j == i || !isIdent(bytes[j - 1]) || [114, 82, 98, 66].contains(bytes[j - 1]) {
                let quote = bytes[j]
                let triple = j + 2 < bytes.count && bytes[j + 1] == quote && bytes[j + 2] == quote
                var k = j + (triple ? 3 : 1)
                while k < bytes.count {
                    if !raw, bytes[k] == 92 { k += 2; continue }
                    if triple {
                        if k + 2 < bytes.count, bytes[k] == quote, bytes[k + 1] == quote, bytes[k + 2] == quote { k += 3; break }
                    } else if bytes[k] == quote { k += 1; break }
                    k += 1
                }
                tokens.append(("#", i))
                i = k
                continue
            }
            if isIdentStart(b) {
                var k = i
                while k < bytes.count, isIdent(bytes[k]) { k += 1 }
                tokens.append((String(decoding: bytes[i..<k], as: UTF8.self), i))
                i = k
                continue
            }
            tokens.append((b == 46 ? "." : "#", i))
            i += 1
        }
        var found: [(root: String, name: String, offset: Int)] = []
        for index in tokens.indices where index + 2 < tokens.count {
            let root = tokens[index].text
            guard root == "provider" || root == "params", tokens[index + 1].text == ".",
                let first = tokens[index + 2].text.utf8.first, isIdentStart(first)
            else { continue }
            if index > 0, tokens[index - 1].text == "." { continue }
            found.append((root, tokens[index + 2].text, tokens[index].offset))
        }
        return found
    }
}
