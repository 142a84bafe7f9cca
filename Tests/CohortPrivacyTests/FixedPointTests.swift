import CohortPrivacy
import Testing

@Suite("Fixed-point codec")
struct FixedPointTests {
    @Test("encode then decode is within one unit of 1/scale; wrap-free sums decode exactly")
    func roundTrip() throws {
        let codec = try Privacy.FixedPoint.Codec(dimension: 4, l2Bound: 10, scale: 256)
        var rng = Privacy.SeededGenerator(seed: 1)
        let x = [1.25, -3.5, 0.001, 2.0 / 3.0]
        let e = try codec.encode(x, using: &rng)
        #expect(!e.wasClipped)
        for (a, b) in zip(codec.decode(e.values), x) { #expect(abs(a - b) <= 1.0 / 256) }
        // Sum of 3 contributions mod 2⁶⁴ decodes to the sum.
        var sum = [UInt64](repeating: 0, count: 4)
        var truth = [Double](repeating: 0, count: 4)
        for k in 0 ..< 3 {
            let v = x.map { $0 * Double(k + 1) / 3 }
            let enc = try codec.encode(v, using: &rng)
            for i in 0 ..< 4 { sum[i] &+= enc.values[i]; truth[i] += v[i] }
        }
        guard case .decoded(let decoded) = try codec.decodeSum(sum, contributions: 3, noiseBound: 1000) else {
            Issue.record("unexpected wrap report")
            return
        }
        for (a, b) in zip(decoded, truth) { #expect(abs(a - b) <= 3.0 / 256) }
    }

    @Test("conditional rounding always meets the stated squared-norm bound (and the KLS bound is below c·scale + √d)")
    func normBound() throws {
        let d = 64
        let codec = try Privacy.FixedPoint.Codec(dimension: d, l2Bound: 1, scale: 8)
        #expect(Double(codec.squaredNormBound) <= (8 + Double(d).squareRoot()) * (8 + Double(d).squareRoot()))
        var rng = Privacy.SeededGenerator(seed: 2)
        var attemptsTotal = 0
        for trial in 0 ..< 200 {
            var gen = Privacy.SeededGenerator(seed: UInt64(trial))
            let x = (0 ..< d).map { _ in Double(gen.next() >> 11) / Double(1 << 53) - 0.5 }
            let e = try codec.encode(x, using: &rng)
            attemptsTotal += e.attempts
            let sq = e.values.reduce(UInt64(0)) { acc, v in
                let z = Int64(bitPattern: v)
                return acc + z.magnitude * z.magnitude
            }
            #expect(sq <= codec.squaredNormBound)
        }
        #expect(attemptsTotal >= 200)
    }

    @Test("randomized rounding is unbiased")
    func unbiased() throws {
        let codec = try Privacy.FixedPoint.Codec(dimension: 1, l2Bound: 10, scale: 1, beta: 0)
        var rng = Privacy.SeededGenerator(seed: 3)
        var total = 0.0
        let n = 40_000
        for _ in 0 ..< n { total += codec.decode(try codec.encode([0.3], using: &rng).values)[0] }
        #expect(abs(total / Double(n) - 0.3) < 4.5 * (0.21 / Double(n)).squareRoot())
    }

    @Test("clipping reports the original norm; reject policy refuses vectors over the bound")
    func clipping() throws {
        let codec = try Privacy.FixedPoint.Codec(dimension: 2, l2Bound: 1, scale: 1024)
        var rng = Privacy.SeededGenerator(seed: 4)
        let e = try codec.encode([3, 4], using: &rng)
        #expect(e.wasClipped)
        #expect(e.originalNorm == 5)
        let back = codec.decode(e.values)
        #expect(abs((back[0] * back[0] + back[1] * back[1]).squareRoot() - 1) < 0.01)
        do {
            _ = try codec.encode([3, 4], clipping: .reject, using: &rng)
            Issue.record("norm over the bound was accepted")
        } catch let error as PrivacyError {
            #expect(error.code == .normExceedsBound)
        }
    }

    @Test("decode detects sums that could have wrapped mod 2⁶⁴")
    func wrapDetection() throws {
        let codec = try Privacy.FixedPoint.Codec(dimension: 1, l2Bound: 1000, scale: 1_048_576)
        let sum: [UInt64] = [12345]
        // Each contribution ≤ 1000·2²⁰ ≈ 2²⁹·⁹⁷ per coordinate: 2³⁴ contributions may exceed 2⁶³.
        if case .decoded = try codec.decodeSum(sum, contributions: 1 << 34, noiseBound: 0) {
            Issue.record("possible wrap not detected")
        }
        if case .mayHaveWrapped = try codec.decodeSum(sum, contributions: 100, noiseBound: 1 << 40) {
            Issue.record("false wrap report")
        }
        if case .decoded = try codec.decodeSum(sum, contributions: 1, noiseBound: UInt64.max) {
            Issue.record("noise bound ignored")
        }
        #expect(throws: PrivacyError.self) { try codec.decodeSum([1, 2], contributions: 1, noiseBound: 0) }
    }

    @Test("bad codec input: NaN entries, dimension mismatch, overflowing scale, bad β", arguments: 0 ..< 6)
    func badInput(index: Int) throws {
        var rng = Privacy.SeededGenerator(seed: 5)
        let codec = try Privacy.FixedPoint.Codec(dimension: 2, l2Bound: 1, scale: 16)
        let expectations: [(PrivacyError.Code, () throws -> Void)] = [
            (.nonFiniteParameter, { _ = try codec.encode([.nan, 0], using: &rng) }),
            (.nonFiniteParameter, { _ = try codec.encode([.infinity, 0], using: &rng) }),
            (.dimensionMismatch, { _ = try codec.encode([1], using: &rng) }),
            (.overflow, { _ = try Privacy.FixedPoint.Codec(dimension: 2, l2Bound: 1e10, scale: 1e10) }),
            (.invalidParameter, { _ = try Privacy.FixedPoint.Codec(dimension: 2, l2Bound: 1, scale: 16, beta: 1) }),
            (.invalidParameter, { _ = try Privacy.FixedPoint.Codec(dimension: 2, l2Bound: -1, scale: 16) }),
        ]
        let (code, body) = expectations[index]
        do {
            try body()
            Issue.record("case \(index) accepted")
        } catch let error as PrivacyError {
            #expect(error.code == code, "\(error)")
        }
    }
}
