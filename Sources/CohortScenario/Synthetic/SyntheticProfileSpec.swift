extension Synthetic {
    /// When during the day a channel's transactions happen.
    enum HourPattern: Sendable {
        /// Web, app, phone: all day with an evening peak.
        case online
        /// Stores, branches, card terminals: opening hours, midday and late-afternoon peaks.
        case physical
        /// Direct debits and account fees: posted by a night batch (02:00–04:59).
        case batch

        /// Relative weight of each hour 0–23.
        var hourWeights: [Double] {
            switch self {
            case .online:
                return [1.2, 0.7, 0.4, 0.3, 0.3, 0.4, 0.8, 1.5, 2.5, 3.2, 3.5, 3.6,
                        4.0, 3.8, 3.5, 3.5, 3.8, 4.2, 4.8, 5.6, 6.0, 5.6, 4.2, 2.4]
            case .physical:
                return [0, 0, 0, 0, 0, 0, 0, 0.3, 1.5, 3.0, 4.5, 5.5,
                        6.0, 5.5, 5.0, 5.2, 5.8, 6.5, 6.2, 4.5, 2.2, 0.6, 0, 0]
            case .batch:
                return [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            }
        }
    }

    /// One planted behavioural segment: its share and the parameters of its latent behaviour.
    struct SegmentSpec: Sendable {
        /// Segment name written to `ground_truth.csv`.
        var name: String
        /// Share of customers in the segment.
        var weight: Double
        /// When set, customers signed up uniformly within this many days before the as-of date.
        var newWithinDays: Int32? = nil
        /// Mean tenure at the as-of date in days (gamma, shape 2) for established customers.
        var tenureMeanDays: Double = 1200
        /// Mean of the latent satisfaction score (standard normal spread around it).
        var satisfaction: Double
        /// Mean log-rate slope per year of the main activity (negative = lapsing).
        var trend: Double
        /// Additive churn log-odds of the segment.
        var churnOffset: Double
        /// Complaints per active year at satisfaction 0 (each becomes a refund or credit).
        var complaintsPerYear: Double
        /// Mean main-stream events per 30 days (orders, card payments, add-ons).
        var ratePer30: Double
        /// Gamma shape of the per-customer rate (smaller = more heterogeneous).
        var rateShape: Double
        /// Median main-stream amount in cents.
        var medianAmount: Double
        /// Log-normal sigma of main-stream amounts within a customer.
        var amountSigma: Double
        /// Probability that a main-stream event is a Pareto-tailed big ticket.
        var bigTicketShare: Double = 0
        /// Share of customers with a monthly charge (telecom plan, bank account fee).
        var monthlyShare: Double = 0
        /// Median monthly charge in cents.
        var monthlyMedian: Double = 0
        /// Mean rare large events per 30 days (bank transfers).
        var extraPer30: Double = 0
        /// Weights of the customer-facing channels (primary channel and ad-hoc choices).
        var channelWeights: [Double]
        /// Mean age in years at the as-of date.
        var ageMean: Double
        /// Standard deviation of age in years.
        var ageSD: Double = 13
    }

    /// Everything that makes one profile's data look the way it does.
    struct ProfileSpec: Sendable {
        var defaultIDPrefix: String
        var currency: String
        /// All channel names; the first `customerChannelCount` are customer-facing.
        var channels: [String]
        var customerChannelCount: Int
        var channelPatterns: [HourPattern]
        /// All category names; the first `mainCategoryCount` belong to the main stream.
        var categories: [String]
        var mainCategoryCount: Int
        var mainCategoryWeights: [Double]
        /// Log-shift of the amount per main category (e.g. electronics costs more).
        var mainCategoryShift: [Double]
        /// Category of the monthly charge, if the profile has one.
        var monthlyCategory: Int? = nil
        /// Channel used by customers paying the monthly charge automatically.
        var autopayChannel: Int? = nil
        /// Share of monthly payers who pay by `autopayChannel`.
        var autopayShare: Double = 0
        /// Share of churned monthly payers billed a final, prorated charge on the churn day.
        var finalChargeShare: Double = 0
        /// Relative month-to-month variation of the monthly charge (usage).
        var monthlySigma: Double = 0
        /// Category and channel weights of the rare large events.
        var extraCategory: Int? = nil
        var extraChannelWeights: [Double] = []
        /// Pareto scale (cents) and tail index of large events.
        var extraScale: Double = 0
        var extraAlpha: Double = 1.5
        /// Seasonality of the main stream: relative level per month (Jan…Dec) and weekday (Mon…Sun).
        var monthSeason: [Double]
        var weekSeason: [Double]
        var segments: [SegmentSpec]
        var regions: [String]
        var regionWeights: [Double]
        /// Consent method text by customer-facing channel, and for withdrawals.
        var grantMethods: [String]
        var withdrawMethods: [String]
        /// Target current-consent share per purpose (segmentation, benchmarking, model-training).
        var consentTargets: [Double]
        /// Share of those who ever granted a purpose who have withdrawn it by the as-of date.
        var withdrawShare: Double
        /// Churn label window in days before the as-of date.
        var observationDays: Int32
        /// Baseline churn log-odds.
        var churnBase: Double
    }
}
