import CohortCore
import CohortPrivacy
public import Foundation

extension Study {
    /// Lead-side aggregation: sums the participants' noised vectors and releases per-cell values.
    ///
    /// Let `V = Σᵢ σᵢ²` be the total noise variance per coordinate (each node's reported
    /// variance; the noises are independent), `Q` the fixed-point resolution and `U = upper − lower`.
    /// - Histogram cell: count `N = Σ values`, `SE(N) = √V`.
    /// - Mean cell with encoded sum `S` and count `C`: `count = C/Q`, `SE(count) = √V / Q`;
    ///   `mean = lower + U·S/C` (clamped to `[lower, upper]`) with the delta-method standard error
    ///   `SE(mean) = U · √(V · (1 + (S/C)²)) / C` (first-order Taylor expansion of the ratio S/C
    ///   with independent noise of variance V in S and in C).
    /// - Suppression: a cell whose released count is below `min_count` is suppressed (all values
    ///   nil); a mean cell with `C ≤ 0` is always suppressed.
    public enum Aggregation {
        /// Sums vectors modulo 2^64 (wrapping). All vectors must have `length` coordinates. O(n·length).
        public static func sum(_ vectors: [[UInt64]], length: Int) throws -> [UInt64] {
            var total = [UInt64](repeating: 0, count: length)
            for (index, vector) in vectors.enumerated() {
                guard vector.count == length else {
                    throw StudyError(
                        .invalidContribution, key: "contributions[\(index)]",
                        "has \(vector.count) coordinates, expected \(length)")
                }
                for j in 0..<length { total[j] &+= vector[j] }
            }
            return total
        }

        /// Aggregates all contributions (keyed by node name, the lead included) into a result.
        /// `sum` is their vectors' sum mod 2⁶⁴ when the caller has it (secure aggregation, where
        /// the messages' values are masked); nil sums the messages' values.
        /// Throws `invalidContribution` naming the node if a message does not match the spec.
        public static func aggregate(
            spec: Spec, lead: String, contributions: [String: ContributionMessage], sum given: [UInt64]? = nil,
            startedAt: Date, completedAt: Date
        ) throws -> Result {
            let study = try spec.requireID()
            let length = spec.coordinateCount
            let nodes = contributions.keys.sorted()
            guard !nodes.isEmpty else {
                throw StudyError(.invalidContribution, key: "contributions", "no contributions to aggregate")
            }
            for node in nodes {
                guard let message = contributions[node] else { continue }
                try validate(message, from: node, spec: spec, study: study)
            }
            let total = try given ?? sum(nodes.compactMap { contributions[$0]?.values }, length: length)
            guard total.count == length else {
                throw StudyError(.invalidContribution, key: "sum", "the sum has \(total.count) coordinates, expected \(length)")
            }
            let signed = total.map { Int64(bitPattern: $0) }
            var variance = 0.0
            var participants: [Result.ParticipantSummary] = []
            for node in nodes {
                guard let m = contributions[node] else { continue }
                let nodeVariance = try m.noiseVariance() ?? 0
                variance += nodeVariance
                participants.append(try participant(node, m, spec: spec, noiseVariance: nodeVariance))
            }
            let cells = releaseCells(spec: spec, sums: signed, variance: variance)
            let customers = releasedCustomers(spec: spec, sums: signed, variance: variance)
            return Result(
                study: study, lead: lead, spec: spec, cells: cells, participants: participants,
                noiseVariance: variance, simulatedNoise: participants.contains { $0.simulatedNoise },
                releasedCustomers: customers.count, releasedCustomersStandardError: customers.standardError,
                startedAt: startedAt, completedAt: completedAt)
        }

        /// Checks one message against the spec (study, length, cost); throws
        /// `invalidContribution` naming the node.
        public static func validate(_ message: ContributionMessage, from node: String, spec: Spec, study: String) throws {
            try validateCost(message, from: node, spec: spec, study: study, coordinates: spec.coordinateCount)
        }

        /// Tolerance on a participant's ε against the spec's: relative 10⁻⁹ (the ρ ↔ ε
        /// conversions round), plus 10⁻¹² absolute.
        static func epsilonTolerance(_ epsilon: Double) -> Double { 1e-9 * epsilon + 1e-12 }

        /// Checks one message's study, length (`coordinates`) and cost; throws
        /// `invalidContribution` naming the node. Every kind's round uses it; the length comes
        /// from the kind (and, for learning kinds, the round).
        ///
        /// The cost must pass ``ContributionMessage/validate(cost:)`` (every figure in range),
        /// be one the kind's mechanism incurs (histogram and mean: `discrete-gaussian` with its
        /// `sigma_squared` at least the spec's plan unless the noise is simulated; learning kinds:
        /// `discrete-gaussian`, `subsampled-gaussian` or a `composition`), and its ε at the
        /// spec's δ (``CohortPrivacy/Privacy/Cost/epsilon(delta:)``) must not exceed the spec's ε.
        public static func validateCost(
            _ message: ContributionMessage, from node: String, spec: Spec, study: String, coordinates: Int
        ) throws {
            let key = "contributions[\(node)]"
            guard message.study == study else {
                throw StudyError(.invalidContribution, key: key, "is for study '\(message.study)', expected '\(study)'")
            }
            guard message.values.count == coordinates else {
                throw StudyError(
                    .invalidContribution, key: key,
                    "has \(message.values.count) coordinates, expected \(coordinates)")
            }
            let cost = message.cost
            do { try ContributionMessage.validate(cost: cost) } catch let error as StudyError {
                throw StudyError(.invalidContribution, key: key, "\(error.key ?? "cost_json"): \(error.message)")
            }
            let epsilon = try charged(cost, from: node, spec: spec)
            guard epsilon <= spec.privacy.epsilon + epsilonTolerance(spec.privacy.epsilon) else {
                throw StudyError(
                    .invalidContribution, key: key,
                    "cost_json: charged ε \(epsilon) at δ \(spec.privacy.delta), the study allows ε \(spec.privacy.epsilon)")
            }
            if spec.kind.isLearning {
                guard [.discreteGaussian, .distributedDiscreteGaussian, .subsampledGaussian, .composition].contains(cost.mechanism) else {
                    throw StudyError(
                        .invalidContribution, key: key,
                        "cost_json.mechanism: \(cost.mechanism.rawValue) is not a mechanism of a \(spec.kind.rawValue) study")
                }
                return
            }
            let expected: Privacy.Cost.Mechanism = spec.aggregation == .plain ? .discreteGaussian : .distributedDiscreteGaussian
            guard cost.mechanism == expected else {
                throw StudyError(
                    .invalidContribution, key: key,
                    "cost_json.mechanism: \(cost.mechanism.rawValue), a \(spec.kind.rawValue) study adds \(expected.rawValue) noise")
            }
            guard let variance = try message.noiseVariance() else {
                throw StudyError(.invalidContribution, key: key, "cost_json.parameters.sigma_squared: is missing")
            }
            let planned = try Calibration.plan(for: spec).sigmaSquared
            guard message.simulated || variance >= planned * (1 - 1e-12) else {
                throw StudyError(
                    .invalidContribution, key: key,
                    "cost_json.parameters.sigma_squared: noise variance \(variance) is below the \(planned) the study's ε calls for")
            }
        }

        /// ε of `cost` at the spec's δ; `invalidContribution` naming the node if it has none.
        static func charged(_ cost: Privacy.Cost, from node: String, spec: Spec) throws -> Double {
            do { return try cost.epsilon(delta: spec.privacy.delta) } catch {
                throw StudyError(
                    .invalidContribution, key: "contributions[\(node)]",
                    "cost_json: no ε at δ \(spec.privacy.delta): \(error)")
            }
        }

        /// What `node` spent, as the result shows it: ε at the spec's δ, ρ (0 where only an RDP
        /// curve applies), the noise variance per coordinate and whether it was simulated.
        static func participant(
            _ node: String, _ message: ContributionMessage, spec: Spec, noiseVariance: Double
        ) throws -> Result.ParticipantSummary {
            Result.ParticipantSummary(
                node: node, epsilon: try charged(message.cost, from: node, spec: spec), delta: spec.privacy.delta,
                rho: message.cost.rho ?? 0, noiseVariance: noiseVariance, simulatedNoise: message.simulated)
        }

        /// The released number of customers: the sum of every cell's noised count, suppressed cells
        /// included (post-processing of the noised vector; the noises are independent, so the
        /// variance is cells · V). For `mean`, the counts are the encoded ones divided by `Q`.
        static func releasedCustomers(spec: Spec, sums: [Int64], variance: Double) -> (count: Double, standardError: Double) {
            let cells = spec.layout.cellCount
            let counts: ArraySlice<Int64>
            let scale: Double
            switch spec.kind {
            case .histogram:
                counts = sums.prefix(cells)
                scale = 1
            case .mean:
                counts = sums.dropFirst(cells).prefix(cells)
                scale = Double(FixedPoint.resolution)
            case .kmeans, .logisticRegression, .quantiles, .evaluation:
                return (0, 0)
            }
            let total = counts.reduce(0.0) { $0 + Double($1) }
            return (total / scale, (Double(cells) * variance).squareRoot() / scale)
        }

        /// Per-cell release from the summed signed vector and the total variance V.
        static func releaseCells(spec: Spec, sums: [Int64], variance: Double) -> [Result.Cell] {
            let layout = spec.layout
            let cells = layout.cellCount
            let minCount = Double(spec.privacy.minCount)
            let sd = variance.squareRoot()
            var out: [Result.Cell] = []
            out.reserveCapacity(cells)
            for c in 0..<cells {
                let labels = layout.labels(ofCell: c)
                switch spec.kind {
                case .histogram:
                    let count = Double(sums[c])
                    let suppressed = count < minCount
                    out.append(Result.Cell(
                        labels: labels, count: suppressed ? nil : count,
                        countStandardError: suppressed ? nil : sd, mean: nil, meanStandardError: nil,
                        suppressed: suppressed))
                case .mean:
                    let q = Double(FixedPoint.resolution)
                    let s = Double(sums[c])
                    let encodedCount = Double(sums[cells + c])
                    let count = encodedCount / q
                    let suppressed = encodedCount <= 0 || count < minCount
                    guard !suppressed, let bounds = spec.mean else {
                        out.append(Result.Cell(
                            labels: labels, count: nil, countStandardError: nil, mean: nil,
                            meanStandardError: nil, suppressed: true))
                        continue
                    }
                    let ratio = s / encodedCount
                    let mean = min(max(bounds.lower + bounds.range * ratio, bounds.lower), bounds.upper)
                    let meanSE = bounds.range * (variance * (1 + ratio * ratio)).squareRoot() / encodedCount
                    out.append(Result.Cell(
                        labels: labels, count: count, countStandardError: sd / q, mean: mean,
                        meanStandardError: meanSE, suppressed: false))
                case .kmeans, .logisticRegression, .quantiles, .evaluation:
                    return []
                }
            }
            return out
        }
    }
}
