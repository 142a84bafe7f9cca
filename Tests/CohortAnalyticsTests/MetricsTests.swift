import CohortAnalytics
import Testing

@Suite struct MetricsTests {
    @Test(arguments: [
        // scikit-learn's roc_auc_score example.
        ([0.1, 0.4, 0.35, 0.8], [false, false, true, true], 0.75),
        // tie between a positive and a negative at 0.4 counts ½: (1 + 0 + 2 + 1 + 0.5) / 6.
        ([0.1, 0.4, 0.35, 0.8, 0.4], [false, false, true, true, true], 0.75),
        // all tied ⇒ ½.
        ([0.5, 0.5, 0.5, 0.5], [false, true, false, true], 0.5),
        ([1, 2, 3, 4], [false, false, true, true], 1.0),
        ([4, 3, 2, 1], [false, false, true, true], 0.0),
        // hand: positives {2, 2, 5}, negatives {1, 2, 6}: (1 + .5) + (1 + .5) + (1 + 1) = 5 of 9.
        ([1, 2, 2, 2, 5, 6], [false, false, true, true, true, false], 5.0 / 9),
    ] as [([Double], [Bool], Double)])
    func aucWithTies(scores: [Double], labels: [Bool], expected: Double) throws {
        #expect(abs(try Analytics.Metrics.auc(scores: scores, labels: labels) - expected) < 1e-12)
    }

    @Test func aucNeedsBothClasses() {
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.auc(scores: [1, 2], labels: [true, true]) }
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.auc(scores: [1, .nan], labels: [true, false]) }
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.auc(scores: [1], labels: [true, false]) }
    }

    /// Property: AUC(s) = 1 − AUC(−s), and the histogram AUC equals the exact AUC when every
    /// distinct score has its own bin.
    @Test(arguments: [UInt64(11), 12, 13, 14])
    func aucSymmetryAndHistogramAgreement(seed: UInt64) throws {
        var g = TestGenerator(seed: seed)
        let n = 400
        let scores = (0..<n).map { _ in Double(g.next() % 25) }   // many ties
        let labels = scores.map { s in g.uniform() < 0.2 + s / 40 }
        let auc = try Analytics.Metrics.auc(scores: scores, labels: labels)
        let flipped = try Analytics.Metrics.auc(scores: scores.map { -$0 }, labels: labels)
        #expect(abs(auc + flipped - 1) < 1e-12)
        var positives = [Double](repeating: 0, count: 25), negatives = [Double](repeating: 0, count: 25)
        for (s, y) in zip(scores, labels) {
            if y { positives[Int(s)] += 1 } else { negatives[Int(s)] += 1 }
        }
        #expect(abs(try Analytics.Metrics.auc(positives: positives, negatives: negatives) - auc) < 1e-12)
    }

    @Test func aucFromHistogramKnownAnswer() throws {
        // bin0: 2 neg; bin1: 1 pos, 1 neg; bin2: 2 pos ⇒ (1·(2 + ½) + 2·3) / 9.
        let auc = try Analytics.Metrics.auc(positives: [0, 1, 2], negatives: [2, 1, 0])
        #expect(abs(auc - 8.5 / 9) < 1e-12)
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.auc(positives: [1, 2], negatives: [0, -3]) }
    }

    @Test(arguments: [
        // scikit-learn's log_loss example: −(ln .9 + ln .9 + ln .8 + ln .65) / 4.
        ([0.9, 0.1, 0.2, 0.65], [true, false, false, true], 0.21616187468057912),
        ([0.9, 0.1, 0.6], [true, false, true], 0.24051555169388109),
        ([1.0, 0.0], [false, true], 34.53917619362578),   // clipped to [1e-15, 1 − 1e-15]
    ] as [([Double], [Bool], Double)])
    func logLoss(probabilities: [Double], labels: [Bool], expected: Double) throws {
        #expect(abs(try Analytics.Metrics.logLoss(probabilities: probabilities, labels: labels) - expected) < 1e-9)
    }

    @Test func evaluationHistogramMatchesExactMetrics() throws {
        var g = TestGenerator(seed: 15)
        let labels = (0..<2000).map { _ in g.uniform() < 0.4 }
        // Scores on a 0.1 grid so every distinct score has its own bin of 10.
        let scores = labels.map { y in (Double(Int((y ? 0.3 : 0) * 10 + g.uniform() * 7)) + 0.5) / 10 }
        let h = try Analytics.Metrics.scoreHistogram(scores: scores, labels: labels, bins: 10)
        #expect(h.positives.reduce(0, +) + h.negatives.reduce(0, +) == 2000)
        let auc = try Analytics.Metrics.auc(positives: h.positives.map(Double.init), negatives: h.negatives.map(Double.init))
        #expect(abs(auc - (try Analytics.Metrics.auc(scores: scores, labels: labels))) < 1e-12)
        let accuracy = try Analytics.Metrics.accuracy(positives: h.positives.map(Double.init), negatives: h.negatives.map(Double.init),
                                                      thresholdBin: 5)
        #expect(abs(accuracy - (try Analytics.Metrics.accuracy(probabilities: scores, labels: labels))) < 1e-12)
    }

    @Test func accuracy() throws {
        #expect(try Analytics.Metrics.accuracy(probabilities: [0.9, 0.4, 0.5, 0.1], labels: [true, true, true, false]) == 0.75)
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.accuracy(probabilities: [1.2], labels: [true]) }
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.accuracy(probabilities: [], labels: []) }
    }

    @Test(arguments: [
        // scikit-learn's adjusted_rand_score documentation examples.
        ([0, 0, 1, 1], [0, 0, 1, 1], 1.0),
        ([0, 0, 1, 1], [1, 1, 0, 0], 1.0),
        ([0, 0, 1, 2], [0, 0, 1, 1], 4.0 / 7),
        ([0, 0, 1, 1], [0, 0, 1, 2], 4.0 / 7),
        ([0, 0, 0, 0], [0, 1, 2, 3], 0.0),
        ([0, 0, 1, 1], [0, 1, 0, 1], -0.5),
        ([0, 0, 0], [5, 5, 5], 1.0),
    ] as [([Int], [Int], Double)])
    func adjustedRandIndex(a: [Int], b: [Int], expected: Double) throws {
        #expect(abs(try Analytics.Metrics.adjustedRandIndex(a, b) - expected) < 1e-12)
    }

    @Test func adjustedRandIndexIsInvariantToRenaming() throws {
        var g = TestGenerator(seed: 5)
        let a = (0..<300).map { _ in Int(g.next() % 6) }
        let renamed = a.map { [40, 3, 17, -2, 8, 100][$0] }
        #expect(abs(try Analytics.Metrics.adjustedRandIndex(a, renamed) - 1) < 1e-12)
        let random = (0..<300).map { _ in Int(g.next() % 6) }
        #expect(abs(try Analytics.Metrics.adjustedRandIndex(a, random)) < 0.05)
        #expect(throws: AnalyticsError.self) { try Analytics.Metrics.adjustedRandIndex([1], [1, 2]) }
    }

    @Test func inertiaKnownAnswer() throws {
        let points = try Analytics.Matrix(rowArrays: [[0, 0], [1, 0], [10, 0], [11, 1]])
        let centroids = try Analytics.Matrix(rowArrays: [[0, 0], [10, 0]])
        #expect(try Analytics.Metrics.inertia(points: points, centroids: centroids) == 0 + 1 + 0 + 2)
    }
}
