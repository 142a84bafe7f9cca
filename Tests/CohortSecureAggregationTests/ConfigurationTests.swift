import CohortPrivacy
import CohortSecureAggregation
import Testing

@Suite("Configuration, noise plan and message sizes")
struct ConfigurationTests {
    func code(_ body: () throws -> some Any) -> SecureAggregationError.Code? {
        do { _ = try body(); return nil } catch { return (error as? SecureAggregationError)?.code }
    }

    @Test("two parties are refused, saying that masking hides nothing from the lead")
    func twoParties() {
        do {
            _ = try SA.Configuration(study: "s", round: 1, parties: ["a", "b"], threshold: 2, vectorLength: 1, inputBound: 1)
            Issue.record("accepted 2 parties")
        } catch let e as SecureAggregationError {
            #expect(e.code == .tooFewParties)
            #expect(e.message.contains("hides nothing"))
        } catch { Issue.record("\(error)") }
    }

    @Test("threshold outside ⌊n/2⌋ < t ≤ n is refused", arguments: [(3, 1), (4, 2), (5, 2), (5, 6), (10, 5), (3, 0)])
    func thresholdRange(n: Int, t: Int) {
        let names = (0 ..< n).map { "p\($0)" }
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: names, threshold: t, vectorLength: 1, inputBound: 1) } == .thresholdOutOfRange)
    }

    @Test("threshold at both ends of the safe range is accepted", arguments: [(3, 2), (3, 3), (4, 3), (5, 3), (10, 6), (10, 10)])
    func thresholdAccepted(n: Int, t: Int) throws {
        let names = (0 ..< n).map { "p\($0)" }
        let c = try SA.Configuration(study: "s", round: 1, parties: names, threshold: t, vectorLength: 1, inputBound: 1)
        #expect(c.toleratedDropouts == n - t)
        #expect(SA.Configuration.minimumThreshold(parties: n) <= t)
    }

    @Test("fewer parties than t says so")
    func fewerPartiesThanThreshold() {
        do {
            _ = try SA.Configuration(study: "s", round: 1, parties: ["a", "b", "c"], threshold: 4, vectorLength: 1, inputBound: 1)
            Issue.record("accepted")
        } catch let e as SecureAggregationError {
            #expect(e.code == .thresholdOutOfRange)
            #expect(e.message.contains("fewer parties (3) than the threshold"))
        } catch { Issue.record("\(error)") }
    }

    @Test("a bound whose encoded sum can wrap mod 2^64 is refused; the largest safe bound is accepted")
    func wrap() throws {
        let names = ["a", "b", "c"]
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: names, threshold: 2, vectorLength: 1, inputBound: UInt64(Int64.max) / 3 + 1) } == .sumCanWrap)
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: names, threshold: 2, vectorLength: 1, inputBound: .max) } == .sumCanWrap)
        _ = try SA.Configuration(study: "s", round: 1, parties: names, threshold: 2, vectorLength: 1, inputBound: UInt64(Int64.max) / 3)
    }

    @Test("other bad parameters are refused with invalidParameter")
    func otherParameters() {
        let names = ["a", "b", "c"]
        #expect(code { try SA.Configuration(study: "", round: 1, parties: names, threshold: 2, vectorLength: 1, inputBound: 1) } == .invalidParameter)
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: ["a", "b", "a"], threshold: 2, vectorLength: 1, inputBound: 1) } == .invalidParameter)
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: ["a", "", "c"], threshold: 2, vectorLength: 1, inputBound: 1) } == .invalidParameter)
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: names, threshold: 2, vectorLength: 0, inputBound: 1) } == .invalidParameter)
        #expect(code { try SA.Configuration(study: "s", round: 1, parties: names, threshold: 2, vectorLength: 1, inputBound: 0) } == .invalidParameter)
    }

    @Test("inputs outside the bound or of the wrong length are refused; sums outside the bound are not released")
    func inputs() throws {
        let c = try SA.Configuration(study: "s", round: 1, parties: ["a", "b", "c"], threshold: 2, vectorLength: 2, inputBound: 10)
        #expect(code { try c.encode([11, 0]) } == .invalidInput)
        #expect(code { try c.encode([-11, 0]) } == .invalidInput)
        #expect(code { try c.encode([Int64.min, 0]) } == .invalidInput)
        #expect(code { try c.encode([1]) } == .invalidInput)
        #expect(try c.encode([-10, 10]) == [UInt64(bitPattern: -10), 10])
        #expect(try c.decodeSum([UInt64(bitPattern: -30), 30], contributors: 3) == [-30, 30])
        #expect(code { try c.decodeSum([UInt64(bitPattern: -31), 0], contributors: 3) } == .sumOutOfBound)
        #expect(code { try c.decodeSum([21, 0], contributors: 2) } == .sumOutOfBound)
        let v = SA.Ed25519Verifier(keys: [:])
        struct NoSigner: SA.AdvertisementSigner { func signature(for message: [UInt8]) throws -> [UInt8] { [] } }
        #expect(code { try SA.Client(configuration: c, party: "zed", input: [0, 0], signer: NoSigner(), verifier: v) } == .invalidParameter)
        #expect(code { try SA.Client(configuration: c, party: "a", input: [0, 99], signer: NoSigner(), verifier: v) } == .invalidInput)
    }

    @Test("noise plan: each party's share is the accountant's σ²/(n − t); shares below 1/4 and t < 1 are refused")
    func noisePlan() throws {
        let sigma2 = try Privacy.Rational(100)
        let local = try SA.NoisePlan.localSigmaSquared(parties: 5, toleratedDropouts: 2, centralSigmaSquared: sigma2)
        #expect(local == (try Privacy.Rational(100, 3)))
        let plan = try SA.NoisePlan.plan(parties: 10, toleratedDropouts: 4, centralSigmaSquared: sigma2, l2Sensitivity: 2, dimension: 11)
        let reference = try Privacy.DistributedDiscreteGaussian.Plan(parties: 10, dropouts: 4, centralSigmaSquared: sigma2, l2Sensitivity: 2, dimension: 11)
        #expect(plan.localSigmaSquared == reference.localSigmaSquared)
        #expect(plan.cost == reference.cost)
        // σ² = 1 over n − t = 5 summands: local 1/5 < 1/4.
        #expect(code { try SA.NoisePlan.localSigmaSquared(parties: 6, toleratedDropouts: 1, centralSigmaSquared: Privacy.Rational(1)) } == .invalidNoisePlan)
        #expect(code { try SA.NoisePlan.localSigmaSquared(parties: 6, toleratedDropouts: 0, centralSigmaSquared: sigma2) } == .invalidNoisePlan)
        #expect(code { try SA.NoisePlan.localSigmaSquared(parties: 6, toleratedDropouts: 6, centralSigmaSquared: sigma2) } == .invalidNoisePlan)
    }

    @Test("message size estimate: shares and masked input match the real messages' payloads")
    func sizes() throws {
        let s3 = SA.MessageSizes(parties: 3, vectorLength: 11)
        let s10 = SA.MessageSizes(parties: 10, vectorLength: 10_000)
        #expect(s3.stages.map(\.name) == ["advertise keys", "share keys", "masked input", "unmask"])
        #expect(s10.stages[2].sentPerParty >= 80_000 && s10.stages[2].sentPerParty < 80_100)
        #expect(s10.totalPerParty > s10.plainPerParty)
        #expect(SA.MessageSizes(parties: 10, vectorLength: 11).totalPerParty > s3.totalPerParty)
        // The share stage carries (n − 1) boxes of 112 bytes each way: check against a real package.
        var h = try Harness(parties: 4, threshold: 3, seed: 48)
        let rosters = h.stage1()
        let (roster, to) = serverSends(rosters)[0]
        guard case .sharePackage(let p) = sentMessages(h.deliver(roster, to: to))[0] else { Issue.record("no package"); return }
        let boxBytes = p.shares.reduce(0) { $0 + $1.ciphertext.count }
        #expect(boxBytes == 3 * 112)
        #expect(SA.MessageSizes(parties: 4, vectorLength: 4).stages[1].sentPerParty >= boxBytes)
    }
}
