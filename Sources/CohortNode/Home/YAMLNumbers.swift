import CohortStore
import Yams

/// Rewrites the floating-point scalars of generated YAML the way a person writes them
/// (`1.0e-6`, not `9.9999999999999995e-07`), keeping YAML 1.1's float syntax (a `.` in the
/// mantissa and a signed exponent) so that every value reads back as the same Double.
public enum YAMLNumbers {
    /// `text` with every plain float scalar rewritten by ``scalar(_:)``; other scalars, keys,
    /// order and structure unchanged. O(size of the document).
    /// - Throws: Yams errors for text that is not YAML.
    public static func humanize(_ text: String) throws -> String {
        guard let node = try Yams.compose(yaml: text) else { return text }
        return try Yams.serialize(node: rewrite(node))
    }

    /// A Double in YAML 1.1 float syntax, shortest round-trip digits: `4.0`, `0.5`, `1.0e-6`, `1.5e+20`.
    public static func scalar(_ x: Double) -> String {
        let text = HumanNumber.exact(x)
        guard x.isFinite else { return text }
        guard let e = text.firstIndex(of: "e") else { return text.contains(".") ? text : text + ".0" }
        var mantissa = String(text[..<e])
        if !mantissa.contains(".") { mantissa += ".0" }
        let exponent = text[text.index(after: e)...]
        return mantissa + "e" + (exponent.hasPrefix("-") ? "" : "+") + exponent
    }

    static func rewrite(_ node: Node) -> Node {
        switch node {
        case .scalar(var s):
            // Plain scalars that read as a float but not as an integer (so `30` stays `30`).
            guard s.style == .plain || s.style == .any, Int.construct(from: s) == nil,
                  let value = Double.construct(from: s), value.isFinite else { return node }
            s.string = scalar(value)
            return .scalar(s)
        case .mapping(let m):
            return .mapping(Node.Mapping(m.map { (rewrite($0.key), rewrite($0.value)) }, m.tag, m.style, m.mark))
        case .sequence(let q):
            return .sequence(Node.Sequence(q.map(rewrite), q.tag, q.style, q.mark))
        default:
            return node
        }
    }
}
