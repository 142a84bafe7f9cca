import CohortAnalytics
import CohortPrivacy
import Testing
@testable import CohortLearning

@Suite struct LogisticRegressionStudyTests {
    static let privacy = try! Learning.PrivacyTarget(epsilon: 1, delta: 1e-6)

    func configuration(noiseOff: Bool = true) -> Learning.LogisticRegressionStudy.Configuration {
        var c = Learning.LogisticRegressionStudy.Configuration(privacy: Self.privacy)
        c.noiseOff = noiseOff
        c.parties = 2
        return c
    }

    static let parties: [Learning.Customers] = (0..<2).map { Fixtures.clustered(n: 1500, seed: 40 + UInt64($0), prefix: "L\($0)-").customers }

    @Test func momentContributionDecodesToTheTrainingRowsSecondMoments() throws {
        let study = try Learning.LogisticRegressionStudy(configuration())
        let customers = Self.parties[0]
        var g = Privacy.SeededGenerator(seed: 1)
        let vector = try study.localContribution(.moments, customers: customers, using: &g)
        let train = study.holdout.split(customers).train
        let x = study.space.matrix(customers, rows: train)
        let p = study.parameterCount
        var t = 0
        for a in 0..<p {
            for b in a..<p {
                var exact = 0.0
                for i in 0..<x.rows { exact += (a < p - 1 ? x[i, a] : 1) * (b < p - 1 ? x[i, b] : 1) }
                let decoded = Double(vector[t]) / Learning.LogisticRegressionStudy.momentScale
                #expect(abs(decoded - exact) <= Double(x.rows) * 0.5 / Learning.LogisticRegressionStudy.momentScale)
                t += 1
            }
        }
        #expect(Double(vector[t - 1]) / Learning.LogisticRegressionStudy.momentScale == Double(train.count))
    }

    @Test(arguments: [0.05, 1.0, 100.0])
    func gradientContributionDecodesToTheCentralClippedGradientSum(_ clip: Double) throws {
        var c = configuration()
        c.clipNorm = clip
        let study = try Learning.LogisticRegressionStudy(c)
        let customers = Self.parties[0]
        let d = study.space.dimension
        let weights = (0..<d).map { Double($0 % 3) * 0.2 - 0.2 }
        var g = Privacy.SeededGenerator(seed: 1)
        let payload = Learning.LogisticRegressionStudy.Payload.gradient(
            step: 1, weights: weights, intercept: -0.5, preconditioner: [Double](repeating: 0, count: (d + 1) * (d + 1)), trainingCount: 1)
        let vector = try study.localContribution(payload, customers: customers, using: &g)
        let train = study.holdout.split(customers).train
        let central = try Analytics.LogisticRegression.gradientSum(
            features: study.space.matrix(customers, rows: train), labels: train.map { customers.churned[$0]! ? 1 : 0 },
            weights: weights, intercept: -0.5, clipNorm: clip)
        let tolerance = Double(train.count) * 0.5 / Learning.LogisticRegressionStudy.gradientScale + 1e-9
        for j in 0..<d { #expect(abs(Double(vector[j]) / Learning.LogisticRegressionStudy.gradientScale - central.weights[j]) <= tolerance) }
        #expect(abs(Double(vector[d]) / Learning.LogisticRegressionStudy.gradientScale - central.intercept) <= tolerance)
    }

    @Test func heldOutCustomersAreNeverTrainedOn() throws {
        let study = try Learning.LogisticRegressionStudy(configuration())
        var customers = Self.parties[0]
        let holdout = study.holdout.split(customers).holdout
        #expect(!holdout.isEmpty)
        var g = Privacy.SeededGenerator(seed: 1)
        let d = study.space.dimension
        let payload = Learning.LogisticRegressionStudy.Payload.gradient(
            step: 1, weights: [Double](repeating: 0.1, count: d), intercept: 0, preconditioner: [Double](repeating: 0, count: (d + 1) * (d + 1)), trainingCount: 1)
        let before = try study.localContribution(payload, customers: customers, using: &g)
        let momentsBefore = try study.localContribution(.moments, customers: customers, using: &g)
        for i in holdout {
            customers.churned[i] = !(customers.churned[i]!)
            customers.recencyDays[i] = 700
        }
        #expect(try study.localContribution(payload, customers: customers, using: &g) == before)
        #expect(try study.localContribution(.moments, customers: customers, using: &g) == momentsBefore)
        // The evaluation round sees exactly the holdout.
        let model = try Learning.LogisticModel(space: study.space, weights: [Double](repeating: 0, count: d), intercept: 0)
        let histogram = try study.localContribution(.evaluate(model: model, steps: 1, converged: false, trainingCount: 1), customers: customers, using: &g)
        #expect(histogram.reduce(0, +) == Int64(holdout.count))
    }

    @Test func noiseFreeTrainingConvergesToTheCentralL2Model() throws {
        var c = configuration()
        c.rounds = 60
        c.tolerance = 1e-7
        c.clipNorm = 4   // > ‖x̃‖ ≤ √10: no clipping, so the fixed point is the central optimum
        let study = try Learning.LogisticRegressionStudy(c)
        let union = Learning.Customers.union(Self.parties)
        let central = try Learning.Central.logisticRegression(union, space: study.space, holdout: study.holdout, l2: c.l2)
        let result = try Learning.Simulation.run(study, parties: Self.parties, seed: 1, noise: false).result
        for (a, b) in zip(result.model.weights, central.weights) { #expect(abs(a - b) < 2e-3) }
        #expect(abs(result.model.intercept - central.intercept) < 2e-3)
        let dp = try Learning.Central.holdoutMetrics(result.model, customers: union, holdout: study.holdout)
        let reference = try Learning.Central.holdoutMetrics(central, customers: union, holdout: study.holdout)
        #expect(abs(dp.auc - reference.auc) < 1e-3)
        #expect(abs(dp.accuracy - reference.accuracy) < 2e-3)
        // The noise-free evaluation is exact for the training count and the holdout size.
        let holdoutRows = study.holdout.split(union).holdout
        #expect(result.trainingCount.value == Double(study.holdout.split(union).train.count))
        #expect(result.evaluation.positives.value + result.evaluation.negatives.value == Double(holdoutRows.count))
        #expect(result.evaluation.auc!.standardError == 0)
    }

    @Test func dpTrainingWithRealNoiseStaysCloseToTheCentralModel() throws {
        // 2 parties × 1 500 customers at ε = 1 per node: tolerance 0.03 AUC (small data, real noise).
        let c = configuration(noiseOff: false)
        let study = try Learning.LogisticRegressionStudy(c)
        let union = Learning.Customers.union(Self.parties)
        let central = try Learning.Central.logisticRegression(union, space: study.space, holdout: study.holdout, l2: c.l2)
        let reference = try Learning.Central.holdoutMetrics(central, customers: union, holdout: study.holdout)
        for seed: UInt64 in [1, 2] {
            let result = try Learning.Simulation.run(study, parties: Self.parties, seed: seed).result
            let dp = try Learning.Central.holdoutMetrics(result.model, customers: union, holdout: study.holdout)
            #expect(abs(dp.auc - reference.auc) < 0.03)
            #expect(result.evaluation.auc!.standardError > 0)
        }
    }

    @Test func fullBatchCostIsTheZCDPCompositionOfItsRounds() throws {
        var c = configuration(noiseOff: false)
        c.rounds = 12
        let study = try Learning.LogisticRegressionStudy(c)
        func rho(_ n: Learning.RoundNoise) -> Double { n.l2Sensitivity * n.l2Sensitivity / (2 * n.sigmaSquared.doubleValue) }
        let total = rho(study.momentNoise) + 12 * rho(study.gradientNoise) + rho(study.evaluationNoise)
        let direct = try Privacy.ZCDP.epsilon(rho: total, delta: 1e-6)
        #expect(abs(try study.epsilon(delta: 1e-6) - direct) < 1e-9)
        #expect(direct <= 1)
        #expect(direct > 0.99)
        #expect(study.maximumRounds == 14)
    }

    @Test func poissonSubsampledCostUsesTheSubsampledGaussianAccountant() throws {
        var c = configuration(noiseOff: false)
        c.samplingRate = 0.1
        c.rounds = 20
        let study = try Learning.LogisticRegressionStudy(c)
        let training = try Privacy.CostEstimate.evaluate(
            .subsampledGaussian(noiseMultiplier: study.gradientNoise.noiseMultiplier, samplingRate: 0.1, steps: 20), delta: 1e-6).cost
        let direct = try Privacy.Cost.composition([try study.momentNoise.cost(), training, try study.evaluationNoise.cost()])
        let epsilon = try study.epsilon(delta: 1e-6)
        #expect(abs(epsilon - (try direct.epsilon(delta: 1e-6))) < 1e-9)
        #expect(epsilon <= 1)
        #expect(epsilon > 0.97)
        #expect(study.cost.rho == nil)
        // Subsampling buys a smaller noise multiplier than full batch with the same rounds.
        c.samplingRate = 1
        let full = try Learning.LogisticRegressionStudy(c)
        #expect(study.gradientNoise.noiseMultiplier < full.gradientNoise.noiseMultiplier)
    }

    @Test func poissonSamplingIncludesEachTrainingCustomerWithProbabilityQ() throws {
        var c = configuration()
        c.samplingRate = 0.25
        c.clipNorm = 100
        let study = try Learning.LogisticRegressionStudy(c)
        var customers = Self.parties[0]
        customers.churned = customers.churned.map { $0.map { _ in false } }
        let d = study.space.dimension
        let payload = Learning.LogisticRegressionStudy.Payload.gradient(
            step: 1, weights: [Double](repeating: 0, count: d), intercept: 0, preconditioner: [Double](repeating: 0, count: (d + 1) * (d + 1)), trainingCount: 1)
        var g = Privacy.SeededGenerator(seed: 9)
        let vector = try study.localContribution(payload, customers: customers, using: &g)
        // At θ = 0 with every label 0 each sampled customer adds 0.5 to the intercept coordinate.
        let sampled = Double(vector[d]) / Learning.LogisticRegressionStudy.gradientScale / 0.5
        let n = Double(study.holdout.split(customers).train.count)
        #expect(abs(sampled - 0.25 * n) <= 5 * (n * 0.25 * 0.75).squareRoot())
        #expect(sampled == sampled.rounded())
    }

    static let refusals: [(String, @Sendable (inout Learning.LogisticRegressionStudy.Configuration) -> Void, LearningError.Code)] = [
        ("C = 0", { $0.clipNorm = 0 }, .invalidClipNorm),
        ("C < 0", { $0.clipNorm = -1 }, .invalidClipNorm),
        ("C NaN", { $0.clipNorm = .nan }, .invalidClipNorm),
        ("zero rounds", { $0.rounds = 0 }, .invalidRounds),
        ("unknown feature", { $0.features = ["log_recency", "favourite_colour"] }, .unknownFeature),
        ("ε too small for the rounds", { $0.privacy = try! .init(epsilon: 1e-3, delta: 1e-6); $0.rounds = 1000 }, .budgetTooSmallForRounds),
        ("ε too small for subsampled rounds", { $0.privacy = try! .init(epsilon: 1e-3, delta: 1e-6); $0.rounds = 1000; $0.samplingRate = 0.5 }, .budgetTooSmallForRounds),
        ("learning rate 0", { $0.learningRate = 0 }, .invalidParameter),
        ("negative λ", { $0.l2 = -1 }, .invalidParameter),
        ("holdout share 0", { $0.holdoutShare = 0 }, .invalidParameter),
        ("holdout share 1", { $0.holdoutShare = 1 }, .invalidParameter),
        ("sampling rate 0", { $0.samplingRate = 0 }, .invalidParameter),
        ("odd evaluation bins", { $0.evaluationBins = 15 }, .invalidParameter),
        ("duplicate feature", { $0.features = ["region", "region"] }, .invalidParameter),
    ]

    @Test(arguments: 0..<LogisticRegressionStudyTests.refusals.count)
    func badPlansAreRefusedWithTheirCode(_ index: Int) {
        let (name, change, code) = Self.refusals[index]
        var c = configuration()
        change(&c)
        do {
            _ = try Learning.LogisticRegressionStudy(c)
            Issue.record("\(name) was accepted")
        } catch let error as LearningError {
            #expect(error.code == code, "\(name): \(error)")
        } catch { Issue.record("\(name): unexpected \(error)") }
    }
}
