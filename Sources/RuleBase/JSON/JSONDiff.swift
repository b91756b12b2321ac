extension JSONValue {
    /// The differences between two JSON values as lines `path: expected X, got Y`, in a
    /// deterministic order (object keys sorted). Empty when the values are equal.
    public func differences(to actual: JSONValue, path: String = "$", limit: Int = 200) -> [String] {
        var lines: [String] = []
        collect(self, actual, path, &lines, limit)
        return lines
    }

    private func collect(_ expected: JSONValue, _ actual: JSONValue, _ path: String, _ lines: inout [String], _ limit: Int) {
        guard lines.count < limit else { return }
        switch (expected, actual) {
        case let (.object(a), .object(b)):
            let left = Dictionary(a, uniquingKeysWith: { first, _ in first })
            let right = Dictionary(b, uniquingKeysWith: { first, _ in first })
            for key in Set(left.keys).union(right.keys).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                switch (left[key], right[key]) {
                case let (x?, y?): collect(x, y, "\(path).\(key)", &lines, limit)
                case let (x?, nil): lines.append("\(path).\(key): expected \(x.canonicalText), missing")
                case let (nil, y?): lines.append("\(path).\(key): unexpected \(y.canonicalText)")
                default: break
                }
            }
        case let (.array(a), .array(b)):
            for index in 0..<max(a.count, b.count) {
                if index < a.count, index < b.count {
                    collect(a[index], b[index], "\(path)[\(index)]", &lines, limit)
                } else if index < a.count {
                    lines.append("\(path)[\(index)]: expected \(a[index].canonicalText), missing")
                } else {
                    lines.append("\(path)[\(index)]: unexpected \(b[index].canonicalText)")
                }
            }
        default:
            if expected != actual {
                lines.append("\(path): expected \(expected.canonicalText), got \(actual.canonicalText)")
            }
        }
    }
}
