import CohortSecureAggregation
import CohortPrivacy
import Testing

@Suite("Shamir secret sharing over GF(2^61 − 1)")
struct ShamirTests {
    static let secret = try! SA.Seed(bytes: (0 ..< 32).map { UInt8($0) })
    static let coefficients: [[UInt64]] = [
        [0x1_2345_6789, 0x4_b2a1_8907_f6e3], [0x2_468a_cf12, 0x5_5e6f_7809_1a28], [0x3_69d0_369b, 0x6_0a3d_670a_3d6d],
        [0x4_8d15_9e24, 0x6_b60b_560b_60b2], [0x5_b05b_05ad, 0x7_61d9_450c_83f7],
    ]

    // Expected shares computed outside Swift (Python, exact integers mod 2^61 − 1).
    @Test("known answers: fixed degree-2 coefficients give the expected shares at x = 1…5")
    func knownAnswers() throws {
        #expect(SA.Shamir.chunks(of: Self.secret) == [0x1_0203_0405_06, 0x7_0809_0a0b_0c0d, 0xe_0f10_1112_1314, 0x15_1617_1819_1a1b, 0x1c1d_1e1f])
        let shares = try SA.Shamir.split(Self.secret, coefficients: Self.coefficients, shareCount: 5)
        #expect(shares.map(\.index) == [1, 2, 3, 4, 5])
        #expect(shares[0].values == [0x4_b3a4_af51_6372, 0xc_667a_c89e_f547, 0x14_1950_e1ec_871c, 0x1b_cc26_fb3a_18f1, 0x7_61df_1184_a7c3])
        #expect(shares[2].values == [0x2a_48b3_3e1b_e99c, 0x37_59fb_15fd_64ab, 0x44_6b42_edde_dfba, 0x51_7c8a_c5c0_5ac9, 0x42_70b4_9a9e_d2d5])
        #expect(shares[4].values == [0x75_72ce_1526_26de, 0x8d_40f7_23a4_a54f, 0xa5_0f20_3223_23c0, 0xbc_dd49_40a1_a231, 0xb8_8e54_4c1d_1d9f])
    }

    @Test("known answers: coefficients near p exercise the modular reduction")
    func knownAnswersWrap() throws {
        let p = SA.PrimeField.modulus
        let secret = try SA.Seed(bytes: [UInt8](repeating: 0xff, count: 32))
        let coefficients: [[UInt64]] = (0 ..< 5).map { j in [p - 1 - UInt64(j), p - 2 - 3 * UInt64(j)] }
        let shares = try SA.Shamir.split(secret, coefficients: coefficients, shareCount: 7)
        #expect(shares[0].values == [0xff_ffff_ffff_fffc, 0xff_ffff_ffff_fff8, 0xff_ffff_ffff_fff4, 0xff_ffff_ffff_fff0, 0xffff_ffec])
        #expect(shares[1].values == [0xff_ffff_ffff_fff5, 0xff_ffff_ffff_ffe7, 0xff_ffff_ffff_ffd9, 0xff_ffff_ffff_ffcb, 0xffff_ffbd])
        #expect(shares[6].values == [0xff_ffff_ffff_ff96, 0xff_ffff_ffff_fefc, 0xff_ffff_ffff_fe62, 0xff_ffff_ffff_fdc8, 0xffff_fd2e])
        #expect(try SA.Shamir.reconstruct([shares[6], shares[1], shares[3]], threshold: 3, shareCount: 7) == secret)
    }

    @Test("every t-subset of n shares reconstructs the secret", arguments: [(3, 5), (2, 3), (4, 7), (1, 1), (5, 5)])
    func anySubset(t: Int, n: Int) throws {
        var rng = Privacy.SeededRandomness(seed: UInt64(t * 31 + n))
        let secret = SA.Seed.random(using: &rng)
        let shares = try SA.Shamir.split(secret, threshold: t, shareCount: n, using: &rng)
        for mask in 0 ..< (1 << n) where mask.nonzeroBitCount == t {
            let subset = shares.indices.filter { mask & (1 << $0) != 0 }.map { shares[$0] }
            #expect(try SA.Shamir.reconstruct(subset.reversed(), threshold: t, shareCount: n) == secret)
        }
    }

    @Test("t − 1 shares are refused, as are duplicate and out-of-range indices")
    func refusals() throws {
        var rng = Privacy.SeededRandomness(seed: 9)
        let shares = try SA.Shamir.split(Self.secret, threshold: 3, shareCount: 5, using: &rng)
        #expect { try SA.Shamir.reconstruct(Array(shares.prefix(2)), threshold: 3, shareCount: 5) } throws: { ($0 as? SecureAggregationError)?.code == .tooFewShares }
        #expect { try SA.Shamir.reconstruct([shares[0], shares[1], shares[1]], threshold: 3, shareCount: 5) } throws: { ($0 as? SecureAggregationError)?.code == .duplicateShareIndex }
        #expect { try SA.Shamir.reconstruct(shares, threshold: 3, shareCount: 4) } throws: { ($0 as? SecureAggregationError)?.code == .invalidShare }
        #expect { try SA.Shamir.Share(index: 0, values: [1, 2, 3, 4, 5]) } throws: { ($0 as? SecureAggregationError)?.code == .invalidShare }
        #expect { try SA.Shamir.Share(index: 1, values: [1, 2, 3, 4]) } throws: { ($0 as? SecureAggregationError)?.code == .invalidShare }
        #expect { try SA.Shamir.Share(index: 1, values: [SA.PrimeField.modulus, 2, 3, 4, 5]) } throws: { ($0 as? SecureAggregationError)?.code == .invalidShare }
        #expect { try SA.Shamir.split(Self.secret, threshold: 6, shareCount: 5, using: &rng) } throws: { ($0 as? SecureAggregationError)?.code == .invalidParameter }
        #expect { try SA.Shamir.split(Self.secret, threshold: 0, shareCount: 5, using: &rng) } throws: { ($0 as? SecureAggregationError)?.code == .invalidParameter }
    }

    @Test("shares of two different secrets do not silently reconstruct a wrong secret")
    func mixedShares() throws {
        var rng = Privacy.SeededRandomness(seed: 10)
        let a = try SA.Shamir.split(Self.secret, threshold: 3, shareCount: 5, using: &rng)
        let b = try SA.Shamir.split(SA.Seed.random(using: &rng), threshold: 3, shareCount: 5, using: &rng)
        #expect { try SA.Shamir.reconstruct([a[0], a[1], b[2]], threshold: 3, shareCount: 5) } throws: { ($0 as? SecureAggregationError)?.code == .inconsistentShares }
    }

    @Test("t − 1 shares are independent of the secret: one share of a 2-of-n sharing is uniform over many secrets (χ², 16 bins, α = 0.001)")
    func secrecyOfFewShares() throws {
        var rng = Privacy.SeededRandomness(seed: 11)
        var bins = [Int](repeating: 0, count: 16)
        let draws = 4096
        for _ in 0 ..< draws {
            // Same secret every time: the share must still be uniform.
            let shares = try SA.Shamir.split(Self.secret, threshold: 2, shareCount: 3, using: &rng)
            bins[Int(shares[0].values[0] & 15)] += 1
        }
        #expect(chiSquared(bins) < 37.70)
    }

    @Test("field arithmetic: inverse, reduction of the largest product")
    func field() {
        let p = SA.PrimeField.modulus
        #expect(SA.PrimeField.multiply(p - 1, p - 1) == 1)
        #expect(SA.PrimeField.inverse(0) == nil)
        for a: UInt64 in [1, 2, 3, 12345, p - 1, 1 << 60] {
            #expect(SA.PrimeField.multiply(a, SA.PrimeField.inverse(a)!) == 1)
        }
        #expect(SA.PrimeField.add(p - 1, 1) == 0)
        #expect(SA.PrimeField.subtract(0, 1) == p - 1)
    }
}

/// Pearson χ² against the uniform distribution over `bins.count` cells.
func chiSquared(_ bins: [Int]) -> Double {
    let total = Double(bins.reduce(0, +))
    let expected = total / Double(bins.count)
    return bins.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
}

/// χ² test of homogeneity of two histograms over the same cells (dof = cells − 1).
func chiSquaredHomogeneity(_ a: [Int], _ b: [Int]) -> Double {
    let na = Double(a.reduce(0, +))
    let nb = Double(b.reduce(0, +))
    var stat = 0.0
    for i in a.indices {
        let col = Double(a[i] + b[i])
        guard col > 0 else { continue }
        let ea = col * na / (na + nb)
        let eb = col * nb / (na + nb)
        stat += (Double(a[i]) - ea) * (Double(a[i]) - ea) / ea + (Double(b[i]) - eb) * (Double(b[i]) - eb) / eb
    }
    return stat
}
