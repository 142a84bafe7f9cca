import CohortPrivacy
import CohortSecureAggregation
import Crypto
import Testing

@Suite("Mask properties")
struct MaskPropertyTests {
    @Test("pairwise masks (+ for the smaller name, − for the larger) cancel for random n, lengths and seeds", arguments: 0 ..< 12)
    func masksCancel(trial: Int) throws {
        var rng = Privacy.SeededRandomness(seed: UInt64(1000 + trial))
        let n = 3 + Int(rng.next() % 8)               // 3…10
        let length = 1 + Int(rng.next() % 300)        // 1…300
        let names = (0 ..< n).map { "p\(rng.next() % 1_000_000)-\($0)" }
        var privateKeys: [String: SA.Seed] = [:]
        var publicKeys: [String: [UInt8]] = [:]
        for p in names {
            let sk = SA.Seed.random(using: &rng)
            privateKeys[p] = sk
            publicKeys[p] = Array(try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: sk.bytes).publicKey.rawRepresentation)
        }
        var total = [UInt64](repeating: 0, count: length)
        var nonZero = false
        for u in names {
            var mine = [UInt64](repeating: 0, count: length)
            for v in names where v != u {
                let seed = try SA.KeyAgreement.pairwiseSeed(privateKey: privateKeys[u]!, peerPublicKey: publicKeys[v]!, study: "prop", round: UInt64(trial), party: u, peer: v)
                try SA.MaskGenerator.apply(seed, domain: .pairwise, sign: u < v ? .add : .subtract, to: &mine)
            }
            nonZero = nonZero || mine.contains { $0 != 0 }
            for i in 0 ..< length { total[i] &+= mine[i] }
        }
        #expect(nonZero)
        #expect(total == [UInt64](repeating: 0, count: length))
    }

    @Test("full protocol with random n (3–10), t, lengths and seeds releases the exact sum", arguments: 0 ..< 6)
    func randomProtocol(trial: Int) throws {
        var rng = Privacy.SeededRandomness(seed: UInt64(2000 + trial))
        let n = 3 + Int(rng.next() % 8)
        let t = SA.Configuration.minimumThreshold(parties: n) + Int(rng.next() % UInt64(n - SA.Configuration.minimumThreshold(parties: n) + 1))
        let length = 1 + Int(rng.next() % 200)
        let names = (0 ..< n).map { "node\($0)" }
        let config = try SA.Configuration(study: "random", round: UInt64(trial), parties: names, threshold: t, vectorLength: length, inputBound: 1 << 50)
        let inputs = randomInputs(parties: names, length: length, bound: 1 << 50, seed: rng.next())
        let outcome = try SA.LocalRun.run(configuration: config, inputs: inputs, seed: rng.next())
        #expect(outcome.result?.values == plainSum(inputs, of: names, length: length), "n = \(n), t = \(t), L = \(length)")
    }

    /// The masked inputs the lead sees from 3 parties with constant inputs `value`.
    static func maskedViews(value: Int64, runs: Int, seed: UInt64) throws -> [UInt64] {
        var words = [UInt64]()
        for r in 0 ..< runs {
            var h = try Harness(parties: 3, vectorLength: 128, inputs: [[Int64]](repeating: [Int64](repeating: value, count: 128), count: 3), seed: seed &+ UInt64(r))
            let rosters = h.stage1()
            let deliveries = h.relay(rosters)
            for (m, to) in serverSends(deliveries) {
                for case .maskedInput(let mi) in sentMessages(h.deliver(m, to: to)) { words += mi.values }
            }
        }
        return words
    }

    @Test("the lead's view of a masked input is uniform (χ² on the low 4 bits, 15 dof, α = 0.001: 37.70) and independent of the input (homogeneity χ², same α)")
    func uniformAndIndependent() throws {
        let zero = try Self.maskedViews(value: 0, runs: 16, seed: 3000)
        let big = try Self.maskedViews(value: 12345, runs: 16, seed: 4000)
        #expect(zero.count == 16 * 3 * 128)
        var a = [Int](repeating: 0, count: 16)
        var b = [Int](repeating: 0, count: 16)
        for w in zero { a[Int(w & 15)] += 1 }
        for w in big { b[Int(w & 15)] += 1 }
        #expect(chiSquared(a) < 37.70, "zero-input histogram \(a)")
        #expect(chiSquared(b) < 37.70, "12345-input histogram \(b)")
        #expect(chiSquaredHomogeneity(a, b) < 37.70)
        // Top bits too (the projection is not special to the low bits).
        var top = [Int](repeating: 0, count: 16)
        for w in zero { top[Int(w >> 60)] += 1 }
        #expect(chiSquared(top) < 37.70, "top-bit histogram \(top)")
        // Without masking, the input's low bits would be constant: the test can fail.
        var unmasked = [Int](repeating: 0, count: 16)
        for _ in zero { unmasked[12345 & 15] += 1 }
        #expect(chiSquared(unmasked) > 37.70)
    }
}
