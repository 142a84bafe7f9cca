/// The accepted range of a transaction's `amount_minor`: |amount| ≤ 10¹² minor units
/// (10 billion currency units, e.g. €10,000,000,000.00, per transaction).
///
/// Why a bound: amounts are summed per customer (monetary value, CLV) in `Int64`. With every
/// amount within ±10¹², any 9,223,372 transactions sum without overflow, far more than one
/// customer has; an unbounded amount lets two rows wrap a sum silently.
public enum AmountBound {
    /// The largest accepted magnitude, in minor units (cents): 1,000,000,000,000.
    public static let maxMagnitude: Int64 = 1_000_000_000_000

    /// Whether `amount` (minor units) is within ±``maxMagnitude``. O(1).
    @inline(__always)
    public static func accepts(_ amount: Int64) -> Bool {
        amount.magnitude <= UInt64(maxMagnitude)
    }

    /// The import error text for an amount outside the bound (`text` as written in the file).
    static func problem(_ text: String) -> String {
        "amount '\(text)' is outside the accepted range -1000000000000…1000000000000 minor units (at most 10 billion currency units per transaction)"
    }
}
