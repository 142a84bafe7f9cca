import CohortAnalytics
import Testing

@Suite struct KMeansTests {
    static func blobs(seed: UInt64, perBlob: Int = 100) throws -> (Analytics.Matrix, [Int]) {
        var g = TestGenerator(seed: seed)
        let centres: [[Double]] = [[0, 0], [10, 0], [0, 10]]
        var rows: [[Double]] = [], truth: [Int] = []
        for i in 0..<(3 * perBlob) {
            let c = i % 3
            rows.append([centres[c][0] + 0.5 * g.normal(), centres[c][1] + 0.5 * g.normal()])
            truth.append(c)
        }
        return (try Analytics.Matrix(rowArrays: rows), truth)
    }

    @Test func stepSumsKnownAnswer() throws {
        let points = try Analytics.Matrix(rowArrays: [[0, 0], [1, 0], [10, 0], [11, 0]])
        let centroids = try Analytics.Matrix(rowArrays: [[0, 0], [10, 0]])
        let s = try Analytics.KMeans.stepSums(points: points, centroids: centroids)
        #expect(s.sums == [1, 0, 21, 0])
        #expect(s.counts == [2, 2])
        #expect(s.inertia == 2)
        let next = try s.centroids(previous: centroids)
        #expect(next.storage == [0.5, 0, 10.5, 0])
    }

    @Test func tiesGoToTheLowestCluster() throws {
        let points = try Analytics.Matrix(rowArrays: [[5, 0]])
        let centroids = try Analytics.Matrix(rowArrays: [[0, 0], [10, 0]])
        #expect(try Analytics.KMeans.assign(points: points, centroids: centroids).assignments == [0])
    }

    @Test func emptyClusterKeepsPreviousCentroidInAStep() throws {
        let points = try Analytics.Matrix(rowArrays: [[0, 0], [1, 1], [0, 1]])
        let centroids = try Analytics.Matrix(rowArrays: [[0, 0], [100, 100]])
        let s = try Analytics.KMeans.stepSums(points: points, centroids: centroids)
        #expect(s.counts == [3, 0])
        let next = try s.centroids(previous: centroids)
        #expect(next.row(1) == [100, 100])
    }

    @Test func lloydReseedsEmptyClusters() throws {
        let points = try Analytics.Matrix(rowArrays: [[0, 0], [0.1, 0], [5, 5], [5.1, 5], [9, 0], [9.1, 0]])
        let initial = try Analytics.Matrix(rowArrays: [[0, 0], [100, 100], [200, 200]])
        let model = try Analytics.KMeans.lloyd(points: points, initial: initial)
        #expect(model.sizes.allSatisfy { $0 == 2 })
        #expect(model.converged)
        #expect(abs(model.inertia - 3 * 0.005) < 1e-9)
    }

    /// Federated property: sums over a split of the rows, merged, equal the sums over all rows.
    @Test func mergedStepSumsEqualWholeStep() throws {
        let (points, _) = try Self.blobs(seed: 3)
        let centroids = points.selectingRows([0, 1, 2])
        let whole = try Analytics.KMeans.stepSums(points: points, centroids: centroids)
        let a = try Analytics.KMeans.stepSums(points: points.selectingRows(Array(0..<120)), centroids: centroids)
        let b = try Analytics.KMeans.stepSums(points: points.selectingRows(Array(120..<300)), centroids: centroids)
        let merged = try a.merged(with: b)
        #expect(merged.counts == whole.counts)
        for (x, y) in zip(merged.sums, whole.sums) { #expect(abs(x - y) < 1e-9) }
        #expect(abs(merged.inertia - whole.inertia) < 1e-9)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func recoversSeparatedBlobs(seed: UInt64) throws {
        let (points, truth) = try Self.blobs(seed: seed)
        var g = TestGenerator(seed: seed &+ 100)
        let model = try Analytics.KMeans.fit(points: points, k: 3, restarts: 2, using: &g)
        #expect(try Analytics.Metrics.adjustedRandIndex(truth, model.assignments.map(Int.init)) == 1)
        #expect(model.converged)
        #expect(model.sizes.sorted() == [100, 100, 100])
        // Inertia ≈ n · d · σ² = 300 · 2 · 0.25 = 150 (±25 %).
        #expect(model.inertia > 110 && model.inertia < 190)
        #expect(abs(try Analytics.Metrics.inertia(points: points, centroids: model.centroids) - model.inertia) < 1e-6)
    }

    @Test func plusPlusWithKEqualNPicksEveryDistinctPoint() throws {
        let points = try Analytics.Matrix(rowArrays: [[0, 0], [1, 0], [0, 1], [5, 5], [9, 9]])
        var g = TestGenerator(seed: 9)
        let c = try Analytics.KMeans.plusPlusInitialization(points: points, k: 5, using: &g)
        let chosen = Set((0..<5).map { c.row($0) })
        #expect(chosen == Set((0..<5).map { points.row($0) }))
    }

    @Test func badParametersAreErrors() throws {
        let points = try Analytics.Matrix(rowArrays: [[0, 0], [1, 1]])
        var g = TestGenerator(seed: 1)
        #expect(throws: AnalyticsError.self) { try Analytics.KMeans.fit(points: points, k: 3, using: &g) }
        #expect(throws: AnalyticsError.self) { try Analytics.KMeans.fit(points: points, k: 0, using: &g) }
        #expect(throws: AnalyticsError.self) {
            try Analytics.KMeans.stepSums(points: points, centroids: Analytics.Matrix(rows: 2, cols: 3))
        }
    }

    @Test func calinskiHarabaszPrefersTheTrueK() throws {
        let (points, _) = try Self.blobs(seed: 4)
        let total = Analytics.KMeans.totalSumOfSquares(points: points)
        var g = TestGenerator(seed: 4)
        let scores = try (2...5).map { k -> Double in
            let m = try Analytics.KMeans.fit(points: points, k: k, restarts: 2, using: &g)
            return Analytics.KMeans.calinskiHarabasz(totalSumOfSquares: total, inertia: m.inertia, n: points.rows, k: k) ?? 0
        }
        #expect(scores.firstIndex(of: scores.max() ?? 0) == 1)   // k = 3
    }
}

@Suite struct MatrixTests {
    @Test func constructionAndAccess() throws {
        var m = try Analytics.Matrix(columns: [[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 3 && m.cols == 2)
        #expect(m.storage == [1, 4, 2, 5, 3, 6])
        #expect(m.column(1) == [4, 5, 6])
        m[2, 0] = 9
        #expect(m.row(2) == [9, 6])
        #expect(m.selectingRows([2, 0]).storage == [9, 6, 1, 4])
        #expect(throws: AnalyticsError.self) { try Analytics.Matrix(rows: 2, cols: 2, storage: [1]) }
        #expect(throws: AnalyticsError.self) { try Analytics.Matrix(rowArrays: [[1, 2], [3]]) }
    }

    @Test func standardizer() throws {
        let m = try Analytics.Matrix(columns: [[1, 2, 3, 4], [5, 5, 5, 5]])
        let s = Analytics.Standardizer(fitting: m)
        #expect(s.means == [2.5, 5])
        #expect(abs(s.standardDeviations[0] - 1.25.squareRoot()) < 1e-12)
        #expect(s.standardDeviations[1] == 1)   // constant column
        let z = try s.transformed(m)
        #expect(abs(z.column(0).reduce(0, +)) < 1e-12)
        #expect(z.column(1) == [0, 0, 0, 0])
        #expect(throws: AnalyticsError.self) { try s.transformed(Analytics.Matrix(rows: 1, cols: 3)) }
    }
}
