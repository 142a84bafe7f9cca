import CohortCore
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
        /// Throws `invalidContribution` naming the node if a message does not match the spec.
        public static func aggregate(
            spec: Spec, lead: String, contributions: [String: ContributionMessage],
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
            let total = try sum(nodes.compactMap { contributions[$0]?.values }, length: length)
            let signed = total.map { Int64(bitPattern: $0) }
            let variance = nodes.reduce(0.0) { $0 + (contributions[$1]?.cost.sigmaSquared ?? 0) }
            let cells = releaseCells(spec: spec, sums: signed, variance: variance)
            let participants = nodes.compactMap { node -> Result.ParticipantSummary? in
                guard let m = contributions[node] else { return nil }
                return Result.ParticipantSummary(
                    node: node, epsilon: m.cost.epsilon, delta: m.cost.delta,
                    rho: m.cost.rho, noiseVariance: m.cost.sigmaSquared, simulatedNoise: m.cost.simulated)
            }
            let customers = releasedCustomers(spec: spec, sums: signed, variance: variance)
            return Result(
                study: study, lead: lead, spec: spec, cells: cells, participants: participants,
                noiseVariance: variance, simulatedNoise: participants.contains { $0.simulatedNoise },
                releasedCustomers: customers.count, releasedCustomersStandardError: customers.standardError,
                startedAt: startedAt, completedAt: completedAt)
        }

        /// Checks one message against the spec (study, length, finite non-negative
        /// variance, cost purpose); throws `invalidContribution` naming the node.
        public static func validate(_ message: ContributionMessage, from node: String, spec: Spec, study: String) throws {
            try validateCost(message, from: node, spec: spec, study: study, coordinates: spec.coordinateCount)
        }

        /// Checks one message's study, length (`coordinates`), noise variance and cost (ε, δ,
        /// purpose as the spec's); throws `invalidContribution` naming the node. Every kind's
        /// round uses it; the length comes from the kind (and, for learning kinds, the round).
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
            guard cost.sigmaSquared.isFinite, cost.sigmaSquared >= 0, cost.sigmaSquared < 1e30 else {
                throw StudyError(.invalidContribution, key: key, "noise variance \(cost.sigmaSquared) is not valid")
            }
            do { try cost.validateRanges() } catch let error as StudyError {
                throw StudyError(.invalidContribution, key: key, "\(error.key ?? "cost"): \(error.message)")
            }
            let epsilonTolerance = 1e-9 * max(1, spec.privacy.epsilon)
            guard abs(cost.epsilon - spec.privacy.epsilon) <= epsilonTolerance,
                  abs(cost.delta - spec.privacy.delta) <= 1e-9 * max(spec.privacy.delta, 1e-12) else {
                throw StudyError(
                    .invalidContribution, key: key,
                    "charged ε \(cost.epsilon) and δ \(cost.delta), the study asks for ε \(spec.privacy.epsilon) and δ \(spec.privacy.delta)")
            }
            guard cost.purpose == spec.purpose else {
                throw StudyError(
                    .invalidContribution, key: key,
                    "charged purpose \(cost.purpose.rawValue), the study is \(spec.purpose.rawValue)")
            }
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
