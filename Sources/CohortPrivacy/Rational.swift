extension Privacy {
    /// An exact non-negative rational `numerator/denominator` in lowest terms, for noise scales
    /// (σ², t) and exponents (γ) that decide sampling outcomes without floating point.
    public struct Rational: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Numerator (≥ 0), coprime with `denominator`.
        public let numerator: UInt64
        /// Denominator (> 0).
        public let denominator: UInt64

        /// Creates `numerator/denominator`, reduced to lowest terms.
        ///
        /// - Throws: `invalidParameter` when `denominator == 0`.
        public init(_ numerator: UInt64, _ denominator: UInt64 = 1) throws {
            guard denominator > 0 else {
                throw PrivacyError(.invalidParameter, "rational \(numerator)/\(denominator) has a zero denominator")
            }
            let g = Rational.gcd(numerator, denominator)
            self.numerator = numerator / g
            self.denominator = denominator / g
        }

        /// Parses a decimal (`2.5`, `0.001`, `1e-3`, `12`) or a fraction (`5/2`) exactly.
        ///
        /// Decimal strings are converted digit by digit, never through `Double`.
        /// - Throws: `unparsable` for malformed text or a negative value; `overflow` when the exact
        ///   value does not fit in 64-bit numerator and denominator.
        public init(parsing text: String) throws {
            let s = text.trimmingWhitespace()
            guard !s.isEmpty else { throw PrivacyError(.unparsable, "empty rational") }
            if let slash = s.firstIndex(of: "/") {
                let num = String(s[s.startIndex ..< slash])
                let den = String(s[s.index(after: slash)...])
                guard let n = UInt64(num), let d = UInt64(den) else {
                    throw PrivacyError(.unparsable, "'\(text)' is not a fraction p/q of non-negative integers")
                }
                guard d > 0 else { throw PrivacyError(.invalidParameter, "'\(text)' has a zero denominator") }
                try self.init(n, d)
                return
            }
            // Decimal with optional exponent.
            var mantissa = Substring(s)
            var exponent = 0
            if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
                mantissa = s[s.startIndex ..< e]
                guard let x = Int(s[s.index(after: e)...]), abs(x) <= 40 else {
                    throw PrivacyError(.unparsable, "'\(text)' has a malformed or out-of-range exponent")
                }
                exponent = x
            }
            if mantissa.hasPrefix("+") { mantissa = mantissa.dropFirst() }
            var digits: UInt64 = 0
            var fractionDigits = 0
            var seenDot = false
            var seenDigit = false
            for ch in mantissa {
                if ch == "." {
                    guard !seenDot else { throw PrivacyError(.unparsable, "'\(text)' has two decimal points") }
                    seenDot = true
                    continue
                }
                guard let d = ch.wholeNumberValue, ch.isASCII else {
                    throw PrivacyError(.unparsable, "'\(text)' is not a non-negative decimal or fraction p/q")
                }
                seenDigit = true
                let (m, o1) = digits.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(d))
                guard !o1, !o2 else {
                    throw PrivacyError(.overflow, "'\(text)' has too many significant digits for an exact 64-bit rational")
                }
                digits = a
                if seenDot { fractionDigits += 1 }
            }
            guard seenDigit else { throw PrivacyError(.unparsable, "'\(text)' has no digits") }
            let scale = exponent - fractionDigits
            if scale >= 0 {
                var n = digits
                for _ in 0 ..< scale {
                    let (m, o) = n.multipliedReportingOverflow(by: 10)
                    guard !o else { throw PrivacyError(.overflow, "'\(text)' is too large for an exact 64-bit rational") }
                    n = m
                }
                try self.init(n, 1)
            } else {
                var d: UInt64 = 1
                for _ in 0 ..< -scale {
                    let (m, o) = d.multipliedReportingOverflow(by: 10)
                    guard !o else { throw PrivacyError(.overflow, "'\(text)' needs a denominator beyond 2^64") }
                    d = m
                }
                try self.init(digits, d)
            }
        }

        /// The smallest dyadic rational `≥ value` with denominator `2^k` for the largest
        /// `k ≤ maxDenominatorBits` whose numerator stays below `2^numeratorBits`.
        ///
        /// Used to turn a real noise parameter (e.g. σ² = Δ²/(2ρ)) into an exact one while never
        /// rounding towards less noise.
        /// - Throws: `nonFiniteParameter`, `invalidParameter` (value < 0), `overflow` (too large).
        public init(roundingUp value: Double, maxDenominatorBits: Int = 32, numeratorBits: Int = 62) throws {
            try PrivacyError.requireFinite(value, "value")
            guard value >= 0 else { throw PrivacyError(.invalidParameter, "value must be ≥ 0, got \(value)") }
            let limit = Double(sign: .plus, exponent: numeratorBits, significand: 1)
            var k = max(0, min(maxDenominatorBits, 62))
            while k >= 0 {
                let scaled = (value * Double(sign: .plus, exponent: k, significand: 1)).rounded(.up)
                if scaled < limit {
                    try self.init(UInt64(scaled), UInt64(1) << UInt64(k))
                    return
                }
                k -= 1
            }
            throw PrivacyError(.overflow, "\(value) is too large for an exact 64-bit rational")
        }

        /// The nearest `Double` (for display and accounting, never for sampling decisions).
        public var doubleValue: Double { Double(numerator) / Double(denominator) }

        /// `p/q`, or `p` when the denominator is 1.
        public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

        /// `⌊numerator/denominator⌋`.
        public var floor: UInt64 { numerator / denominator }

        /// Whether the value is zero.
        public var isZero: Bool { numerator == 0 }

        /// `self / k` exactly. - Throws: `overflow` if the denominator exceeds 2^64.
        public func divided(by k: UInt64) throws -> Rational {
            guard k > 0 else { throw PrivacyError(.invalidParameter, "division of \(self) by zero") }
            let g = Rational.gcd(numerator, k)
            let (d, o) = denominator.multipliedReportingOverflow(by: k / g)
            guard !o else { throw PrivacyError(.overflow, "\(self) / \(k) needs a denominator beyond 2^64") }
            return try Rational(numerator / g, d)
        }

        /// `self * k` exactly. - Throws: `overflow` if the numerator exceeds 2^64.
        public func multiplied(by k: UInt64) throws -> Rational {
            let g = Rational.gcd(denominator, k)
            let (n, o) = numerator.multipliedReportingOverflow(by: k / g)
            guard !o else { throw PrivacyError(.overflow, "\(self) × \(k) needs a numerator beyond 2^64") }
            return try Rational(n, denominator / g)
        }

        static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
            var (x, y) = (a, b)
            while y != 0 { (x, y) = (y, x % y) }
            return x == 0 ? 1 : x
        }

        /// `⌊√n⌋` exactly.
        static func integerSquareRoot(_ n: UInt64) -> UInt64 {
            if n < 2 { return n }
            var r = UInt64(Double(n).squareRoot())
            while r > 0, r.multipliedFullWidth(by: r) > (0, n) { r -= 1 }
            while true {
                let s = r + 1
                let p = s.multipliedFullWidth(by: s)
                if p.high == 0, p.low <= n { r = s } else { break }
            }
            return r
        }
    }
}

extension Privacy.Rational: Comparable {
    /// Exact comparison by cross-multiplication in 128 bits.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        UInt128(lhs.numerator) * UInt128(rhs.denominator) < UInt128(rhs.numerator) * UInt128(lhs.denominator)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}
