import CohortLearning
import CohortPrivacy
public import Foundation

extension Study {
    /// The ``RoundProgram`` of the learning kinds: each round's payload is the algorithm's
    /// (grid, centroids, model weights, …), every node's noised vector is summed mod 2⁶⁴ and read
    /// as signed, and the algorithm decides from the sum whether to run another round or release.
    public struct LearningProgram: RoundProgram {
        /// The study's spec (with its id).
        public let spec: Spec
        /// The lead's name.
        public let lead: String
        /// The spec's algorithm.
        public let algorithm: LearningAlgorithm

        /// The program of `spec` led by `lead`.
        /// - Throws: ``StudyError`` when the spec's learning section is invalid, or (at
        ///   `learning.model`) when it is an evaluation whose `learning.model_study` has not been
        ///   resolved into the model: every party must score with the model in the spec.
        public init(spec: Spec, lead: String) throws {
            let algorithm = try LearningAlgorithm(spec: spec)
            if let study = algorithm.unresolvedModelStudy {
                throw StudyError(.missingKey, key: "learning.model",
                                 "the spec names its model by learning.model_study \(study) only; the lead must propose it with the model itself (learning.model)")
            }
            self.spec = spec
            self.lead = lead
            self.algorithm = algorithm
        }

        /// The algorithm's budgeted rounds.
        public var maxRounds: Int { algorithm.maximumRounds }

        /// The algorithm's first payload.
        public func firstRound() throws -> RoundPayload { try algorithm.firstPayload() }

        /// Study, round, the cost (as for every kind: ``Aggregation/validateCost(_:from:spec:study:coordinates:)``),
        /// and the length the round's payload asks for.
        public func validate(_ message: ContributionMessage, from node: String, round: Int, payload: RoundPayload) throws {
            let key = "contributions[\(node)]"
            guard message.round == round else {
                throw StudyError(.invalidContribution, key: key, "is for round \(message.round), expected round \(round)")
            }
            let expected = try algorithm.roundNoise(for: payload).dimension
            try Aggregation.validateCost(message, from: node, spec: spec, study: try spec.requireID(), coordinates: expected)
        }

        /// Sums the round, then asks the algorithm for the next payload or the release.
        public func afterRound(
            _ round: Int, payload: RoundPayload, contributions: [String: ContributionMessage], sum: [UInt64],
            startedAt: Date, completedAt: Date
        ) -> RoundDecision {
            do {
                let nodes = contributions.keys.sorted()
                let length = try algorithm.roundNoise(for: payload).dimension
                guard sum.count == length else {
                    throw StudyError(.invalidContribution, key: "sum", "the round's sum has \(sum.count) coordinates, expected \(length)")
                }
                let total = sum
                switch try algorithm.advance(payload, aggregate: total.map { Int64(bitPattern: $0) }, round: round) {
                case .nextRound(let next):
                    return .nextRound(next)
                case .finished(let model):
                    let release = LearningRelease(rounds: round + 1, model: model)
                    // Every node adds the round's noise, which the spec fixes (the cost each
                    // message carries is the whole study's, without a round's σ²).
                    let variance = try algorithm.roundNoise(for: payload).sigmaSquared.doubleValue
                    let participants = try nodes.compactMap { node -> Result.ParticipantSummary? in
                        guard let m = contributions[node] else { return nil }
                        return try Aggregation.participant(node, m, spec: spec, noiseVariance: variance)
                    }
                    let customers = release.releasedCustomers
                    return .publish(Result(
                        study: try spec.requireID(), lead: lead, spec: spec, cells: [], participants: participants,
                        noiseVariance: participants.reduce(0) { $0 + $1.noiseVariance },
                        simulatedNoise: participants.contains { $0.simulatedNoise },
                        releasedCustomers: customers?.value ?? 0,
                        releasedCustomersStandardError: customers?.standardError ?? 0,
                        startedAt: startedAt, completedAt: completedAt, learning: release))
                }
            } catch let error as StudyError {
                return .fail("round \(round + 1): \(error.message)")
            } catch {
                return .fail("round \(round + 1): \(error)")
            }
        }
    }
}
