import CohortScenario
import Foundation

/// Datasets shared by the tests (generated once per process; generation is the slow part).
enum SyntheticFixtures {
    /// Customers per profile for the statistical tests (bank has ~80 transactions per customer).
    static func size(_ profile: Synthetic.Profile) -> Int {
        profile == .bank ? 8_000 : 20_000
    }

    static let seed: UInt64 = 20_260_630

    private static let retail = Result { try make(.retail) }
    private static let telecom = Result { try make(.telecom) }
    private static let bank = Result { try make(.bank) }

    private static func make(_ profile: Synthetic.Profile) throws -> Synthetic.Dataset {
        try Synthetic.Generator(profile: profile, customers: size(profile), seed: seed).generate()
    }

    static func dataset(_ profile: Synthetic.Profile) throws -> Synthetic.Dataset {
        switch profile {
        case .retail: return try retail.get()
        case .telecom: return try telecom.get()
        case .bank: return try bank.get()
        }
    }
}
