public import CohortStudy
public import CohortCore
public import CohortAnalytics
public import CohortAudit
import CohortLearning
import CohortPrivacy
public import CohortStore
import Crypto
public import Foundation

/// The node's own side of a study: policy inputs from the ledger and the consent table, the
/// charged and noised local contribution, result storage, and the audit trail.
///
/// Order of a contribution: reserve the spend atomically (ledger decision and insert in one
/// write transaction, durable, audited `budget.spent`; a refusal reads nothing) → read the
/// customers consenting now and their transactions up to `as_of` → compute the integer vector
/// (audited `data.accessed` with the exact counts, which stay on the node) → add exact discrete
/// Gaussian noise → return. A contribution that fails before leaving is refunded (audited
/// `budget.refunded`); one that leaves always has its spend on record.
public final class NodeStudyServices: StudyLocalServices {
    let store: NodeStore
    let config: NodeConfig
    let audit: any AuditRecording
    let randomness: RandomnessChoice
    /// Each running learning study's customers, read once per study (see `+Learning`).
    let learningCustomers = LearningCustomerCache()

    /// Where noise comes from.
    public enum RandomnessChoice: Sendable {
        /// The operating system's CSPRNG (production).
        case system
        /// A seeded generator (simulation only; refused in production mode). Each release
        /// derives its own stream from the seed and the study id.
        case seeded(UInt64)
        /// No noise at all (simulation only; refused in production mode): known-answer runs
        /// whose released values must equal the central computation. Every message says
        /// `simulated`.
        case noiseless
    }

    /// Creates the services of a node.
    /// - Throws: ``NodeError`` when seeded randomness is asked for in production mode.
    public init(store: NodeStore, config: NodeConfig, audit: any AuditRecording, randomness: RandomnessChoice = .system) throws {
        if case .seeded(let seed) = randomness {
            do {
                try Privacy.Randomness.validate(.seeded(seed), for: config.node.mode == .production ? .production : .simulation)
            } catch {
                throw NodeError(.invalidConfiguration, "node \(config.node.name): \(error)")
            }
        }
        if case .noiseless = randomness, config.node.mode == .production {
            throw NodeError(.invalidConfiguration, "node \(config.node.name): noiseless contributions are for simulation mode only")
        }
        self.store = store
        self.config = config
        self.audit = audit
        self.randomness = randomness
    }

    var node: String { config.node.name }

    // MARK: Policy inputs

    /// Remaining ε for the spec's purpose now, and the customers consenting now (consent is
    /// decided at the moment of the study, never at its `as_of` date).
    public func policyInputs(for spec: Study.Spec) async throws -> (remainingEpsilon: Double, consentingCustomers: Int) {
        let purpose = try consentPurpose(spec)
        let now = Date()
        let remaining = try NodeBudget.status(purpose, store: store, config: config, at: now)?.remainingEpsilon ?? 0
        let consenting = try store.consentingCustomers(purpose: purpose, asOf: now).count
        return (remaining, consenting)
    }

    // MARK: Contribution

    /// Reserves the budget, then reads, computes and noises this node's contribution to `study`.
    ///
    /// Consent is decided at the moment the contribution is computed (now), never at the spec's
    /// `as_of` date, which only bounds the behaviour data (transactions up to the end of that
    /// day): a withdrawal binds every later round, whatever its `as_of`.
    ///
    /// The spend is reserved atomically (ledger decision and insert in one write transaction)
    /// and audited before any customer row is read, so a request the ledger refuses reads
    /// nothing, whatever runs concurrently. If the contribution then fails before leaving the
    /// node, the reservation is refunded (audited `budget.refunded`).
    public func contribute(
        spec: Study.Spec, plan: Study.NoisePlan, study: String, round: Int, payload: Study.RoundPayload, charge: Bool
    ) async throws -> Study.ContributionMessage {
        if spec.kind.isLearning {
            return try await contributeLearning(spec: spec, study: study, round: round, payload: payload, charge: charge)
        }
        let purpose = try consentPurpose(spec)
        let now = Date()
        var record: BudgetSpendRecord?
        if charge {
            // The plan's cost: the same bytes the contribution carries in `cost_json`.
            record = try await reserveRecorded(purpose: purpose, cost: try plan.cost(), study: study, round: round, at: now)
        }
        do {
            let (customers, transactions) = try store.loadAnalyticsTables(
                purpose: purpose, consentAt: now, transactionsUpTo: Self.endOfDay(spec.asOf))
            let usesAttributes = !spec.attributeNames.isEmpty || spec.mean?.measure.attributeName != nil
            let attributes = usesAttributes ? try store.customerAttributes() : [:]
            let (codes, measures) = try Self.studyInputs(
                spec: spec, customers: customers, transactions: transactions, attributes: attributes,
                rfm: try Self.rfmScoring(for: spec, store: store))
            let contribution = try Study.Contribution.compute(spec: spec, codes: codes, measures: measures)
            _ = try await audit.record(.studyDataAccessed(
                study: study, purpose: purpose.rawValue, rows: customers.count, transactions: transactions.count,
                used: contribution.rowsUsed, asOf: spec.asOf.description, round: round))
            var noise = try makeNoise(study: study, round: round)
            return try contribution.noised(study: study, round: round, plan: plan, noise: &noise)
        } catch {
            // Only the round that charged refunds: after round 0 earlier rounds have left the node.
            if let record { try await refund(record, purpose: purpose, study: study, round: round, reason: "\(error)") }
            throw error
        }
    }

    public func persistParticipantStudy(_ study: String, entry: Study.ParticipantMachine.Entry?) async throws {
        if let entry {
            try store.saveParticipantStudy(study, state: try ParticipantStudyCoding.encode(entry))
        } else {
            learningCustomers.remove(study)
            try store.deleteParticipantStudy(study)
        }
    }

    /// The saved participant studies. A saved state this version cannot read (e.g. written
    /// by an older one) fails its study cleanly: `study.ended` (failed, with the reason) is
    /// audited, then the state is deleted, so the lead's next request for it is refused and the
    /// lead reports the failure. If that audit append fails, this throws and the node does not
    /// start.
    public func participantStudies() async throws -> [String: Study.ParticipantMachine.Entry] {
        var entries: [String: Study.ParticipantMachine.Entry] = [:]
        for (study, state) in try store.participantStudies().sorted(by: { $0.key < $1.key }) {
            do {
                entries[study] = try ParticipantStudyCoding.decode(state, study: study)
            } catch {
                try await auditStudy(StudyAuditEvent(
                    kind: .ended(outcome: "failed", reason: "this node cannot read its saved state of the study: \(error)", rounds: nil),
                    study: study, purpose: "", lead: "", actor: "system"))
                try store.deleteParticipantStudy(study)
            }
        }
        return entries
    }

    /// Reserves `cost` (``reserve(purpose:policy:cost:study:at:)``) and audits `budget.spent`
    /// before anything is read; an unrecorded spend is refunded and the contribution refused.
    func reserveRecorded(
        purpose: Purpose, cost: Privacy.Cost, study: String, round: Int, at now: Date
    ) async throws -> BudgetSpendRecord {
        guard let policy = try NodeBudget.policy(purpose, config: config) else {
            throw NodeError(.budgetExceeded, "node \(node) does not allow purpose \(purpose.rawValue)")
        }
        let reserved = try reserve(purpose: purpose, policy: policy, cost: cost, study: study, at: now)
        do {
            _ = try await audit.record(.budgetSpent(
                study: study, purpose: purpose.rawValue, epsilon: reserved.epsilon, delta: reserved.delta,
                rho: reserved.rho, mechanism: reserved.mechanism, ledgerID: reserved.id ?? -1, round: round))
        } catch {
            // Unrecorded spends must not stand: nothing has been read yet. If even the
            // refund fails, the spend stays (the ledger over-counts, never under-counts).
            _ = try? store.refundBudget(id: reserved.id ?? -1, study: study)
            throw NodeError(.contributionFailed, "node \(node): the budget spend could not be audited, nothing was read: \(error)")
        }
        return reserved
    }

    /// Atomically decides and records the spend (the ledger decides inside the store's write
    /// transaction), or throws `budgetExceeded` without reading anything.
    private func reserve(
        purpose: Purpose, policy: Privacy.Ledger.PurposePolicy, cost: Privacy.Cost, study: String, at now: Date
    ) throws -> BudgetSpendRecord {
        var refusal: Privacy.Ledger.Refusal?
        let record = try store.chargeBudget(purpose: purpose.rawValue, study: study, at: now) { stored in
            let history = try stored.map(NodeBudget.spend(from:))
            let decision = Privacy.Ledger.decide(
                policy: policy, history: history, request: Privacy.Ledger.Spend(study: study, at: now, cost: cost))
            switch decision {
            case .refused(let r):
                refusal = r
                return nil
            case .granted(let spend):
                let columns = try spend.columns(delta: policy.delta)
                return BudgetSpendRecord(
                    purpose: purpose.rawValue, study: study, epsilon: columns.epsilon, delta: columns.delta,
                    rho: columns.rho, mechanism: columns.mechanism, costJSON: columns.costJSON, at: now)
            }
        }
        guard let record else {
            throw NodeError(.budgetExceeded, "node \(node): \(refusal?.message ?? "budget refused")")
        }
        return record
    }

    /// Gives back a reservation whose contribution failed before leaving the node. The refund
    /// is audited first; if that append fails the spend stays (the conservative side).
    func refund(
        _ record: BudgetSpendRecord, purpose: Purpose, study: String, round: Int, reason: String
    ) async throws {
        guard let id = record.id else { return }
        _ = try await audit.record(.budgetRefunded(
            study: study, purpose: purpose.rawValue, ledgerID: id, round: round, reason: reason))
        try store.refundBudget(id: id, study: study)
    }

    func makeNoise(study: String, round: Int) throws -> any Study.NoiseSource {
        switch randomness {
        case .system:
            return DiscreteGaussianNoise(source: Privacy.SystemRandomness(), simulated: false)
        case .noiseless:
            return NoNoise()
        case .seeded(let seed):
            var mix = SHA256()
            mix.update(data: Data("\(seed)|\(node)|\(study)|\(round)".utf8))
            let derived = Data(mix.finalize()).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            return DiscreteGaussianNoise(source: Privacy.SeededRandomness(seed: derived), simulated: true)
        }
    }

    /// The per-customer dimension codes and measure values a spec needs, from the node's tables;
    /// `attributes` (customer id → attribute → value, ``NodeStore/customerAttributes()``) feeds
    /// `attribute:<name>` dimensions (a customer without a listed value is coded `other`).
    public static func studyInputs(
        spec: Study.Spec, customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable,
        attributes: [String: [String: String]] = [:], rfm: Analytics.Features.RFMScoring = .populationQuintiles
    ) throws -> (codes: [[UInt16]], measures: [Double?]?) {
        let features = try Analytics.Features.compute(
            customers: customers, transactions: transactions, asOf: Int32(spec.asOf.daysSinceEpoch),
            options: Analytics.Features.Options(rfm: rfm))
        let codes: [[UInt16]] = try spec.dimensions.map { dimension in
            if let name = dimension.attributeName {
                let values = spec.attributeValues[name] ?? []
                return customers.ids.map { Study.Dimension.attributeCode(attributes[$0]?[name], values: values) }
            }
            switch dimension {
            case .rfmSegment: return features.segment.map(UInt16.init)
            case .lifecycleStage: return features.lifecycleStage.map(UInt16.init)
            case .valueTier: return features.valueTier.map(UInt16.init)
            case .channelBand: return features.channelBand.map(UInt16.init)
            case .npsClass: return features.npsClass.map(UInt16.init)
            case .region: return customers.region.map { Study.Dimension.regionCode($0, regions: spec.regions) }
            default: throw NodeError(.invalidMessage, "unsupported dimension \(dimension.rawValue)")
            }
        }
        guard let mean = spec.mean else { return (codes, nil) }
        let measures: [Double?]
        if let name = mean.measure.attributeName {
            // Integer or boolean custom attribute (true = 1); customers without a value are excluded.
            measures = customers.ids.map { id in
                guard let value = attributes[id]?[name] else { return nil }
                switch value {
                case "true": return 1
                case "false": return 0
                default: return Double(value)
                }
            }
            return (codes, measures)
        }
        switch mean.measure {
        case .churnRate: measures = customers.churned.map { $0.map { $0 ? 1 : 0 } }
        case .nps: measures = customers.nps.map { $0.map(Double.init) }
        case .clv: measures = features.clvMinor.map(Double.init)
        case .aov: measures = zip(features.aovMinor, features.frequency).map { $1 > 0 ? $0 : nil }
        default: throw NodeError(.invalidMessage, "unsupported measure \(mean.measure.rawValue)")
        }
        return (codes, measures)
    }

    // MARK: Results and audit

    /// Stores the result and audits `result.released` with its digest.
    public func storeResult(_ result: Study.Result, json: Data, digest: Data, role: StudyRole) async throws {
        learningCustomers.remove(result.study)
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        // On record first: a release the audit log refuses is neither stored nor (by the lead)
        // sent to anyone.
        _ = try await audit.record(.resultReleased(
            actor: role == .lead ? node : result.lead, purpose: result.spec.purpose.rawValue, study: result.study,
            sha256: hex, role: role.rawValue, cells: result.cells.count))
        try store.saveStudyResult(StoredStudyResult(
            study: result.study, role: role.rawValue, lead: result.lead, purpose: result.spec.purpose.rawValue,
            kind: result.spec.kind.rawValue, resultJSON: json, digestHex: hex, storedAt: Date()))
    }

    /// Audits a study proposal or decision.
    public func auditStudy(_ event: StudyAuditEvent) async throws {
        let (actor, purpose, study, lead) = (event.actor, event.purpose, event.study, event.lead)
        let entry: Audit.Event
        switch event.kind {
        case .proposed:
            entry = .studyProposed(actor: actor, purpose: purpose, study: study, lead: lead, terms: try event.proposalTerms())
        case .accepted:
            entry = .studyAccepted(actor: actor, purpose: purpose, study: study, lead: lead)
        case .rejected(let reason):
            entry = .studyRejected(actor: actor, purpose: purpose, study: study, lead: lead, reason: reason, count: event.count)
        case .ended(let outcome, let reason, let rounds):
            entry = .studyEnded(actor: actor, purpose: purpose, study: study, lead: lead, outcome: outcome, reason: reason, rounds: rounds)
        case .aggregated(let round, let parties, let survivors, let dropouts):
            entry = .studyAggregated(
                actor: actor, purpose: purpose, study: study, lead: lead, round: round,
                role: actor == lead ? "lead" : "participant", parties: parties, survivors: survivors, dropouts: dropouts)
        }
        _ = try await audit.record(entry)
    }

    func consentPurpose(_ spec: Study.Spec) throws -> Purpose {
        guard let purpose = Purpose(rawValue: spec.purpose.rawValue) else {
            throw NodeError(.invalidMessage, "unknown purpose \(spec.purpose.rawValue)")
        }
        return purpose
    }

    /// How a spec scores RFM: each node's own quintiles, the spec's cut points, or those a
    /// published `quantiles` study released (read from this node's stored copy of its result).
    /// - Throws: ``NodeError`` (`invalidMessage`) when the named study is not stored here, is
    ///   not a quantiles study, or did not release the quintile cuts.
    public static func rfmScoring(for spec: Study.Spec, store: NodeStore) throws -> Analytics.Features.RFMScoring {
        switch spec.rfmCutPoints {
        case nil: return .populationQuintiles
        case .given(let cuts): return .cutPoints(cuts)
        case .released(let study):
            guard let stored = try store.studyResults().first(where: { $0.study == study }) else {
                throw NodeError(.invalidMessage, "rfm_cut_points: study \(study) has no published result on this node; it must have taken part in that quantiles study")
            }
            let result = try Study.Result.decode(json: stored.resultJSON)
            guard case .quantiles(let quantiles)? = result.learning?.model else {
                throw NodeError(.invalidMessage, "rfm_cut_points: study \(study) is a \(result.spec.kind.rawValue) study, not a quantiles study")
            }
            do { return .cutPoints(try quantiles.rfmCutPoints()) } catch {
                throw NodeError(.invalidMessage, "rfm_cut_points: study \(study): \(error)")
            }
        }
    }

    /// The last second of a calendar day (UTC): consent and transactions of that day count.
    public static func endOfDay(_ day: CalendarDate) -> Date {
        Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch) * 86_400 + 86_399)
    }
}

/// Exact discrete Gaussian noise from the privacy module, for ``Study/NoiseSource``.
struct DiscreteGaussianNoise<Source: Privacy.RandomSource>: Study.NoiseSource {
    var source: Source
    let simulated: Bool

    mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        let sampler = try Privacy.DiscreteGaussian.Sampler(sigmaSquaredAtLeast: sigmaSquared)
        var noise = [Int64](repeating: 0, count: values.count)
        sampler.fill(&noise, using: &source)
        for i in values.indices {
            let (sum, overflow) = values[i].addingReportingOverflow(noise[i])
            guard !overflow else { throw NodeError(.contributionFailed, "noise overflowed coordinate \(i)") }
            values[i] = sum
        }
        return Study.NoiseReport(
            mechanism: "discrete-gaussian", sigmaSquared: sampler.sigmaSquared.doubleValue, simulated: simulated)
    }
}

/// No noise (``NodeStudyServices/RandomnessChoice/noiseless``, simulation only): reports σ² = 0
/// and `simulated`, so the lead's result says it carries no privacy.
struct NoNoise: Study.NoiseSource {
    mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
        Study.NoiseReport(mechanism: "none", sigmaSquared: 0, simulated: true)
    }
}
