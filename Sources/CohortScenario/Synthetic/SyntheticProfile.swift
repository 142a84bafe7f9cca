public import CohortCore
extension Synthetic {
    /// The kind of business a synthetic partner is. Profiles differ in the shape of their data:
    ///
    /// - ``retail``: many small, irregular orders (heavy-tailed order values, December peak);
    /// - ``telecom``: a regular monthly bill per customer plus occasional add-ons;
    /// - ``bank``: many card transactions, monthly account fees and a few large transfers.
    public enum Profile: String, Sendable, CaseIterable, Hashable, CustomStringConvertible {
        /// An online and in-store retailer.
        case retail
        /// A mobile network operator.
        case telecom
        /// A retail bank (card payments, fees, transfers).
        case bank

        /// The profile's name as used on the command line.
        public var description: String { rawValue }

        /// Default customer-id prefix (`R`, `T`, `B`), so partners' ids never collide.
        public var defaultIDPrefix: String { spec.defaultIDPrefix }

        /// ISO 4217 currency code of all amounts.
        public var currency: String { spec.currency }

        /// Names of the planted behavioural segments (ground truth), in code order.
        public var segmentNames: [String] { spec.segments.map(\.name) }

        /// Share of customers in each planted segment (sums to 1), in code order.
        public var segmentShares: [Double] { spec.segments.map(\.weight) }

        /// Target share of customers whose consent for `purpose` is granted as of the as-of date.
        public func consentTarget(for purpose: Purpose) -> Double {
            spec.consentTargets[purpose.generatorIndex]
        }

        /// Share of customers who granted `purpose` at some point (current grants plus those who
        /// later withdrew).
        public func everGrantedShare(for purpose: Purpose) -> Double {
            min(1, spec.consentTargets[purpose.generatorIndex] / (1 - spec.withdrawShare))
        }

        /// Length of the churn observation window ending at the as-of date, in days: the churn
        /// label means "churned within the last `churnObservationDays` days".
        public var churnObservationDays: Int32 { spec.observationDays }

        /// Channel names that can appear in `transactions.csv` (dictionary order).
        public var channelNames: [String] { spec.channels }

        /// Category names that can appear in `transactions.csv` (dictionary order).
        public var categoryNames: [String] { spec.categories }

        /// Region names that can appear in `customers.csv`.
        public var regionNames: [String] { spec.regions }

        var spec: ProfileSpec {
            switch self {
            case .retail: return ProfileSpec.retail
            case .telecom: return ProfileSpec.telecom
            case .bank: return ProfileSpec.bank
            }
        }
    }


    /// A consent action of the data contract.
    public enum ConsentAction: String, Sendable, Hashable {
        /// Consent was given.
        case grant
        /// Consent was withdrawn.
        case withdraw
    }
}

extension Purpose {
    /// The purpose's column in the generator's consent-rate tables.
    var generatorIndex: Int {
        switch self {
        case .segmentation: return 0
        case .benchmarking: return 1
        case .modelTraining: return 2
        }
    }
}
