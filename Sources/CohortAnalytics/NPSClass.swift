extension Analytics {
    /// Net Promoter class of a 0–10 answer: promoter 9–10, passive 7–8, detractor 0–6, or
    /// unanswered. NPS of a group = 100 × (promoters − detractors) / answered, in points −100…100.
    public enum NPSClass: UInt8, Category {
        /// Answer 9 or 10.
        case promoter = 0
        /// Answer 7 or 8.
        case passive = 1
        /// Answer 0–6.
        case detractor = 2
        /// No answer (excluded from NPS).
        case unanswered = 3

        /// Display name.
        public var name: String {
            switch self {
            case .promoter: "Promoter"
            case .passive: "Passive"
            case .detractor: "Detractor"
            case .unanswered: "Unanswered"
            }
        }

        /// Stable slug.
        public var slug: String {
            switch self {
            case .promoter: "promoter"
            case .passive: "passive"
            case .detractor: "detractor"
            case .unanswered: "unanswered"
            }
        }

        /// Classifies an answer; `nil` means unanswered. Returns `nil` (invalid) for answers
        /// outside 0–10.
        public init?(answer: Int8?) {
            guard let answer else { self = .unanswered; return }
            switch answer {
            case 9...10: self = .promoter
            case 7...8: self = .passive
            case 0...6: self = .detractor
            default: return nil
            }
        }

        /// NPS in points (−100…100) from class counts; `nil` when nobody answered.
        public static func score(promoters: Int, passives: Int, detractors: Int) -> Double? {
            let answered = promoters + passives + detractors
            guard answered > 0 else { return nil }
            return 100 * Double(promoters - detractors) / Double(answered)
        }
    }
}
