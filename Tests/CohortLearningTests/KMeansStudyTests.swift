import CohortAnalytics
import CohortPrivacy
import Testing
@testable import CohortLearning

@Suite struct KMeansStudyTests {
    static let privacy = try! Learning.PrivacyTarget(epsilon: 1, delta: 1e-6)

    static func handMade() throws -> [Learning.Customers] {
        // Two parties; two obvious groups (recent big spenders, lapsed small spenders).
        let a = try Fixtures.customers([
            (2, 30, 500_000, 3000, false, 0), (3, 25, 450_000, 2900, true, 0), (5, 40, 600_000, 3100, false, 1),
            (300, 1, 2_000, 200, true, 2), (350, 2, 3_000, 250, nil, 2),
        ], prefix: "A")
        let b = try Fixtures.customers([
            (4, 35, 520_000, 3050, false, 0), (320, 1, 1_500, 180, true, 2), (280, 2, 2_500, 220, false, 2),
            (6, 28, 480_000, 2800, nil, 1),
        ], prefix: "B")
        return [a, b]
    }

    func configuration(_ k: Int = 2, noiseOff: Bool = true) -> Learning.KMeansStudy.Configuration {
        var c = Learning.KMeansStudy.Configuration(k: k, privacy: Self.privacy)
        c.noiseOff = noiseOff
        c.gridResolution = 4
        c.lloydRounds = 5
        c.parties = 2
        return c
    }

    @Test func gridContributionIsTheHistogramOfGridCellsOfTheEncodedPoints() throws {
        let study = try Learning.KMeansStudy(configuration())
        let customers = try Self.handMade()[0]
        var g = Privacy.SeededGenerator(seed: 1)
        let grid = try study.localContribution(.grid, customers: customers, using: &g)
        let points = study.space.matrix(customers)
        var expected = [Int64](repeating: 0, count: 1024)   // 4^5 cells
        for i in 0..<points.rows {
            var cell = 0
            for j in 0..<5 { cell = cell * 4 + min(Int(((points[i, j] + 0.5) * 4).rounded(.down)), 3) }
            expected[cell] += 1
        }
        #expect(grid == expected)
        #expect(grid.reduce(0, +) == 5)
    }

    @Test func lloydContributionDecodesToTheCentralStepSums() throws {
        let study = try Learning.KMeansStudy(configuration())
        let customers = try Self.handMade()[0]
        let points = study.space.matrix(customers)
        let centroids: [Double] = [0.3, 0.1, 0.2, 0.1, 0.1, -0.3, -0.3, -0.2, -0.3, -0.2]
        var g = Privacy.SeededGenerator(seed: 1)
        let vector = try study.localContribution(.lloyd(iteration: 1, centroids: centroids), customers: customers, using: &g)
        let central = try Analytics.KMeans.stepSums(points: points, centroids: try Analytics.Matrix(rows: 2, cols: 5, storage: centroids))
        let s = Double(Learning.KMeansStudy.scale)
        for c in 0..<2 {
            #expect(Double(vector[c * 6]) / (s / 2) == Double(central.counts[c]))
            for j in 0..<5 {
                #expect(abs(Double(vector[c * 6 + 1 + j]) / s - central.sums[c * 5 + j]) <= Double(central.counts[c]) * 0.5 / s)
            }
        }
    }

    @Test func noiseFreeStudyReachesTheCentralLloydFixedPointAndProfiles() throws {
        let parties = try Self.handMade()
        let union = Learning.Customers.union(parties)
        let study = try Learning.KMeansStudy(configuration())
        let outcome = try Learning.Simulation.run(study, parties: parties, seed: 1, noise: false)
        let result = outcome.result
        #expect(result.converged)
        // Central Lloyd from the released centroids does not move them (a fixed point).
        let points = study.space.matrix(union)
        let model = try Analytics.KMeans.lloyd(points: points, initial: try Analytics.Matrix(rows: 2, cols: 5, storage: result.centroids))
        for (a, b) in zip(model.centroids.storage, result.centroids) { #expect(abs(a - b) < 1e-4) }
        // Profiles against the central computation of the same labels.
        let labels = result.labels(union)
        #expect(labels == model.assignments.map(Int.init))
        for (index, profile) in result.clusters.enumerated() {
            let rows = (0..<union.count).filter { labels[$0] == index }
            #expect(profile.size.value == Double(rows.count))
            #expect(profile.size.standardError == 0)
            let meanRecency = rows.map { Double(union.recencyDays[$0]) }.reduce(0, +) / Double(rows.count)
            #expect(abs(profile.meanRecencyDays!.value - meanRecency) < 0.01)
            let meanMonetary = rows.map { Double(union.monetaryMinor[$0]) / 100 }.reduce(0, +) / Double(rows.count)
            #expect(abs(profile.meanMonetary!.value - meanMonetary) < 1)
            let labelled = rows.compactMap { union.churned[$0] }
            #expect(abs(profile.churnRate!.value - Double(labelled.filter { $0 }.count) / Double(labelled.count)) < 1e-9)
            let meanFrequency = rows.map { Double(union.frequency[$0]) }.reduce(0, +) / Double(rows.count)
            #expect(abs(profile.meanFrequency!.value - meanFrequency) < 0.01)
            for tier in 0..<3 {
                let members = rows.filter { union.valueTier[$0] == UInt8(tier) }.count
                #expect(abs(profile.valueTierShares[tier].value - Double(members) / Double(rows.count)) < 1e-9)
            }
            #expect(abs(profile.share - Double(rows.count) / Double(union.count)) < 1e-12)
            let centroid = Array(result.centroids[(index * 5)..<(index * 5 + 5)])
            for j in 0..<5 {
                #expect(abs(profile.centroid[j] - study.space.featureValue(centroid[j], column: j)) < 1e-12)
            }
        }
        // Cluster 1 is the high spenders and is named so.
        #expect(result.clusters[0].name.hasPrefix("High-value"))
        #expect(result.clusters[0].size.value == 5)
        #expect(abs(result.clusters[0].centroidNatural[0] - Analytics.Math.exp(result.clusters[0].centroid[0]) + 1) < 1e-9)
    }

    @Test func dpStudyWithRealNoiseRecoversPlantedClusters() throws {
        // Three parties of 4 000 customers, noise at ε = 1 per node, fixed seeds.
        let parties = (0..<3).map { Fixtures.clustered(n: 4000, seed: 10 + UInt64($0), prefix: "P\($0)-") }
        var c = configuration(3, noiseOff: false)
        c.parties = 3
        c.gridResolution = 8
        let study = try Learning.KMeansStudy(c)
        let union = Learning.Customers.union(parties.map(\.customers))
        let truth = parties.flatMap(\.truth)
        let central = try Learning.Central.kMeans(union, space: study.space, k: 3, restarts: 10, seed: 1)
        for seed: UInt64 in [1, 2] {
            let result = try Learning.Simulation.run(study, parties: parties.map(\.customers), seed: seed).result
            let ari = try Learning.Central.adjustedRandIndex(result.labels(union), truth)
            let inertia = try Learning.Central.inertia(points: central.points, centroids: result.centroids)
            // Tolerances: the planted clusters are well separated, so the noised fit must find them.
            #expect(ari >= 0.99)
            #expect(inertia <= 1.1 * central.model.inertia)
            // Sizes are noised but close: 4 000 per cluster, SE ≈ noise SD of a count.
            for profile in result.clusters {
                #expect(abs(profile.size.value - 4000) <= 6 * profile.size.standardError + 1)
                #expect(profile.size.standardError > 0)
            }
        }
    }

    @Test func wholeStudyCostIsTheZCDPCompositionOfItsRounds() throws {
        var c = configuration(noiseOff: false)
        c.lloydRounds = 6
        let study = try Learning.KMeansStudy(c)
        let rhos = [study.gridNoise, study.lloydNoise, study.profileNoise].map {
            $0.l2Sensitivity * $0.l2Sensitivity / (2 * $0.sigmaSquared.doubleValue)
        }
        let total = rhos[0] + 6 * rhos[1] + rhos[2]
        let direct = try Privacy.ZCDP.epsilon(rho: total, delta: 1e-6)
        let epsilon = try study.epsilon(delta: 1e-6)
        #expect(abs(epsilon - direct) < 1e-9)
        #expect(epsilon <= 1)
        #expect(epsilon > 0.99)
        // Each round is the discrete Gaussian accountant's cost.
        let lloyd = try Privacy.DiscreteGaussian.cost(sigmaSquared: study.lloydNoise.sigmaSquared, l2Sensitivity: study.lloydNoise.l2Sensitivity)
        #expect(abs(lloyd.rho! - rhos[1]) < 1e-15)
        #expect(abs(study.cost.rho! - total) < 1e-12)
        #expect(study.maximumRounds == 8)
    }

    static let refusals: [(String, @Sendable (inout Learning.KMeansStudy.Configuration) -> Void, LearningError.Code)] = [
        ("k = 1", { $0.k = 1 }, .invalidK),
        ("k = 0", { $0.k = 0 }, .invalidK),
        ("zero Lloyd rounds", { $0.lloydRounds = 0 }, .invalidRounds),
        ("unknown feature", { $0.features = ["log_recency", "shoe_size"] }, .unknownFeature),
        ("bounds for a feature not in the study", { $0.bounds = ["channel_share": try! .init(lower: 0, upper: 1)] }, .unknownFeature),
        ("categorical feature", { $0.features = ["log_recency", "region"] }, .invalidParameter),
        ("ε too small for the rounds", { $0.privacy = try! .init(epsilon: 1e-4, delta: 1e-6); $0.lloydRounds = 100 }, .budgetTooSmallForRounds),
        ("grid too fine", { $0.gridResolution = 64 }, .invalidParameter),
        ("shares sum to 1", { $0.initializationShare = 0.5; $0.profileShare = 0.5 }, .invalidParameter),
        ("no parties", { $0.parties = 0 }, .invalidParameter),
    ]

    @Test(arguments: 0..<KMeansStudyTests.refusals.count)
    func badPlansAreRefusedWithTheirCode(_ index: Int) {
        let (name, change, code) = Self.refusals[index]
        var c = configuration()
        change(&c)
        #expect(throws: LearningError.self, "\(name)") { try Learning.KMeansStudy(c) }
        do { _ = try Learning.KMeansStudy(c) } catch let error as LearningError {
            #expect(error.code == code, "\(name): \(error)")
        } catch { Issue.record("\(name): unexpected \(error)") }
    }

    @Test func badBoundsAndPrivacyParametersAreRefused() {
        #expect(throws: LearningError(.invalidBounds, "clip bounds [2.0, 1.0] must be finite with lower < upper")) {
            try Learning.ClipBounds(lower: 2, upper: 1)
        }
        #expect(throws: LearningError.self) { try Learning.PrivacyTarget(epsilon: 0, delta: 1e-6) }
        #expect(throws: LearningError.self) { try Learning.PrivacyTarget(epsilon: 1, delta: 1) }
        #expect(throws: LearningError.self) { try Learning.PrivacyTarget(epsilon: .nan, delta: 1e-6) }
    }

    @Test func payloadsOfAnotherShapeAreRefused() throws {
        let study = try Learning.KMeansStudy(configuration())
        var g = Privacy.SeededGenerator(seed: 1)
        let customers = try Self.handMade()[0]
        #expect(throws: LearningError.self) {
            try study.localContribution(.lloyd(iteration: 1, centroids: [0, 0]), customers: customers, using: &g)
        }
        #expect(throws: LearningError.self) { try study.advance(.grid, aggregate: [1, 2, 3], round: 0) }
    }

    @Test func codableRoundTripOfPayloadAndResult() throws {
        let parties = try Self.handMade()
        let study = try Learning.KMeansStudy(configuration())
        let result = try Learning.Simulation.run(study, parties: parties, seed: 1, noise: false).result
        let data = try JSONEncoderForTests.encode(result)
        #expect(try JSONEncoderForTests.decode(Learning.KMeansResult.self, data) == result)
        let payload = Learning.KMeansStudy.Payload.lloyd(iteration: 2, centroids: result.centroids)
        #expect(try JSONEncoderForTests.decode(Learning.KMeansStudy.Payload.self, try JSONEncoderForTests.encode(payload)) == payload)
    }
}
