extension Analytics {
    /// L2-regularized logistic regression with optional standardization.
    ///
    /// Objective for `n` examples `(xᵢ, yᵢ)`, yᵢ ∈ [0, 1], weights `w`, intercept `b`:
    /// `J(w, b) = (1/n) Σ [ln(1 + e^{zᵢ}) − yᵢ zᵢ] + (λ/2)‖w‖²`, `zᵢ = w·xᵢ + b` (the intercept is not
    /// penalized). ``gradientSum(features:labels:weights:intercept:clipNorm:)`` returns the *summed*,
    /// unregularized gradient of a batch — what a federated study adds up across nodes before
    /// dividing by the total count and adding `λw`. ``train(features:labels:l2:standardize:maxIterations:tolerance:)``
    /// minimizes `J` by damped Newton steps (fine for the small `d` of customer models).
    public enum LogisticRegression {
        /// The summed gradient of the log-loss over a batch.
        public struct Gradient: Sendable, Equatable, Codable {
            /// Σᵢ gᵢ for the weights (after per-example clipping, if requested).
            public var weights: [Double]
            /// Σᵢ gᵢ for the intercept.
            public var intercept: Double
            /// Σᵢ log-loss (nats), unclipped; `nil` when not requested.
            public var loss: Double?
            /// Number of examples summed.
            public var count: Int

            /// Creates a gradient from (e.g. aggregated) sums.
            public init(weights: [Double], intercept: Double, loss: Double?, count: Int) {
                self.weights = weights
                self.intercept = intercept
                self.loss = loss
                self.count = count
            }

            /// Adds another batch's gradient. Throws on width mismatch.
            public func merged(with other: Gradient) throws -> Gradient {
                guard other.weights.count == weights.count else {
                    throw AnalyticsError(.dimensionMismatch, "LogisticRegression.Gradient.merged: \(weights.count) vs \(other.weights.count) weights")
                }
                return Gradient(weights: zip(weights, other.weights).map { $0 + $1 }, intercept: intercept + other.intercept,
                                loss: loss.flatMap { a in other.loss.map { a + $0 } }, count: count + other.count)
            }
        }

        /// A trained model. Weights apply to standardized features when ``standardizer`` is set;
        /// ``probabilities(_:)`` takes raw features and standardizes them itself.
        public struct Model: Sendable, Equatable, Codable {
            /// Weights (on the standardized scale if ``standardizer`` is set).
            public var weights: [Double]
            /// Intercept.
            public var intercept: Double
            /// Standardization applied to raw features before the linear predictor.
            public var standardizer: Standardizer?
            /// L2 strength λ used in training.
            public var l2: Double
            /// Newton iterations run.
            public var iterations: Int
            /// Whether the step size fell below the tolerance.
            public var converged: Bool
            /// Final objective value J (`nil` for a model built from known parameters).
            public var objective: Double?

            /// Creates a model from known parameters.
            public init(weights: [Double], intercept: Double, standardizer: Standardizer? = nil, l2: Double = 0,
                        iterations: Int = 0, converged: Bool = true, objective: Double? = nil) {
                self.weights = weights
                self.intercept = intercept
                self.standardizer = standardizer
                self.l2 = l2
                self.iterations = iterations
                self.converged = converged
                self.objective = objective
            }

            private enum CodingKeys: String, CodingKey {
                case weights, intercept, standardizer, l2, iterations, converged, objective
            }

            /// Decodes and validates that the standardizer (if any) matches the weights.
            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                let weights = try c.decode([Double].self, forKey: .weights)
                let standardizer = try c.decodeIfPresent(Standardizer.self, forKey: .standardizer)
                if let s = standardizer, s.means.count != weights.count {
                    throw AnalyticsError(.dimensionMismatch,
                                         "LogisticRegression.Model: \(weights.count) weights but a standardizer for \(s.means.count) features")
                }
                self.init(weights: weights, intercept: try c.decode(Double.self, forKey: .intercept), standardizer: standardizer,
                          l2: try c.decode(Double.self, forKey: .l2), iterations: try c.decode(Int.self, forKey: .iterations),
                          converged: try c.decode(Bool.self, forKey: .converged),
                          objective: try c.decodeIfPresent(Double.self, forKey: .objective))
            }

            /// Weights and intercept on the raw feature scale: `wⱼ / sⱼ` and `b − Σ wⱼ μⱼ / sⱼ`.
            public var rawCoefficients: (weights: [Double], intercept: Double) {
                guard let s = standardizer, s.means.count == weights.count else { return (weights, intercept) }
                var w = weights
                var b = intercept
                for j in w.indices {
                    w[j] = weights[j] / s.standardDeviations[j]
                    b -= w[j] * s.means[j]
                }
                return (w, b)
            }

            /// Predicted probabilities P(y = 1) for raw feature rows. O(n · d).
            public func probabilities(_ features: Matrix) throws -> [Double] {
                guard features.cols == weights.count else {
                    throw AnalyticsError(.dimensionMismatch, "LogisticRegression.Model: \(features.cols) features, model has \(weights.count)")
                }
                let raw = rawCoefficients
                let d = features.cols
                return features.withUnsafeElements { x in
                    (0..<features.rows).map { i in
                        var z = raw.intercept
                        for j in 0..<d { z += raw.weights[j] * x[i * d + j] }
                        return Math.sigmoid(z)
                    }
                }
            }
        }

        /// The decision threshold that maximizes accuracy on the given (training) rows: predict
        /// positive when `probability ≥ threshold`. Candidates are the distinct probabilities and
        /// one value above them all (predict negative for everyone, the majority-class rule when
        /// negatives are the majority); among equally accurate thresholds the one closest to 0.5
        /// wins. Choose it on the training split and report accuracy on the holdout at it.
        /// O(n log n).
        /// - Throws: `dimensionMismatch` for unequal lengths, `insufficientData` for no rows,
        ///   `invalidValue` for a probability outside [0, 1] or NaN.
        public static func accuracyMaximizingThreshold(probabilities: [Double], labels: [Bool]) throws -> Double {
            guard probabilities.count == labels.count else {
                throw AnalyticsError(.dimensionMismatch, "accuracyMaximizingThreshold: \(probabilities.count) probabilities, \(labels.count) labels")
            }
            guard !labels.isEmpty else { throw AnalyticsError(.insufficientData, "accuracyMaximizingThreshold: no rows") }
            for (i, p) in probabilities.enumerated() where !(p >= 0 && p <= 1) {
                throw AnalyticsError(.invalidValue, "accuracyMaximizingThreshold: probability \(p) at row \(i) is not in [0, 1]")
            }
            let order = probabilities.indices.sorted { probabilities[$0] < probabilities[$1] }
            // Threshold at the k-th smallest distinct value: rows below are negative predictions.
            var correct = labels.filter { $0 }.count   // threshold at the smallest value: all positive
            var best = (correct: correct, threshold: probabilities[order[0]])
            var k = 0
            while k < order.count {
                let value = probabilities[order[k]]
                if k > 0 {
                    let better = correct > best.correct
                        || (correct == best.correct && abs(value - 0.5) < abs(best.threshold - 0.5))
                    if better { best = (correct, value) }
                }
                while k < order.count && probabilities[order[k]] == value {
                    correct += labels[order[k]] ? -1 : 1
                    k += 1
                }
            }
            let above = (probabilities[order[order.count - 1]]).nextUp
            if correct > best.correct || (correct == best.correct && abs(above - 0.5) < abs(best.threshold - 0.5)) {
                best = (correct, above)
            }
            return best.threshold
        }

        /// Summed log-loss gradient over the batch (no regularization, no averaging), parallel over
        /// rows. With `clipNorm = C`, each example's gradient vector (weights and intercept) is
        /// scaled to L2 norm at most C first (DP-SGD per-example clipping). `includeLoss: false`
        /// skips the summed loss (one `log1p` per row) when only the gradient is needed. O(n · d).
        public static func gradientSum(
            features: Matrix, labels: [Double], weights: [Double], intercept: Double, clipNorm: Double? = nil,
            includeLoss: Bool = true
        ) throws -> Gradient {
            try validate(features: features, labels: labels)
            guard weights.count == features.cols else {
                throw AnalyticsError(.dimensionMismatch, "LogisticRegression: \(weights.count) weights for \(features.cols) features")
            }
            if let c = clipNorm, !(c > 0 && c.isFinite) {
                throw AnalyticsError(.invalidParameter, "LogisticRegression: clipNorm \(c) must be > 0")
            }
            let d = features.cols
            let clip = clipNorm ?? .infinity
            let partials = features.withUnsafeElements { x in
                labels.withUnsafeBufferPointer { y in
                    weights.withUnsafeBufferPointer { w in
                        ParallelChunks.map(count: features.rows, minimumChunk: 16_384) { range -> Gradient in
                            var g = [Double](repeating: 0, count: d)
                            var gb = 0.0, loss = 0.0
                            g.withUnsafeMutableBufferPointer { gw in
                                guard let gp = gw.baseAddress, let xb = x.baseAddress, let wp = w.baseAddress else { return }
                                for i in range {
                                    let row = xb + i * d
                                    let z = intercept + VectorKernels.dot(wp, row, d)
                                    // One exponential serves both the loss and the probability.
                                    let e = Math.exp(-abs(z))
                                    if includeLoss { loss += max(z, 0) + Math.log1p(e) - y[i] * z }
                                    var r = (z >= 0 ? 1 / (1 + e) : e / (1 + e)) - y[i]
                                    if clip.isFinite {
                                        let norm = abs(r) * (1 + VectorKernels.dot(row, row, d)).squareRoot()
                                        if norm > clip { r *= clip / norm }
                                    }
                                    VectorKernels.axpy(r, row, gp, d)
                                    gb += r
                                }
                            }
                            return Gradient(weights: g, intercept: gb, loss: includeLoss ? loss : nil, count: range.count)
                        }
                    }
                }
            }
            var total = Gradient(weights: [Double](repeating: 0, count: d), intercept: 0, loss: includeLoss ? 0 : nil, count: 0)
            for p in partials {
                for j in 0..<d { total.weights[j] += p.weights[j] }
                total.intercept += p.intercept
                if let l = p.loss { total.loss = (total.loss ?? 0) + l }
                total.count += p.count
            }
            return total
        }

        /// The regularized objective J(w, b) (see the type documentation). O(n · d).
        public static func objective(features: Matrix, labels: [Double], weights: [Double], intercept: Double, l2: Double) throws -> Double {
            let g = try gradientSum(features: features, labels: labels, weights: weights, intercept: intercept)
            return (g.loss ?? 0) / Double(max(g.count, 1)) + l2 / 2 * weights.reduce(0) { $0 + $1 * $1 }
        }

        /// Trains by damped Newton iterations (halving the step while J increases) until the
        /// largest parameter change is below `tolerance` or `maxIterations` is reached. With
        /// `standardize`, features are standardized first (weights are then on that scale, see
        /// ``Model/rawCoefficients``). O(iterations · n · d²). Throws on empty input, labels outside
        /// [0, 1], non-finite features or a negative λ.
        public static func train(
            features: Matrix, labels: [Double], l2: Double = 1e-4, standardize: Bool = true,
            maxIterations: Int = 50, tolerance: Double = 1e-8
        ) throws -> Model {
            try validate(features: features, labels: labels)
            guard features.rows > 0 else {
                throw AnalyticsError(.insufficientData, "LogisticRegression.train: no examples")
            }
            guard l2 >= 0, l2.isFinite else {
                throw AnalyticsError(.invalidParameter, "LogisticRegression.train: l2 \(l2) must be ≥ 0")
            }
            guard maxIterations >= 1 else {
                throw AnalyticsError(.invalidParameter, "LogisticRegression.train: maxIterations must be ≥ 1")
            }
            if let bad = features.storage.firstIndex(where: { !$0.isFinite }) {
                throw AnalyticsError(.invalidValue, "LogisticRegression.train: feature at row \(bad / max(features.cols, 1)), column \(bad % max(features.cols, 1)) is not finite")
            }
            let standardizer = standardize ? Standardizer(fitting: features) : nil
            let x = try standardizer?.transformed(features) ?? features
            let d = x.cols, p = d + 1
            let n = Double(x.rows)
            var w = [Double](repeating: 0, count: d)
            let meanY = labels.reduce(0, +) / n
            let clampedMean = min(max(meanY, 1e-6), 1 - 1e-6)
            var b = Math.log(clampedMean / (1 - clampedMean))
            var objective = try self.objective(features: x, labels: labels, weights: w, intercept: b, l2: l2)
            var iterations = 0
            var converged = false
            while iterations < maxIterations {
                iterations += 1
                let (gradient, hessian) = newtonTerms(x: x, labels: labels, weights: w, intercept: b)
                // Full gradient and Hessian of J (parameters ordered w₀…w_{d−1}, b).
                var g = [Double](repeating: 0, count: p)
                var h = [Double](repeating: 0, count: p * p)
                for a in 0..<p {
                    g[a] = gradient[a] / n + (a < d ? l2 * w[a] : 0)
                    for c in 0..<p { h[a * p + c] = hessian[a * p + c] / n }
                    h[a * p + a] += (a < d ? l2 : 0) + 1e-10
                }
                let step = choleskySolve(h, g, size: p)
                var scale = 1.0
                var accepted = false
                var candidateW = w, candidateB = b, candidateObjective = objective
                for _ in 0..<30 {
                    for j in 0..<d { candidateW[j] = w[j] - scale * step[j] }
                    candidateB = b - scale * step[d]
                    candidateObjective = try self.objective(features: x, labels: labels, weights: candidateW,
                                                            intercept: candidateB, l2: l2)
                    if candidateObjective <= objective + 1e-12 { accepted = true; break }
                    scale /= 2
                }
                let change = step.reduce(0) { max($0, abs($1)) } * scale
                if accepted {
                    w = candidateW
                    b = candidateB
                    objective = candidateObjective
                }
                if !accepted || change < tolerance { converged = true; break }
            }
            return Model(weights: w, intercept: b, standardizer: standardizer, l2: l2, iterations: iterations,
                         converged: converged, objective: objective)
        }

        static func validate(features: Matrix, labels: [Double]) throws {
            guard features.cols >= 1 else {
                throw AnalyticsError(.invalidParameter, "LogisticRegression: need at least one feature column")
            }
            guard labels.count == features.rows else {
                throw AnalyticsError(.dimensionMismatch, "LogisticRegression: \(labels.count) labels for \(features.rows) rows")
            }
            if let bad = labels.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw AnalyticsError(.invalidValue, "LogisticRegression: label at row \(bad) is \(labels[bad]), must be in [0, 1]")
            }
        }

        /// Summed gradient (length d+1) and Hessian ((d+1)², row-major) of the unregularized loss.
        static func newtonTerms(x: Matrix, labels: [Double], weights: [Double], intercept: Double) -> ([Double], [Double]) {
            let d = x.cols, p = d + 1
            let partials = x.withUnsafeElements { xs in
                labels.withUnsafeBufferPointer { y in
                    weights.withUnsafeBufferPointer { w in
                        ParallelChunks.map(count: x.rows, minimumChunk: 16_384) { range -> ([Double], [Double]) in
                            var g = [Double](repeating: 0, count: p)
                            var h = [Double](repeating: 0, count: p * p)
                            var v = [Double](repeating: 1, count: p)
                            for i in range {
                                let row = i * d
                                var z = intercept
                                for j in 0..<d {
                                    v[j] = xs[row + j]
                                    z += w[j] * v[j]
                                }
                                let prob = Math.sigmoid(z)
                                let r = prob - y[i], s = prob * (1 - prob)
                                for a in 0..<p {
                                    g[a] += r * v[a]
                                    let sa = s * v[a]
                                    for c in a..<p { h[a * p + c] += sa * v[c] }
                                }
                            }
                            return (g, h)
                        }
                    }
                }
            }
            var g = [Double](repeating: 0, count: p)
            var h = [Double](repeating: 0, count: p * p)
            for (pg, ph) in partials {
                for a in 0..<p { g[a] += pg[a] }
                for t in 0..<(p * p) { h[t] += ph[t] }
            }
            for a in 0..<p { for c in 0..<a { h[a * p + c] = h[c * p + a] } }
            return (g, h)
        }

        /// Solves `A x = b` for a symmetric positive-definite `A` (size × size, row-major) by
        /// Cholesky decomposition; pivots that are not positive are floored at 1e-12.
        static func choleskySolve(_ a: [Double], _ b: [Double], size p: Int) -> [Double] {
            var l = [Double](repeating: 0, count: p * p)
            for i in 0..<p {
                for j in 0...i {
                    var s = a[i * p + j]
                    for k in 0..<j { s -= l[i * p + k] * l[j * p + k] }
                    if i == j {
                        l[i * p + i] = max(s, 1e-12).squareRoot()
                    } else {
                        l[i * p + j] = s / l[j * p + j]
                    }
                }
            }
            var y = [Double](repeating: 0, count: p)
            for i in 0..<p {
                var s = b[i]
                for k in 0..<i { s -= l[i * p + k] * y[k] }
                y[i] = s / l[i * p + i]
            }
            var x = [Double](repeating: 0, count: p)
            for i in stride(from: p - 1, through: 0, by: -1) {
                var s = y[i]
                for k in (i + 1)..<p { s -= l[k * p + i] * x[k] }
                x[i] = s / l[i * p + i]
            }
            return x
        }
    }
}
