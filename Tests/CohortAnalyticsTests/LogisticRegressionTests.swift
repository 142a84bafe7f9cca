import CohortAnalytics
import Testing

@Suite struct LogisticRegressionTests {
    static func synthetic(n: Int, weights: [Double], intercept: Double, seed: UInt64, scale: [Double]? = nil)
        -> (Analytics.Matrix, [Double]) {
        var g = TestGenerator(seed: seed)
        let d = weights.count
        var x = Analytics.Matrix(rows: n, cols: d)
        var y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var z = intercept
            for j in 0..<d {
                let v = g.normal() * (scale?[j] ?? 1) + (scale == nil ? 0 : 3)
                x[i, j] = v
                z += weights[j] * v
            }
            y[i] = g.uniform() < Analytics.Math.sigmoid(z) ? 1 : 0
        }
        return (x, y)
    }

    @Test(arguments: [true, false])
    func recoversKnownCoefficients(standardize: Bool) throws {
        let truth = [1.5, -2.0, 0.5]
        let (x, y) = Self.synthetic(n: 20_000, weights: truth, intercept: -0.3, seed: 21)
        let model = try Analytics.LogisticRegression.train(features: x, labels: y, l2: 1e-6, standardize: standardize)
        let raw = model.rawCoefficients
        // Standard errors are ≈ 0.03 at n = 20 000; tolerance 0.1.
        for (w, t) in zip(raw.weights, truth) { #expect(abs(w - t) < 0.1) }
        #expect(abs(raw.intercept + 0.3) < 0.1)
        #expect(model.converged)
    }

    @Test func standardizationHandlesBadlyScaledFeatures() throws {
        let truth = [0.002, -0.5]   // feature 0 has sd 1000
        let (x, y) = Self.synthetic(n: 10_000, weights: truth, intercept: 0.2, seed: 22, scale: [1000, 1])
        let model = try Analytics.LogisticRegression.train(features: x, labels: y, l2: 1e-8)
        let raw = model.rawCoefficients
        #expect(abs(raw.weights[0] - 0.002) < 0.0003)
        #expect(abs(raw.weights[1] + 0.5) < 0.1)
        let p = try model.probabilities(x)
        #expect(try Analytics.Metrics.auc(scores: p, labels: y.map { $0 == 1 }) > 0.7)
    }

    /// The summed gradient equals central finite differences of the summed loss.
    @Test func gradientMatchesFiniteDifferences() throws {
        let (x, y) = Self.synthetic(n: 200, weights: [0.7, -0.4, 1.1, 0], intercept: 0.1, seed: 23)
        let w = [0.3, -0.2, 0.5, 0.1], b = -0.05
        let g = try Analytics.LogisticRegression.gradientSum(features: x, labels: y, weights: w, intercept: b)
        func loss(_ w: [Double], _ b: Double) throws -> Double {
            try Analytics.LogisticRegression.gradientSum(features: x, labels: y, weights: w, intercept: b).loss ?? .nan
        }
        let h = 1e-6
        for j in 0..<4 {
            var plus = w, minus = w
            plus[j] += h
            minus[j] -= h
            let numeric = (try loss(plus, b) - loss(minus, b)) / (2 * h)
            #expect(abs(numeric - g.weights[j]) < 1e-5 * max(1, abs(numeric)))
        }
        let numericB = (try loss(w, b + h) - loss(w, b - h)) / (2 * h)
        #expect(abs(numericB - g.intercept) < 1e-5 * max(1, abs(numericB)))
        #expect(g.count == 200)
    }

    @Test func knownGradientAtZero() throws {
        // At w = 0, b = 0 every p = ½: gradient = Σ (½ − y) x, loss = n ln 2.
        let x = try Analytics.Matrix(rowArrays: [[1, 2], [3, -1]])
        let g = try Analytics.LogisticRegression.gradientSum(features: x, labels: [1, 0], weights: [0, 0], intercept: 0)
        #expect(g.weights == [-0.5 + 1.5, -1 - 0.5])
        #expect(g.intercept == 0)
        #expect(abs((g.loss ?? .nan) - 2 * Analytics.Math.log(2)) < 1e-12)
        let withoutLoss = try Analytics.LogisticRegression.gradientSum(features: x, labels: [1, 0], weights: [0, 0], intercept: 0,
                                                                       includeLoss: false)
        #expect(withoutLoss.loss == nil)
        #expect(withoutLoss.weights == g.weights)
    }

    @Test func perExampleClippingBoundsEachContribution() throws {
        let x = try Analytics.Matrix(rowArrays: [[30, 40], [0, 0]])
        // Example 0: r = ½ − 0 = ½, vector (30, 40, 1)·½ has norm ≈ 25.01 ⇒ scaled to norm 1.
        let g = try Analytics.LogisticRegression.gradientSum(features: x, labels: [0, 1], weights: [0, 0], intercept: 0, clipNorm: 1)
        let norm0 = 0.5 * (30.0 * 30 + 40 * 40 + 1).squareRoot()
        #expect(abs(g.weights[0] - 15 / norm0) < 1e-12)
        #expect(abs(g.weights[1] - 20 / norm0) < 1e-12)
        // Example 1 (norm ½) is not clipped: intercept contribution −½.
        #expect(abs(g.intercept - (0.5 / norm0 - 0.5)) < 1e-12)
        #expect(throws: AnalyticsError.self) {
            try Analytics.LogisticRegression.gradientSum(features: x, labels: [0, 1], weights: [0, 0], intercept: 0, clipNorm: 0)
        }
    }

    /// Federated property: gradients of two halves, merged, equal the gradient of the whole.
    @Test func mergedGradientsEqualWholeGradient() throws {
        let (x, y) = Self.synthetic(n: 1000, weights: [1, -1], intercept: 0, seed: 24)
        let w = [0.2, 0.3]
        let whole = try Analytics.LogisticRegression.gradientSum(features: x, labels: y, weights: w, intercept: 0.1)
        let a = try Analytics.LogisticRegression.gradientSum(
            features: x.selectingRows(Array(0..<400)), labels: Array(y[0..<400]), weights: w, intercept: 0.1)
        let b = try Analytics.LogisticRegression.gradientSum(
            features: x.selectingRows(Array(400..<1000)), labels: Array(y[400..<1000]), weights: w, intercept: 0.1)
        let merged = try a.merged(with: b)
        for (u, v) in zip(merged.weights, whole.weights) { #expect(abs(u - v) < 1e-9) }
        #expect(abs(merged.intercept - whole.intercept) < 1e-9)
        #expect(abs((merged.loss ?? .nan) - (whole.loss ?? .nan)) < 1e-9)
        #expect(merged.count == 1000)
    }

    @Test func regularizationShrinksWeights() throws {
        let (x, y) = Self.synthetic(n: 2000, weights: [2, -2], intercept: 0, seed: 25)
        let weak = try Analytics.LogisticRegression.train(features: x, labels: y, l2: 1e-6)
        let strong = try Analytics.LogisticRegression.train(features: x, labels: y, l2: 1)
        let norm = { (m: Analytics.LogisticRegression.Model) in m.weights.reduce(0) { $0 + $1 * $1 } }
        #expect(norm(strong) < norm(weak) / 2)
    }

    @Test func invalidInputIsAnError() throws {
        let x = try Analytics.Matrix(rowArrays: [[1], [2]])
        #expect(throws: AnalyticsError.self) { try Analytics.LogisticRegression.train(features: x, labels: [1]) }
        #expect(throws: AnalyticsError.self) { try Analytics.LogisticRegression.train(features: x, labels: [1, 2]) }
        #expect(throws: AnalyticsError.self) { try Analytics.LogisticRegression.train(features: x, labels: [1, 0], l2: -1) }
        let nan = try Analytics.Matrix(rowArrays: [[1], [.nan]])
        #expect(throws: AnalyticsError.self) { try Analytics.LogisticRegression.train(features: nan, labels: [1, 0]) }
        #expect(throws: AnalyticsError.self) {
            try Analytics.LogisticRegression.gradientSum(features: x, labels: [1, 0], weights: [1, 2], intercept: 0)
        }
    }
}
