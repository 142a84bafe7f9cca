import CohortCore
import CohortTestSupport
import CohortStudy
import CohortPrivacy
import Foundation
import Testing

@Suite("Study aggregation, suppression and results")
struct StudyAggregationTests {
    /// Three nodes' tier codes and churn flags (deterministic, made up).
    static func table(node: Int, rows: Int) -> (tiers: [UInt16], churn: [Double?]) {
        var random = StudyTestRandom(seed: UInt64(100 + node))
        var tiers: [UInt16] = []
        var churn: [Double?] = []
        for _ in 0..<rows {
            let tier = UInt16(random.next() % 3)
            tiers.append(tier)
            let p = [0.1, 0.25, 0.5][Int(tier)]
            let u = random.uniform()
            churn.append(u < 0.05 ? nil : (random.uniform() < p ? 1 : 0))
        }
        return (tiers, churn)
    }

    static let nodes = ["acme", "globex", "initech"]

    static func messages(
        spec: Study.Spec, rows: [Int], noise: (Int) -> any Study.NoiseSource
    ) throws -> [String: Study.ContributionMessage] {
        let plan = try Study.Calibration.plan(for: spec)
        var out: [String: Study.ContributionMessage] = [:]
        for (i, node) in nodes.enumerated() {
            let t = table(node: i, rows: rows[i])
            let c = try Study.Contribution.compute(
                spec: spec, codes: [t.tiers], measures: spec.kind == .mean ? t.churn : nil)
            var source = noise(i)
            out[node] = try noised(c, plan: plan, source: &source)
        }
        return out
    }

    static func noised(
        _ c: Study.Contribution, plan: Study.NoisePlan, source: inout any Study.NoiseSource
    ) throws -> Study.ContributionMessage {
        try c.noised(study: "s1", round: 0, plan: plan, noise: &source)
    }

    static func churnSpec(minCount: Int = 0) throws -> Study.Spec {
        try StudyFixtures.spec(
            kind: .mean, dimensions: [.valueTier], mean: .init(measure: .churnRate, lower: 0, upper: 1),
            minCount: minCount, participants: ["globex", "initech"], purpose: .benchmarking)
    }

    /// Noise off, plain and securely aggregated (the default with three parties): the release
    /// is exact and states no noise (a simulated secure share once reported the planned σ²).
    @Test(arguments: [Study.SecureAggregationSetting(enabled: false), nil])
    func zeroNoiseHistogramEqualsExactSum(secure: Study.SecureAggregationSetting?) throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier], participants: ["globex", "initech"], secureAggregation: secure)
        let rows = [300, 500, 200]
        let msgs = try Self.messages(spec: spec, rows: rows) { _ in StudyZeroNoise() }
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: msgs, startedAt: StudyFixtures.t0,
            completedAt: StudyFixtures.t0.addingTimeInterval(5))
        var exact = [0.0, 0.0, 0.0]
        for i in 0..<3 { for t in Self.table(node: i, rows: rows[i]).tiers { exact[Int(t)] += 1 } }
        #expect(result.cells.map(\.count) == exact)
        #expect(result.cells.map(\.countStandardError) == [0, 0, 0])
        #expect(result.cells.map(\.labels) == [["high"], ["mid"], ["basic"]])
        #expect(result.participants.map(\.node) == Self.nodes)
        #expect(result.releasedCustomers == Double(rows.reduce(0, +)), "noise off: the released total is exact")
        #expect(result.releasedCustomersStandardError == 0)
        #expect(result.simulatedNoise)
    }

    @Test func zeroNoiseMeanEqualsExactChurnRate() throws {
        let spec = try Self.churnSpec()
        let rows = [300, 500, 200]
        let msgs = try Self.messages(spec: spec, rows: rows) { _ in StudyZeroNoise() }
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: msgs, startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        var sums = [0.0, 0.0, 0.0], counts = [0.0, 0.0, 0.0]
        for i in 0..<3 {
            let t = Self.table(node: i, rows: rows[i])
            for (tier, value) in zip(t.tiers, t.churn) {
                guard let value else { continue }
                sums[Int(tier)] += value
                counts[Int(tier)] += 1
            }
        }
        for c in 0..<3 {
            #expect(result.cells[c].count == counts[c])
            #expect(abs((result.cells[c].mean ?? -1) - sums[c] / counts[c]) < 1e-12)
        }
        #expect(result.releasedCustomers == counts.reduce(0, +))
    }

    @Test func seededNoiseStaysWithinFourSigma() throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier], epsilon: 0.5, participants: ["globex", "initech"])
        let rows = [300, 500, 200]
        let exact = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: Self.messages(spec: spec, rows: rows) { _ in StudyZeroNoise() },
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        let noisy = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme",
            contributions: Self.messages(spec: spec, rows: rows) { StudySeededNoise(seed: UInt64(7 + $0)) },
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        let plan = try Study.Calibration.plan(for: spec)
        let sd = (3 * (plan.sigmaSquared + 1.0 / 12)).squareRoot()
        for (e, n) in zip(exact.cells, noisy.cells) {
            let error = abs((n.count ?? 0) - (e.count ?? 0))
            #expect(error <= 4 * sd, "error \(error) vs 4σ = \(4 * sd)")
            #expect(abs((n.countStandardError ?? 0) - sd) < 1e-9)
        }
        #expect(noisy.cells.map(\.count) != exact.cells.map(\.count))  // noise was actually added
    }

    @Test func wrappingSumDecodesNegativeValues() throws {
        let total = try Study.Aggregation.sum(
            [[UInt64(bitPattern: -7), 5], [3, UInt64(bitPattern: -9)], [UInt64.max, 1]], length: 2)
        #expect(total.map { Int64(bitPattern: $0) } == [-5, -3])
        #expect(throws: StudyError.self) { try Study.Aggregation.sum([[1, 2], [1]], length: 2) }
    }

    @Test func suppressionBelowMinCount() throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier], minCount: 10, participants: ["globex"])
        let plan = try Study.Calibration.plan(for: spec)
        var zero = StudyZeroNoise()
        let lead = try Study.Contribution.compute(spec: spec, codes: [[0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]])
            .noised(study: "s1", round: 0, plan: plan, noise: &zero)
        let peer = try Study.Contribution.compute(spec: spec, codes: [[0, 0, 0, 0, 1, 2]])
            .noised(study: "s1", round: 0, plan: plan, noise: &zero)
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: ["acme": lead, "globex": peer],
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        // high 9 (< 10 suppressed), mid 11, basic 2 (suppressed)
        #expect(result.cells.map(\.suppressed) == [true, false, true])
        #expect(result.cells.map(\.count) == [nil, 11, nil])
        #expect(result.cells[0].countStandardError == nil)
    }

    @Test func meanSuppressedWithItsCount() throws {
        let spec = try StudyFixtures.spec(
            kind: .mean, dimensions: [.valueTier], mean: .init(measure: .nps, lower: 0, upper: 10),
            minCount: 3, participants: ["globex"])
        let plan = try Study.Calibration.plan(for: spec)
        var zero = StudyZeroNoise()
        let a = try Study.Contribution.compute(spec: spec, codes: [[0, 0, 1, 1]], measures: [10, 8, 9, nil])
            .noised(study: "s1", round: 0, plan: plan, noise: &zero)
        let b = try Study.Contribution.compute(spec: spec, codes: [[0, 1]], measures: [6, 7])
            .noised(study: "s1", round: 0, plan: plan, noise: &zero)
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: ["acme": a, "globex": b],
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        #expect(result.cells[0].suppressed == false)
        #expect(result.cells[0].count == 3)
        #expect(abs((result.cells[0].mean ?? 0) - 8) < 1e-3)  // (10 + 8 + 6) / 3, fixed-point rounding ≤ 1e-4
        #expect(result.cells[1].suppressed)  // 2 answers < 3
        #expect(result.cells[1].mean == nil && result.cells[1].count == nil)
        #expect(result.cells[2].suppressed)  // empty cell: count 0
    }

    @Test func mismatchedContributionsAreRefused() throws {
        let spec = try StudyFixtures.spec(dimensions: [.valueTier], participants: ["globex"])
        let plan = try Study.Calibration.plan(for: spec)
        let good = Study.ContributionMessage(study: "s1", round: 0, values: [1, 2, 3], cost: try plan.cost(), simulated: false)
        func with(_ change: (inout Study.ContributionMessage) -> Void) -> Study.ContributionMessage {
            var message = good
            change(&message)
            return message
        }
        let bad: [(String, Study.ContributionMessage)] = [
            ("short", with { $0.values = [1, 2] }),
            ("other study", with { $0.study = "s2" }),
            ("σ² NaN", with { $0.cost.parameters["sigma_squared"] = "nan" }),
            ("σ² missing", with { $0.cost.parameters["sigma_squared"] = nil }),
            ("σ² below the plan", with { $0.cost.parameters["sigma_squared"] = "\(plan.sigmaSquared / 2)" }),
            // A peer's cost is published in the result: nonsense or more than the spec's ε is refused.
            ("negative ρ", with { $0.cost.rho = -1 }),
            ("infinite ρ", with { $0.cost.rho = .infinity }),
            ("ε beyond the spec", with { $0.cost = .zcdp(.discreteGaussian, rho: 3 * plan.rho, parameters: $0.cost.parameters) }),
            ("another mechanism", with { $0.cost = .pure(.discreteLaplace, epsilon: 0.5, parameters: $0.cost.parameters) }),
            ("a learning cost", with { $0.cost.mechanism = .composition }),
            ("an unbounded curve", with {
                $0.cost.rho = nil
                $0.cost.rdp = (try? Privacy.RDP.Curve(values: Privacy.RDP.defaultOrders.map { _ in .infinity })) ?? $0.cost.rdp
            }),
        ]
        for (name, message) in bad {
            do {
                _ = try Study.Aggregation.aggregate(
                    spec: spec, lead: "acme", contributions: ["acme": good, "globex": message],
                    startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
                Issue.record("accepted \(name): \(message)")
            } catch let error as StudyError {
                #expect(error.code == .invalidContribution, "\(name)")
                #expect(error.key == "contributions[globex]", "\(name)")
            }
        }
        // Less than the spec's ε (more noise) is within the study's promise, and shown as such.
        let frugal = with { $0.cost = .zcdp(.discreteGaussian, rho: plan.rho / 4, parameters: ["sigma_squared": "\(4 * plan.sigmaSquared)"]) }
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: ["acme": good, "globex": frugal],
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        let shown = try #require(result.participants.first { $0.node == "globex" })
        let frugalEpsilon = try frugal.cost.epsilon(delta: 1e-6)
        #expect(shown.epsilon < 0.6 && shown.epsilon == frugalEpsilon)
        #expect(shown.rho == plan.rho / 4 && shown.delta == 1e-6 && shown.noiseVariance == 4 * plan.sigmaSquared)
    }

    /// What the result shows per node comes from the ledger's cost: ε at the spec's δ (within
    /// 10⁻⁹ of the spec's ε for histogram and mean), ρ, the σ² the cost states, and the
    /// simulated flag the message carries.
    @Test func participantSummariesAreDerivedFromTheCost() throws {
        let spec = try Self.churnSpec()
        let plan = try Study.Calibration.plan(for: spec)
        let msgs = try Self.messages(spec: spec, rows: [30, 50, 20]) { StudySeededNoise(seed: UInt64($0)) }
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: msgs, startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        for p in result.participants {
            #expect(abs(p.epsilon - spec.privacy.epsilon) < 1e-9 && p.epsilon <= spec.privacy.epsilon * (1 + 1e-12))
            #expect(p.delta == spec.privacy.delta && p.rho == plan.rho)
            #expect(p.noiseVariance == plan.sigmaSquared + 1.0 / 12, "the seeded test source's reported variance")
            #expect(p.simulatedNoise)
        }
        #expect(result.noiseVariance == 3 * (plan.sigmaSquared + 1.0 / 12))
    }

    /// Monte-Carlo check of the standard errors: 4000 repetitions with a fixed seed of three
    /// nodes' noised churn contributions (ε = 1 each). Tolerance: the empirical sd must be within
    /// 8 % of the formula (the sd of a 4000-sample sd estimate is ≈ 1.1 %, the delta method's
    /// bias here is < 0.1 %).
    @Test func standardErrorsMatchMonteCarlo() throws {
        let spec = try Self.churnSpec()
        let plan = try Study.Calibration.plan(for: spec)
        let rows = [3000, 5000, 2000]
        let exact = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: Self.messages(spec: spec, rows: rows) { _ in StudyZeroNoise() },
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
        let contributions = try Self.nodes.indices.map { i -> Study.Contribution in
            let t = Self.table(node: i, rows: rows[i])
            return try Study.Contribution.compute(spec: spec, codes: [t.tiers], measures: t.churn)
        }
        var noise = StudySeededNoise(seed: 2024)
        let trials = 4000
        var means = [[Double]](repeating: [], count: 3)
        var counts = [[Double]](repeating: [], count: 3)
        var reported: Study.Result?
        for _ in 0..<trials {
            var msgs: [String: Study.ContributionMessage] = [:]
            for (i, node) in Self.nodes.enumerated() {
                msgs[node] = try contributions[i].noised(study: "s1", round: 0, plan: plan, noise: &noise)
            }
            let r = try Study.Aggregation.aggregate(
                spec: spec, lead: "acme", contributions: msgs, startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)
            for c in 0..<3 {
                means[c].append(r.cells[c].mean ?? .nan)
                counts[c].append(r.cells[c].count ?? .nan)
            }
            reported = r
        }
        func sd(_ xs: [Double]) -> Double {
            let m = xs.reduce(0, +) / Double(xs.count)
            return (xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1)).squareRoot()
        }
        let last = try #require(reported)
        for c in 0..<3 {
            let countSE = try #require(last.cells[c].countStandardError)
            #expect(abs(sd(counts[c]) / countSE - 1) < 0.08, "count cell \(c): \(sd(counts[c])) vs \(countSE)")
            // The formula evaluated at the exact values (the reported SE varies slightly per trial).
            let q = Double(Study.FixedPoint.resolution)
            let n = try #require(exact.cells[c].count) * q
            let ratio = try #require(exact.cells[c].mean)
            let formula = (last.noiseVariance * (1 + ratio * ratio)).squareRoot() / n
            let meanSE = try #require(last.cells[c].meanStandardError)
            #expect(abs(meanSE / formula - 1) < 0.05)
            #expect(abs(sd(means[c]) / formula - 1) < 0.08, "mean cell \(c): \(sd(means[c])) vs \(formula)")
            #expect(!means[c].contains { $0.isNaN })
        }
    }

    @Test func canonicalJSONIsStableAndRoundTrips() throws {
        let spec = try Self.churnSpec(minCount: 100)
        let msgs = try Self.messages(spec: spec, rows: [300, 500, 200]) { StudySeededNoise(seed: UInt64($0)) }
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: msgs,
            startedAt: Date(timeIntervalSince1970: 1_743_465_600.75), completedAt: Date(timeIntervalSince1970: 1_743_465_660))
        let json = try result.canonicalJSON()
        let again = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: msgs,
            startedAt: Date(timeIntervalSince1970: 1_743_465_600.2), completedAt: Date(timeIntervalSince1970: 1_743_465_660))
        #expect(try again.canonicalJSON() == json)
        let text = String(decoding: json, as: UTF8.self)
        #expect(!text.contains("\n") && !text.contains(": "))
        #expect(text.hasPrefix("{\"cells\":["))
        #expect(text.contains("\"started_at\":\"2025-04-01T00:00:00Z\""))
        #expect(text.contains("\"simulated_noise\":true"))
        let decoded = try Study.Result.decode(json: json)
        #expect(decoded == result)
        #expect(try decoded.canonicalJSON() == json)
        #expect(throws: StudyError.self) { try Study.Result.decode(json: Data("{}".utf8)) }
    }

    @Test func renderers() throws {
        let spec = try StudyFixtures.spec(
            kind: .mean, dimensions: [.valueTier, .region], mean: .init(measure: .churnRate, lower: 0, upper: 1),
            minCount: 50, participants: ["globex"])
        let plan = try Study.Calibration.plan(for: spec)
        var zero = StudyZeroNoise()
        let codes: [[UInt16]] = [[0, 0, 1, 2], [0, 1, 2, 0]]
        let a = try Study.Contribution.compute(spec: spec, codes: codes, measures: [1, 0, 1, 0])
            .noised(study: "s1", round: 0, plan: plan, noise: &zero)
        var big: [[UInt16]] = [[], []]
        var measures: [Double?] = []
        for i in 0..<120 { big[0].append(0); big[1].append(0); measures.append(i % 4 == 0 ? 1 : 0) }
        let b = try Study.Contribution.compute(spec: spec, codes: big, measures: measures)
            .noised(study: "s1", round: 0, plan: plan, noise: &zero)
        let result = try Study.Aggregation.aggregate(
            spec: spec, lead: "acme", contributions: ["acme": a, "globex": b],
            startedAt: StudyFixtures.t0, completedAt: StudyFixtures.t0)

        let csv = result.csv()
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "value_tier,region,count,count_se,mean,mean_se,suppressed")
        #expect(lines[1].hasPrefix("high,north,121.0,0.0,"))
        #expect(lines[1].hasSuffix(",false"))
        #expect(lines[2] == "high,south,,,,,true")
        #expect(lines.count == 1 + 9 + 1)

        let text = result.textTable()
        #expect(text.contains("Study s1 — mean of churn_rate [0.0, 1.0] (fraction)"))
        #expect(text.contains("SIMULATED NOISE"))
        #expect(text.contains("suppressed"))
        #expect(text.contains("0.2562"))  // (1 + 30) / 121
        #expect(try result.prettyJSON().count > (try result.canonicalJSON()).count)
    }
}
