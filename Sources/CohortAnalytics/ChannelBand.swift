extension Analytics {
    /// Channel dependence: the share of a customer's purchases (positive-amount transactions in
    /// the window) made in one channel — by default the customer's top channel — in five bands.
    ///
    /// Band `b` covers shares in `[0.2·b, 0.2·(b+1))`; the last band includes 100 %. A customer
    /// with no purchases in the window has share 0 (band 0–20 %).
    public enum ChannelBand: UInt8, Category {
        /// Share in [0 %, 20 %).
        case upTo20 = 0
        /// Share in [20 %, 40 %).
        case upTo40 = 1
        /// Share in [40 %, 60 %).
        case upTo60 = 2
        /// Share in [60 %, 80 %).
        case upTo80 = 3
        /// Share in [80 %, 100 %].
        case upTo100 = 4

        /// Display name, e.g. `"20–40 %"`.
        public var name: String {
            let lo = Int(rawValue) * 20
            return "\(lo)–\(lo + 20) %"
        }

        /// Stable slug, e.g. `"20-40"`.
        public var slug: String {
            let lo = Int(rawValue) * 20
            return "\(lo)-\(lo + 20)"
        }

        /// The band of a share in [0, 1] (values outside are clamped; NaN maps to band 0).
        public init(share: Double) {
            guard share.isFinite, share > 0 else { self = .upTo20; return }
            let b = Int((share * 5).rounded(.down))
            self = ChannelBand(rawValue: UInt8(min(max(b, 0), 4))) ?? .upTo100
        }

        /// The band of `inChannel` out of `purchases` purchases, computed exactly in integers
        /// (band = ⌊5 · inChannel / purchases⌋, capped at 4; 0 when `purchases` is 0).
        public init(purchasesInChannel inChannel: Int, purchases: Int) {
            guard purchases > 0, inChannel > 0 else { self = .upTo20; return }
            let b = min(5 * inChannel / purchases, 4)
            self = ChannelBand(rawValue: UInt8(b)) ?? .upTo100
        }
    }
}
