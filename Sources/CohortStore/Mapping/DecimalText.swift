/// Exact parsing of decimal numbers written by partners' exports (`12.50`, `-3`, `0.001`) into
/// integers at a fixed number of decimal digits. No floating point: every amount is exact or refused.
public enum DecimalText {
    /// Why a text is not an acceptable decimal.
    public enum Problem: Error, Equatable, Sendable {
        /// Not of the form `[+-]digits[.digits]`.
        case notADecimal
        /// More significant fractional digits than allowed (the count found).
        case tooManyDigits(Int)
        /// The value does not fit in 64 bits at the requested scale.
        case outOfRange
    }

    /// Parses `[+-]?[0-9]+(\.[0-9]*)?` (or `.5`) into `value × 10^digits` exactly. Fractional
    /// digits beyond `digits` are accepted only when they are zeros (`12.500` at 2 digits).
    /// O(length), no allocation.
    @inline(__always)
    public static func parse(_ p: UnsafeBufferPointer<UInt8>, digits: Int) throws(Problem) -> Int64 {
        var i = 0
        let n = p.count
        var negative = false
        if i < n && (p[i] == 0x2D || p[i] == 0x2B) { negative = p[i] == 0x2D; i += 1 }
        var value: Int64 = 0
        var intDigits = 0
        while i < n, p[i] >= 0x30, p[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(p[i] - 0x30))
            if o1 || o2 { throw .outOfRange }
            value = a
            intDigits += 1
            i += 1
        }
        var fraction = 0
        var fractionDigits = 0
        if i < n && p[i] == 0x2E {
            i += 1
            while i < n, p[i] >= 0x30, p[i] <= 0x39 {
                fractionDigits += 1
                if fraction < digits {
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int64(p[i] - 0x30))
                    if o1 || o2 { throw .outOfRange }
                    value = a
                    fraction += 1
                } else if p[i] != 0x30 {
                    // A significant digit beyond the allowed ones: count them for the message.
                    let firstFraction = i - (fractionDigits - 1)
                    var last = i
                    var j = i
                    while j < n, p[j] >= 0x30, p[j] <= 0x39 {
                        if p[j] != 0x30 { last = j }
                        j += 1
                    }
                    if j != n { throw .notADecimal }
                    throw .tooManyDigits(last - firstFraction + 1)
                }
                i += 1
            }
        }
        guard i == n, intDigits + fractionDigits > 0 else { throw .notADecimal }
        while fraction < digits {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { throw .outOfRange }
            value = m
            fraction += 1
        }
        return negative ? -value : value
    }

    /// Parses a string with ``parse(_:digits:)``.
    public static func parse(_ text: String, digits: Int) throws(Problem) -> Int64 {
        var copy = text
        let result: Result<Int64, Problem> = copy.withUTF8 { bytes in
            do throws(Problem) { return .success(try parse(bytes, digits: digits)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Divides `value` by `10^shift`, rounding half to even. O(shift).
    public static func roundHalfEven(_ value: Int64, droppingDigits shift: Int) -> Int64 {
        guard shift > 0 else { return value }
        var divisor: Int64 = 1
        for _ in 0..<shift { divisor *= 10 }
        let (q, r) = value.quotientAndRemainder(dividingBy: divisor)
        let twice = r.magnitude * 2
        if twice < divisor.magnitude { return q }
        if twice > divisor.magnitude { return value < 0 ? q - 1 : q + 1 }
        if q % 2 == 0 { return q }
        return value < 0 ? q - 1 : q + 1
    }
}
