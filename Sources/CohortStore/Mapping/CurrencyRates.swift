import Foundation

/// A rate table given at import (`--rates <file.csv>`): how many units of the reporting currency
/// one unit of another currency was worth, per day or per month.
///
/// File format (CSV with header): `currency,period,rate`, e.g. `USD,2011-12,0.6431` (a monthly
/// rate) or `USD,2011-12-09,0.6452` (a daily rate; a daily rate wins over the month's). Rates
/// are exact decimals (at most 12 fractional digits); conversion is exact integer arithmetic
/// with the result rounded half to even to the reporting currency's minor unit.
public struct CurrencyRates: Sendable, Equatable {
    /// A rate as `mantissa / 10^scale`.
    public struct Rate: Sendable, Equatable {
        /// The digits.
        public var mantissa: Int64
        /// The number of decimal places.
        public var scale: Int
    }

    /// The rates file (for messages and the import record).
    public var file: String
    /// SHA-256 of the file, lowercase hex.
    public var sha256: String
    private var daily: [String: [Int: Rate]] = [:]
    private var monthly: [String: [Int: Rate]] = [:]

    /// Reads and validates a rates file. Errors name `file:line:column`.
    public static func load(path: String) throws -> CurrencyRates {
        let reader: CSVRecordReader
        do {
            reader = try CSVRecordReader(path: path)
        } catch {
            throw StoreError(.io, error.reason, file: path)
        }
        func fail(_ column: Int?, _ reason: String) -> StoreError {
            StoreError(.invalidMapping, reason, file: path, line: reader.recordLine, column: column)
        }
        func text(_ i: Int) -> String { ByteFields.string(reader.field(i)) }
        var rates = CurrencyRates(file: path, sha256: "")
        do {
            guard try reader.next() else { throw StoreError(.invalidMapping, "the rates file is empty (expected a header: currency,period,rate)", file: path) }
            guard reader.count == 3, text(0) == "currency", text(1) == "period", text(2) == "rate" else {
                throw fail(nil, "expected the header currency,period,rate")
            }
            while try reader.next() {
                guard reader.count == 3 else { throw fail(nil, "expected 3 fields (currency,period,rate), found \(reader.count)") }
                let currency = text(0)
                guard CurrencyTable.exponent(of: currency) != nil else {
                    throw fail(1, "'\(currency)' is not an ISO 4217 currency code")
                }
                let period = text(1)
                let rateText = text(2)
                guard let rate = parseRate(rateText) else {
                    throw fail(3, "'\(rateText)' is not a positive decimal rate (at most 12 decimals)")
                }
                if let day = CivilTime.parseDate(period) {
                    guard rates.daily[currency, default: [:]].updateValue(rate, forKey: day) == nil else {
                        throw fail(2, "a second rate for \(currency) on \(period)")
                    }
                } else if let month = parseMonth(period) {
                    guard rates.monthly[currency, default: [:]].updateValue(rate, forKey: month) == nil else {
                        throw fail(2, "a second rate for \(currency) in \(period)")
                    }
                } else {
                    throw fail(2, "'\(period)' is not a day (YYYY-MM-DD) or a month (YYYY-MM)")
                }
            }
        } catch let problem as CSVRecordReader.Problem {
            throw StoreError(.invalidMapping, problem.reason, file: path, line: problem.line, column: problem.column > 0 ? problem.column : nil)
        }
        rates.sha256 = reader.fileDigestHex()
        return rates
    }

    private init(file: String, sha256: String) {
        self.file = file
        self.sha256 = sha256
    }

    /// `YYYY-MM` as `year * 12 + month - 1`.
    static func parseMonth(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == 0x2D, let year = Int(text.prefix(4)), let month = Int(text.suffix(2)),
              bytes[0..<4].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), (1...12).contains(month), year >= 1 else { return nil }
        return year * 12 + month - 1
    }

    static func parseRate(_ text: String) -> Rate? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCII), whole.allSatisfy(\.isNumber) else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 12, fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber),
              let mantissa = Int64(whole + fraction), mantissa > 0 else { return nil }
        return Rate(mantissa: mantissa, scale: fraction.count)
    }

    /// The rate of `currency` on `day` (days since 1970-01-01): the day's rate, else the month's.
    public func rate(_ currency: String, day: Int) -> Rate? {
        if let rate = daily[currency]?[day] { return rate }
        let (y, m, _) = CivilTime.civilFromDays(day)
        return monthly[currency]?[y * 12 + m - 1]
    }

    /// Converts `amount` minor units of a currency with exponent `fromExponent` into minor units
    /// of a currency with exponent `toExponent` at `rate`, rounding half to even; nil on overflow.
    public static func convert(_ amount: Int64, rate: Rate, fromExponent: Int, toExponent: Int) -> Int64? {
        var numerator = Int128(amount) * Int128(rate.mantissa)
        var denominator = Int128(1)
        for _ in 0..<rate.scale { denominator *= 10 }
        for _ in 0..<fromExponent { denominator *= 10 }
        for _ in 0..<toExponent { numerator *= 10 }
        let (q, r) = numerator.quotientAndRemainder(dividingBy: denominator)
        let twice = r.magnitude * 2
        var result = q
        if twice > denominator.magnitude || (twice == denominator.magnitude && q % 2 != 0) {
            result += numerator < 0 ? -1 : 1
        }
        guard result >= Int128(Int64.min), result <= Int128(Int64.max) else { return nil }
        return Int64(result)
    }
}
