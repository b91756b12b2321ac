public import RuleBase
public import RuleIR

/// One difference between two rule versions.
public struct RuleChange: Sendable, Hashable {
    /// What happened.
    public enum Kind: String, Sendable, Hashable {
        case added, removed, changed
    }

    /// The section: `effective`, `cycle`, `citations`, `parameters`, `attributes`, `requirements`,
    /// `exemptions`, `tests`, or a top-level field (`title`, `authority`, …).
    public var section: String
    /// The item's id within the section (requirement id, parameter name), if any.
    public var item: String?
    /// The field within the item (`hours`, `values`, `when.source`), if any.
    public var field: String?
    /// What happened.
    public var kind: Kind
    /// The old value as compact JSON, when there was one.
    public var old: String?
    /// The new value as compact JSON, when there is one.
    public var new: String?

    /// Creates a change.
    public init(section: String, item: String?, field: String?, kind: Kind, old: String?, new: String?) {
        self.section = section
        self.item = item
        self.field = field
        self.kind = kind
        self.old = old
        self.new = new
    }
}

/// The semantic difference of two rule versions: what changed in meaning, ignoring layout,
/// comments and key order (both sides are compared as IR, not as text).
///
/// Lists of items with an identity (requirements and exemptions by `id`, citations by `id`,
/// parameters by `name`, attributes by `key`, tests by `name`) are matched by it, so a
/// requirement edited in place is reported field by field rather than removed and added.
public enum RuleVersionDiff {
    /// The changes from `old` to `new`, in section order, then item and field order.
    public static func diff(old: RuleVersion, new: RuleVersion) -> [RuleChange] {
        var changes: [RuleChange] = []
        let a = members(old.json), b = members(new.json)
        let keyed: [String: String] = [
            "citations": "id", "parameters": "name", "attributes": "key", "requirements": "id", "exemptions": "id", "tests": "name",
            "alternatives": "id",
        ]
        let order = ["pack", "version", "title", "authority", "credential", "applies_to", "effective", "notes", "cycle",
                     "citations", "parameters", "attributes", "requirements", "exemptions", "tests", "alternatives"]
        for section in order where section != "version" {
            let x = a[section], y = b[section]
            if let idKey = keyed[section] {
                diffKeyed(section: section, idKey: idKey, x?.arrayValue ?? [], y?.arrayValue ?? [], into: &changes)
            } else {
                diffValue(section: section, item: nil, field: nil, x, y, into: &changes)
            }
        }
        return changes
    }

    private static func members(_ value: JSONValue) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (k, v) in value.objectMembers ?? [] { out[k] = v }
        return out
    }

    private static func diffKeyed(section: String, idKey: String, _ x: [JSONValue], _ y: [JSONValue], into changes: inout [RuleChange]) {
        let oldItems = x.compactMap { v in v[idKey]?.stringValue.map { ($0, v) } }
        let newItems = y.compactMap { v in v[idKey]?.stringValue.map { ($0, v) } }
        let oldByID = Dictionary(oldItems, uniquingKeysWith: { a, _ in a })
        let newByID = Dictionary(newItems, uniquingKeysWith: { a, _ in a })
        for (id, value) in oldItems where newByID[id] == nil {
            changes.append(RuleChange(section: section, item: id, field: nil, kind: .removed, old: value.canonicalText, new: nil))
        }
        for (id, value) in newItems {
            guard let before = oldByID[id] else {
                changes.append(RuleChange(section: section, item: id, field: nil, kind: .added, old: nil, new: value.canonicalText))
                continue
            }
            let fa = members(before), fb = members(value)
            for field in Set(fa.keys).union(fb.keys).sorted() where field != idKey {
                diffValue(section: section, item: id, field: field, fa[field], fb[field], into: &changes)
            }
        }
        // Order matters for requirements and exemptions (pack order is evaluation and report order).
        if section == "requirements" || section == "exemptions" || section == "alternatives" {
            let common = Set(oldByID.keys).intersection(newByID.keys)
            let o = oldItems.map(\.0).filter(common.contains), n = newItems.map(\.0).filter(common.contains)
            if o != n {
                changes.append(RuleChange(section: section, item: nil, field: "order", kind: .changed,
                                          old: JSONValue.array(o.map { .string($0) }).canonicalText,
                                          new: JSONValue.array(n.map { .string($0) }).canonicalText))
            }
        }
    }

    private static func diffValue(section: String, item: String?, field: String?, _ x: JSONValue?, _ y: JSONValue?, into changes: inout [RuleChange]) {
        switch (x, y) {
        case (nil, nil): return
        case (nil, let v?): changes.append(RuleChange(section: section, item: item, field: field, kind: .added, old: nil, new: v.canonicalText))
        case (let v?, nil): changes.append(RuleChange(section: section, item: item, field: field, kind: .removed, old: v.canonicalText, new: nil))
        case (let a?, let b?):
            if a == b { return }
            // Expressions: compare the source text only when the rest follows from it.
            changes.append(RuleChange(section: section, item: item, field: field, kind: .changed, old: a.canonicalText, new: b.canonicalText))
        }
    }

    /// Human text: one line per change, headed by the two versions' ids.
    public static func renderText(_ changes: [RuleChange], old: RuleVersion, new: RuleVersion) -> String {
        var out = "--- \(old.id) (effective \(old.effective.from)\(old.effective.to.map { " to \($0)" } ?? ""))\n"
        out += "+++ \(new.id) (effective \(new.effective.from)\(new.effective.to.map { " to \($0)" } ?? ""))\n"
        if changes.isEmpty { return out + "no semantic changes\n" }
        var currentSection = ""
        for c in changes {
            if c.section != currentSection {
                out += "\n\(c.section):\n"
                currentSection = c.section
            }
            let target = [c.item.map { "`\($0)`" }, c.field].compactMap { $0 }.joined(separator: " ")
            let label = target.isEmpty ? c.section : target
            switch c.kind {
            case .added: out += "  + \(label): \(c.new ?? "")\n"
            case .removed: out += "  - \(label): \(c.old ?? "")\n"
            case .changed: out += "  ~ \(label): \(c.old ?? "") → \(c.new ?? "")\n"
            }
        }
        return out
    }

    /// JSON: `{"old": id, "new": id, "changes": [{section, item, field, kind, old, new}]}`, each
    /// change's `old` and `new` the values themselves (JSON, not strings holding JSON).
    public static func renderJSON(_ changes: [RuleChange], old: RuleVersion, new: RuleVersion) -> JSONValue {
        func value(_ text: String?) -> JSONValue {
            guard let text else { return .null }
            return (try? JSONParser.parse(text)) ?? .string(text)
        }
        return .object([
            ("old", .string(old.id)), ("new", .string(new.id)),
            ("changes", .array(changes.map { c in
                .object([
                    ("section", .string(c.section)), ("item", c.item.map { .string($0) } ?? .null),
                    ("field", c.field.map { .string($0) } ?? .null), ("kind", .string(c.kind.rawValue)),
                    ("old", value(c.old)), ("new", value(c.new)),
                ])
            })),
        ])
    }
}
