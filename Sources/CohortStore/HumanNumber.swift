/// Numbers written the way a person writes them, for generated files and terminal output.
public enum HumanNumber {
    /// The shortest decimal that reads back as exactly `x`, with a plain exponent:
    /// `1e-6` (not `1e-06` or `9.9999999999999995e-07`), `0.5`, `4.0`, `1.5e+20` → `1.5e20`.
    /// Non-finite values as `.inf`, `-.inf`, `.nan` (YAML spelling). O(1).
    public static func exact(_ x: Double) -> String {
        if x.isNaN { return ".nan" }
        if x.isInfinite { return x < 0 ? "-.inf" : ".inf" }
        let text = x.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        let mantissa = text[..<e]
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" || exponent.first == "+" {
            if exponent.first == "-" { sign = "-" }
            exponent = exponent.dropFirst()
        }
        let digits = exponent.drop { $0 == "0" }
        return mantissa + "e" + sign + (digits.isEmpty ? "0" : String(digits))
    }

    /// Like ``exact(_:)`` but integral values below 10¹⁵ in magnitude print without a decimal
    /// point (`8836`, not `8836.0`). O(1).
    public static func format(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return exact(x)
    }
}
