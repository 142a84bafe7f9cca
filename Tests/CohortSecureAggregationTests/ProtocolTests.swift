import CohortPrivacy
import CohortSecureAggregation
import Testing

/// Random inputs within ±bound for `n` parties, from a fixed seed.
func randomInputs(parties names: [String], length: Int, bound: UInt64, seed: UInt64) -> [String: [Int64]] {
    var rng = Privacy.SeededRandomness(seed: seed)
    var out: [String: [Int64]] = [:]
    for p in names {
        out[p] = (0 ..< length).map { _ in Int64(rng.next() % (2 * bound + 1)) - Int64(bound) }
    }
    return out
}

func plainSum(_ inputs: [String: [Int64]], of parties: [String], length: Int) -> [Int64] {
    var sum = [Int64](repeating: 0, count: length)
    for p in parties { for i in 0 ..< length { sum[i] += inputs[p]![i] } }
    return sum
}

@Suite("Secure aggregation protocol runs")
struct ProtocolTests {
    @Test("noise off: the securely aggregated sum equals the plain sum exactly", arguments: 3 ... 7)
    func exactSum(n: Int) throws {
        let names = (0 ..< n).map { "party-\($0)" }
        let bound: UInt64 = 1 << 40
        let config = try SA.Configuration(study: "exact", round: UInt64(n), parties: names, threshold: SA.Configuration.minimumThreshold(parties: n), vectorLength: 64, inputBound: bound)
        let inputs = randomInputs(parties: names, length: 64, bound: bound, seed: UInt64(100 + n))
        let outcome = try SA.LocalRun.run(configuration: config, inputs: inputs, seed: UInt64(n))
        #expect(outcome.failure == nil)
        #expect(outcome.refusals.isEmpty)
        #expect(outcome.result?.values == plainSum(inputs, of: names, length: 64))
        #expect(outcome.result?.survivors == names)
        #expect(outcome.result?.dropoutsRecovered == [])
    }

    @Test("extreme values: inputs at ±bound with n·bound = 2^63 − 1 decode exactly")
    func extremes() throws {
        let bound = UInt64(Int64.max) / 3
        let names = ["a", "b", "c"]
        let config = try SA.Configuration(study: "edge", round: 1, parties: names, threshold: 2, vectorLength: 2, inputBound: bound)
        let b = Int64(bound)
        let inputs = ["a": [b, -b], "b": [b, -b], "c": [b, -b]]
        let outcome = try SA.LocalRun.run(configuration: config, inputs: inputs, seed: 1)
        #expect(outcome.result?.values == [3 * b, -3 * b])
    }

    static let five = ["p0", "p1", "p2", "p3", "p4"]
    static var pairs: [[String]] {
        var out = [[String]]()
        for i in 0 ..< 5 { for j in i + 1 ..< 5 { out.append([five[i], five[j]]) } }
        return out
    }

    @Test("5 parties, t = 3: any 2 dropping after sharing keys still gives the exact sum of the other 3", arguments: pairs)
    func twoDropouts(dropped: [String]) throws {
        let config = try SA.Configuration(study: "dropouts", round: 1, parties: Self.five, threshold: 3, vectorLength: 11, inputBound: 1 << 20)
        let inputs = randomInputs(parties: Self.five, length: 11, bound: 1 << 20, seed: 77)
        let outcome = try SA.LocalRun.run(configuration: config, inputs: inputs, dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .beforeMaskedInput) }), seed: 5)
        let survivors = Self.five.filter { !dropped.contains($0) }
        #expect(outcome.failure == nil)
        #expect(outcome.refusals.isEmpty)
        #expect(outcome.result?.values == plainSum(inputs, of: survivors, length: 11))
        #expect(outcome.result?.dropoutsRecovered == dropped)
        #expect(outcome.result?.survivors == survivors)
    }

    @Test("5 parties, t = 3: 3 dropping after sharing keys fails with a clear reason and releases nothing")
    func threeDropouts() throws {
        let config = try SA.Configuration(study: "dropouts", round: 1, parties: Self.five, threshold: 3, vectorLength: 11, inputBound: 1 << 20)
        let inputs = randomInputs(parties: Self.five, length: 11, bound: 1 << 20, seed: 78)
        for dropped in [["p0", "p1", "p2"], ["p2", "p3", "p4"], ["p0", "p2", "p4"]] {
            let outcome = try SA.LocalRun.run(configuration: config, inputs: inputs, dropouts: Dictionary(uniqueKeysWithValues: dropped.map { ($0, .beforeMaskedInput) }), seed: 6)
            #expect(outcome.result == nil)
            #expect(outcome.failure?.code == .tooFewSurvivors)
            #expect(outcome.failure?.message.contains("only 2 of 5 parties sent masked inputs") == true)
            #expect(outcome.failure?.message.contains("nothing released") == true)
        }
    }

    @Test("dropouts at each stage: 2 of 5 leave the sum of those included exact; 3 of 5 release nothing", arguments: SA.LocalRun.DropPoint.allCases)
    func dropoutAtEachStage(point: SA.LocalRun.DropPoint) throws {
        let config = try SA.Configuration(study: "stages", round: 2, parties: Self.five, threshold: 3, vectorLength: 5, inputBound: 1000)
        let inputs = randomInputs(parties: Self.five, length: 5, bound: 1000, seed: 79)
        let two = try SA.LocalRun.run(configuration: config, inputs: inputs, dropouts: ["p1": point, "p3": point], seed: 7)
        // Parties that stop before unmasking have already contributed their masked input.
        let included = point == .beforeUnmasking ? Self.five : ["p0", "p2", "p4"]
        #expect(two.failure == nil)
        #expect(two.result?.values == plainSum(inputs, of: included, length: 5))
        #expect(two.result?.dropoutsRecovered == (point == .beforeMaskedInput ? ["p1", "p3"] : []))
        let three = try SA.LocalRun.run(configuration: config, inputs: inputs, dropouts: ["p1": point, "p3": point, "p4": point], seed: 8)
        #expect(three.result == nil)
        #expect(three.failure?.code == .tooFewSurvivors)
    }

    @Test("a dropout mixed across stages: one never advertises, one drops after sharing")
    func mixedDropouts() throws {
        let names = (0 ..< 7).map { "n\($0)" }
        let config = try SA.Configuration(study: "mixed", round: 9, parties: names, threshold: 4, vectorLength: 20, inputBound: 1 << 30)
        let inputs = randomInputs(parties: names, length: 20, bound: 1 << 30, seed: 80)
        let outcome = try SA.LocalRun.run(configuration: config, inputs: inputs, dropouts: ["n0": .beforeAdvertising, "n3": .beforeSharing, "n5": .beforeMaskedInput], seed: 9)
        #expect(outcome.result?.values == plainSum(inputs, of: ["n1", "n2", "n4", "n6"], length: 20))
        #expect(outcome.result?.excluded == ["n0", "n3"])
        #expect(outcome.result?.dropoutsRecovered == ["n5"])
    }

    @Test("distributed noise on: the released sum is the plain sum plus exactly the parties' noise shares")
    func withNoise() throws {
        let names = ["a", "b", "c", "d"]
        let plan = try SA.NoisePlan.plan(parties: 4, toleratedDropouts: 1, centralSigmaSquared: Privacy.Rational(300), l2Sensitivity: 1, dimension: 6)
        let config = try SA.Configuration(study: "noisy", round: 1, parties: names, threshold: 3, vectorLength: 6, inputBound: 1 << 40)
        let clean = randomInputs(parties: names, length: 6, bound: 1000, seed: 81)
        var noisy: [String: [Int64]] = [:]
        var expected = [Int64](repeating: 0, count: 6)
        for (k, p) in names.enumerated() {
            var rng = Privacy.SeededRandomness(seed: UInt64(500 + k))
            let shared = try plan.addShare(to: clean[p]!.map { UInt64(bitPattern: $0) }, using: &rng)
            noisy[p] = shared.values.map { Int64(bitPattern: $0) }
            for i in 0 ..< 6 { expected[i] += noisy[p]![i] }
        }
        #expect(noisy != clean)
        let outcome = try SA.LocalRun.run(configuration: config, inputs: noisy, seed: 10)
        #expect(outcome.result?.values == expected)
    }

    @Test("the in-memory run counts messages: 4 stages, n messages each way (+ n unmask requests)")
    func messageCount() throws {
        let names = ["a", "b", "c"]
        let config = try SA.Configuration(study: "count", round: 1, parties: names, threshold: 2, vectorLength: 3, inputBound: 10)
        let outcome = try SA.LocalRun.run(configuration: config, inputs: ["a": [1, 2, 3], "b": [4, 5, 6], "c": [7, 8, 9]], seed: 11)
        // 3 ads, 3 rosters, 3 packages, 3 deliveries, 3 masked inputs, 3 requests, then the lead
        // releases at the t = 2nd unmask response.
        #expect(outcome.messages == 20)
        #expect(outcome.maskedWords == 9)
        #expect(outcome.result?.values == [12, 15, 18])
    }
}
