extension Study {
    /// Fixed-point encoding of the values of a `mean` study.
    ///
    /// A value `v` (in the measure's unit) is clamped to `[lower, upper]`, shifted to
    /// `[0, upper − lower]` and encoded as `round((clamp(v) − lower) / (upper − lower) · Q)`, an
    /// integer in `[0, Q]` with `Q = ``resolution``` (round half away from zero). The count of
    /// customers in a cell is encoded at the same scale (each customer adds `Q`), so both
    /// coordinates of a cell have the same per-customer bound and receive the same noise.
    ///
    /// Decoding: `mean = lower + (upper − lower) · S / C` and `count = C / Q`, where `S` and `C` are
    /// the (noisy) encoded sum and count. The rounding error is at most `(upper − lower) / (2Q)`
    /// per customer (≈ 7.6·10⁻⁶ of the clamp range); 0/1 values such as churn are exact.
    public enum FixedPoint {
        /// Encoded steps per clamp range, `Q = 2^16`.
        public static let resolution: Int64 = 65_536

        /// Encodes one value into `[0, Q]`; `value` must not be NaN (±∞ clamp to the bounds).
        public static func encode(_ value: Double, lower: Double, upper: Double) -> Int64 {
            let clamped = min(max(value, lower), upper)
            let unit = (clamped - lower) / (upper - lower)
            return Int64((unit * Double(resolution)).rounded())
        }
    }
}
