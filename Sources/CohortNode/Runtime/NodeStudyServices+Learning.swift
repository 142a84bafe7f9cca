import CohortAnalytics
import CohortAudit
public import CohortCore
public import CohortLearning
import CohortPrivacy
public import CohortStore
import CohortStudy
public import Foundation

extension NodeStudyServices {
    /// One round of a learning study (`kmeans`, `logistic-regression`, `quantiles`).
    ///
    /// Round 0 charges the whole study's cost (every budgeted round composed) before any row
    /// is read, then reads the customers consenting now and their features once; every later
    /// round re-checks consent and leaves out whoever has withdrawn since (re-reading consent
    /// only if the store's consent generation moved or a future-dated event came into effect). Each round is
    /// audited as a data access, noised with the round's discrete Gaussian, and refunded only
    /// if round 0 fails before leaving the node.
    func contributeLearning(
        spec: Study.Spec, study: String, round: Int, payload: Study.RoundPayload, charge: Bool
    ) async throws -> Study.ContributionMessage {
        let purpose = try consentPurpose(spec)
        let now = Date()
        let cached = learningCustomers.entry(study)
        let algorithm = try cached?.algorithm ?? Study.LearningAlgorithm(spec: spec)
        // A payload that does not belong to the study is refused before anything is charged.
        let roundNoise = try algorithm.roundNoise(for: payload)
        var record: BudgetSpendRecord?
        if charge {
            record = try await reserveRecorded(purpose: purpose, cost: algorithm.cost, study: study, round: round, at: now)
        }
        do {
            var entry: LearningCustomerCache.Entry
            // Read before consent is, so that a change made while it is read shows next round.
            let generation = try store.consentGeneration()
            if let cached {
                entry = cached
                if cached.needsConsentCheck(generation: generation, now: now) {
                    let consenting = Set(try store.consentingCustomers(purpose: purpose, asOf: now))
                    let ids = entry.customers.ids
                    let kept = ids.indices.filter { consenting.contains(ids[$0]) }
                    if kept.count != entry.customers.count { entry.customers = entry.customers.selecting(kept) }
                    entry.consentGeneration = generation
                    entry.nextConsentChange = try store.nextConsentChange(purpose: purpose, after: now)
                    learningCustomers.store(entry, for: study)
                }
            } else {
                let loaded = try Self.learningCustomers(store: store, purpose: purpose, consentAt: now, asOf: spec.asOf)
                entry = LearningCustomerCache.Entry(
                    algorithm: algorithm, customers: loaded.customers, transactions: loaded.transactions,
                    consentGeneration: generation, nextConsentChange: try store.nextConsentChange(purpose: purpose, after: now))
                learningCustomers.store(entry, for: study)
            }
            let customers = entry.customers
            _ = try await audit.record(.studyDataAccessed(
                study: study, purpose: purpose.rawValue, rows: customers.count, transactions: entry.transactions,
                used: customers.count, asOf: spec.asOf.description, round: round))
            var sampling = samplingGenerator(study: study, round: round)
            var values = try algorithm.localContribution(payload, customers: customers, using: &sampling)
            guard values.count == roundNoise.dimension else {
                throw NodeError(.contributionFailed, "node \(node): round \(round + 1) produced \(values.count) values, expected \(roundNoise.dimension)")
            }
            var noise = try makeNoise(study: study, round: round)
            let planned = roundNoise.sigmaSquared.doubleValue
            let report = roundNoise.isOff ? Study.NoiseReport(mechanism: "none", sigmaSquared: 0, simulated: true)
                : try noise.addNoise(to: &values, sigmaSquared: planned)
            guard report.sigmaSquared.isFinite, report.simulated || report.sigmaSquared >= planned * (1 - 1e-12) else {
                throw NodeError(.contributionFailed, "node \(node): the noise source reports variance \(report.sigmaSquared), the round needs \(planned)")
            }
            // Every round carries the whole study's cost, as the ledger charged it at round 0.
            return Study.ContributionMessage(
                study: study, round: round, values: values.map { UInt64(bitPattern: $0) }, cost: algorithm.cost,
                simulated: report.simulated)
        } catch {
            if let record { try await refund(record, purpose: purpose, study: study, round: round, reason: "\(error)") }
            throw error
        }
    }

    /// The customers consenting to `purpose` at `consentAt`, with the consortium features the
    /// learning algorithms read (behaviour up to the end of `asOf`), and the number of
    /// transactions read. The one loader of learning studies and of `study apply`. O(rows).
    public static func learningCustomers(
        store: NodeStore, purpose: Purpose, consentAt: Date, asOf: CalendarDate
    ) throws -> (customers: Learning.Customers, transactions: Int) {
        let (table, transactions) = try store.loadAnalyticsTables(
            purpose: purpose, consentAt: consentAt, transactionsUpTo: endOfDay(asOf))
        let features = try Analytics.Features.compute(
            customers: table, transactions: transactions, asOf: Int32(asOf.daysSinceEpoch))
        return (try Learning.Customers(features: features, regions: table.region), transactions.count)
    }

    /// The randomness of Poisson subsampling: the OS CSPRNG in production, a stream derived
    /// from the seed, node, study and round in simulation.
    private func samplingGenerator(study: String, round: Int) -> any RandomNumberGenerator {
        switch randomness {
        case .system:
            return SystemRandomNumberGenerator()
        case .seeded(let seed):
            return Privacy.SeededGenerator(seed: Self.derivedSeed(seed, node: node, study: study, round: round, stream: "sampling"))
        case .noiseless:
            return Privacy.SeededGenerator(seed: Self.derivedSeed(0, node: node, study: study, round: round, stream: "sampling"))
        }
    }

    /// A 64-bit seed from `seed`, the node, study, round and stream name (FNV-1a).
    static func derivedSeed(_ seed: UInt64, node: String, study: String, round: Int, stream: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(seed)|\(node)|\(study)|\(round)|\(stream)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}
