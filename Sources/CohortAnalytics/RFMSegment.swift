extension Analytics {
    /// The 11 classic RFM segments, assigned from the recency score R (1–5) and the combined
    /// frequency–monetary score FM = ⌊(F + M + 1) / 2⌋ (the mean of F and M, halves rounded up).
    ///
    /// Exact rule table (rows R, columns FM; every (R, FM) pair maps to exactly one segment):
    ///
    /// | R \ FM | 1              | 2                  | 3              | 4               | 5               |
    /// |--------|----------------|--------------------|----------------|-----------------|-----------------|
    /// | 5      | New            | Potential Loyalist | Loyal          | Champions       | Champions       |
    /// | 4      | Promising      | Potential Loyalist | Loyal          | Champions       | Champions       |
    /// | 3      | About to Sleep | Need Attention     | Need Attention | Loyal           | Loyal           |
    /// | 2      | Hibernating    | About to Sleep     | At Risk        | At Risk         | At Risk         |
    /// | 1      | Lost           | Hibernating        | At Risk        | Can't Lose Them | Can't Lose Them |
    ///
    /// This is the widely used R × FM grid (Champions R 4–5 & FM 4–5; Loyal R 3–5 & FM 3–5 outside
    /// Champions; Potential Loyalist R 4–5 & FM 2; New R 5 & FM 1; Promising R 4 & FM 1; Need
    /// Attention R 3 & FM 2–3; About to Sleep R 3 & FM 1 or R 2 & FM 2; At Risk R 1–2 & FM 3–5
    /// except Can't Lose Them R 1 & FM 4–5; Hibernating R 2 & FM 1 or R 1 & FM 2; Lost R 1 & FM 1).
    public enum RFMSegment: UInt8, Category {
        /// Bought recently, buy often and spend the most (R 4–5, FM 4–5).
        case champions = 0
        /// Spend good money and buy regularly (R 3–5, FM 3–5 outside Champions).
        case loyal = 1
        /// Recent customers with average frequency/spend (R 4–5, FM 2).
        case potentialLoyalist = 2
        /// Bought most recently, but not often (R 5, FM 1) — "Recent customers".
        case new = 3
        /// Recent shoppers who have not spent much (R 4, FM 1).
        case promising = 4
        /// Above-average recency, frequency and spend but not very recent (R 3, FM 2–3).
        case needAttention = 5
        /// Below-average recency and value (R 3 & FM 1, R 2 & FM 2).
        case aboutToSleep = 6
        /// Spent big and often, but long ago (R 1–2, FM 3–5 except Can't Lose Them).
        case atRisk = 7
        /// Made the biggest purchases, but have not returned for a long time (R 1, FM 4–5).
        case cantLoseThem = 8
        /// Last purchase long ago, low value (R 2 & FM 1, R 1 & FM 2).
        case hibernating = 9
        /// Lowest recency and value (R 1, FM 1).
        case lost = 10

        /// Display name.
        public var name: String {
            switch self {
            case .champions: "Champions"
            case .loyal: "Loyal"
            case .potentialLoyalist: "Potential Loyalist"
            case .new: "New"
            case .promising: "Promising"
            case .needAttention: "Need Attention"
            case .aboutToSleep: "About to Sleep"
            case .atRisk: "At Risk"
            case .cantLoseThem: "Can't Lose Them"
            case .hibernating: "Hibernating"
            case .lost: "Lost"
            }
        }

        /// Stable slug.
        public var slug: String {
            switch self {
            case .champions: "champions"
            case .loyal: "loyal"
            case .potentialLoyalist: "potential-loyalist"
            case .new: "new"
            case .promising: "promising"
            case .needAttention: "need-attention"
            case .aboutToSleep: "about-to-sleep"
            case .atRisk: "at-risk"
            case .cantLoseThem: "cant-lose-them"
            case .hibernating: "hibernating"
            case .lost: "lost"
            }
        }

        /// The rule table above, `grid[r - 1][fm - 1]`.
        public static let grid: [[RFMSegment]] = [
            /* R 1 */ [.lost, .hibernating, .atRisk, .cantLoseThem, .cantLoseThem],
            /* R 2 */ [.hibernating, .aboutToSleep, .atRisk, .atRisk, .atRisk],
            /* R 3 */ [.aboutToSleep, .needAttention, .needAttention, .loyal, .loyal],
            /* R 4 */ [.promising, .potentialLoyalist, .loyal, .champions, .champions],
            /* R 5 */ [.new, .potentialLoyalist, .loyal, .champions, .champions],
        ]

        /// The combined frequency–monetary score ⌊(F + M + 1) / 2⌋ (1–5 for F, M in 1–5).
        @inlinable
        public static func fmScore(frequency f: UInt8, monetary m: UInt8) -> UInt8 {
            UInt8((Int(f) + Int(m) + 1) / 2)
        }

        /// The segment for recency score `r` and combined score `fm` (both clamped to 1–5).
        public init(recencyScore r: UInt8, fmScore fm: UInt8) {
            let ri = Int(min(max(r, 1), 5)) - 1
            let fi = Int(min(max(fm, 1), 5)) - 1
            self = Self.grid[ri][fi]
        }

        /// The segment for R, F and M scores (each 1–5).
        public init(recency r: UInt8, frequency f: UInt8, monetary m: UInt8) {
            self.init(recencyScore: r, fmScore: Self.fmScore(frequency: f, monetary: m))
        }
    }
}
