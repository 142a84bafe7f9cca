import CohortPrivacy
import Foundation
import Testing

@Suite("Exact Bernoulli and uniform integers")
struct BernoulliUniformTests {
    @Test("SeededGenerator keeps its xoshiro256** stream (independent reference values)")
    func seededStream() {
        var g = Privacy.SeededGenerator(seed: 42)
        #expect([g.next(), g.next(), g.next(), g.next()] == [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
        var z = Privacy.SeededGenerator(seed: 0)
        #expect([z.next(), z.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A])
        var s = Privacy.SeededRandomness(seed: 42)
        #expect(s.next() == 0x1578_0B2E_0C2E_C716)
    }

    @Test("Bernoulli(exp(−γ)) has the exact frequency", arguments: [(UInt64(0), UInt64(1)), (1, 3), (1, 1), (5, 2), (7, 1), (123_456_789, 98_765_432)])
    func expMinus(num: UInt64, den: UInt64) throws {
        var rng = Privacy.SeededGenerator(seed: num &+ 17 &* den)
        var bits = Privacy.RandomBits(rng)
        let n = 100_000
        var hits = 0
        for _ in 0 ..< n where Privacy.Bernoulli.expMinus(num, over: den, bits: &bits) { hits += 1 }
        rng = bits.source
        let p = exp(-Double(num) / Double(den))
        let sd = (p * (1 - p) / Double(n)).squareRoot()
        #expect(abs(Double(hits) / Double(n) - p) <= 4.5 * sd + 1e-12)
    }

    @Test("Bernoulli(exp(−γ)) with 128-bit and 256-bit exponents")
    func wideExponents() {
        var bits = Privacy.RandomBits(Privacy.SeededGenerator(seed: 5))
        // γ = (2⁷⁰ + 2⁶⁹)/2⁶⁹ = 3 in 128-bit arithmetic.
        let n = 50_000
        var hits = 0
        for _ in 0 ..< n where Privacy.Bernoulli.expMinus(UInt128(3) << 69, over: UInt128(1) << 69, bits: &bits) { hits += 1 }
        let p = exp(-3.0)
        #expect(abs(Double(hits) / Double(n) - p) < 4.5 * (p * (1 - p) / Double(n)).squareRoot())
        // γ ≥ 2¹²⁸/2¹⁰⁰: essentially never succeeds, and terminates.
        var any = false
        for _ in 0 ..< 1000 where Privacy.Bernoulli.expMinus(high: 1, low: 0, over: UInt128(1) << 100, bits: &bits) { any = true }
        #expect(!any)
    }

    @Test("rational Bernoulli(num/den) is exact, including 128-bit denominators")
    func rationalBernoulli() {
        var bits = Privacy.RandomBits(Privacy.SeededGenerator(seed: 8))
        let n = 100_000
        var hits = 0
        for _ in 0 ..< n where bits.bernoulli(UInt64(2), over: UInt64(7)) { hits += 1 }
        #expect(abs(Double(hits) / Double(n) - 2.0 / 7) < 4.5 * (2.0 / 7 * 5 / 7 / Double(n)).squareRoot())
        hits = 0
        let den = (UInt128(1) << 100) + 12345
        for _ in 0 ..< n where bits.bernoulli(den / 3, over: den) { hits += 1 }
        #expect(abs(Double(hits) / Double(n) - 1.0 / 3) < 4.5 * (2.0 / 9 / Double(n)).squareRoot())
        let certain = bits.bernoulli(UInt64(5), over: UInt64(5))
        let never = bits.bernoulli(UInt64(0), over: UInt64(5))
        #expect(certain && !never)
    }

    @Test("uniform integers in [0, n) are unbiased (chi-square) and in range", arguments: [UInt64(2), 7, 10, 1000])
    func uniformBelow(n: UInt64) {
        var bits = Privacy.RandomBits(Privacy.SeededGenerator(seed: n))
        var rng = Privacy.SeededGenerator(seed: n + 1)
        var counts = [Int](repeating: 0, count: Int(n))
        var countsLemire = [Int](repeating: 0, count: Int(n))
        let draws = 100_000
        for _ in 0 ..< draws {
            counts[Int(bits.below(n))] += 1
            countsLemire[Int(Privacy.Uniform.below(n, using: &rng))] += 1
        }
        let e = Double(draws) / Double(n)
        for c in [counts, countsLemire] {
            let chi = c.reduce(0.0) { $0 + (Double($1) - e) * (Double($1) - e) / e }
            #expect(chi < Stats.chiSquareCritical001(Int(n) - 1))
        }
    }

    @Test("uniform integers for huge n stay below n")
    func uniformHuge() {
        var bits = Privacy.RandomBits(Privacy.SeededGenerator(seed: 99))
        let n = (UInt64(1) << 63) + 1
        var high = 0
        for _ in 0 ..< 10_000 {
            let x = bits.below(n)
            #expect(x < n)
            if x >= n / 2 { high += 1 }
        }
        #expect(abs(high - 5000) < 300)
    }
}
