import CohortSecureAggregation
import Crypto
import _CryptoExtras
import Testing

@Suite("Mask PRG expansion")
struct MaskGeneratorTests {
    static let seed = try! SA.Seed(bytes: (0 ..< 32).map { UInt8($0) })

    // Reference values computed outside Swift (Python `cryptography`: HKDF-SHA256 with salt
    // "cohort/secagg/v1/prg" and info = domain, then AES-256-CTR over zeros with a zero counter
    // block, words read little-endian).
    @Test("known answers: first words for seed 00…1f in both domains match an independent implementation")
    func knownAnswers() throws {
        let pairwise = try SA.MaskGenerator.expand(Self.seed, domain: .pairwise, count: 6)
        #expect(pairwise == [0x8005_b726_30a5_a1a5, 0xdaed_9583_291a_b463, 0xff82_80a9_c5ed_70c1, 0xc777_20d9_bf52_51e8, 0x61e8_57f1_0796_bed8, 0xe53c_5bce_3c8a_73ca])
        let selfMask = try SA.MaskGenerator.expand(Self.seed, domain: .selfMask, count: 6)
        #expect(selfMask == [0x7b52_915e_021e_df09, 0xe2dd_8e3f_6bd2_4c8a, 0xc4f5_5aeb_dbf4_5cf7, 0xf303_aa09_83dd_dad4, 0x958c_75b9_874e_d2ed, 0xdf4d_9172_0ba7_1b4a])
        let key = SA.MaskGenerator.key(for: Self.seed, domain: .pairwise).withUnsafeBytes { Array($0) }
        #expect(key.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() == "aa736d4b918276df82010c27f04242bdb258607745bf11b24e978e7be2a55186")
    }

    @Test("second computation path: block-by-block AES permutation of the counter equals the CTR expansion", arguments: [1, 2, 3, 17, 1000])
    func blockwiseCrossCheck(count: Int) throws {
        let key = SA.MaskGenerator.key(for: Self.seed, domain: .selfMask)
        var words = [UInt64]()
        var block = 0
        while words.count < count {
            var counter = [UInt8](repeating: 0, count: 16)
            var b = block
            for k in (0 ..< 16).reversed() where b > 0 {
                counter[k] = UInt8(b & 0xff)
                b >>= 8
            }
            try AES.permute(&counter, key: key)
            for w in 0 ..< 2 {
                var v: UInt64 = 0
                for k in (0 ..< 8).reversed() { v = v << 8 | UInt64(counter[8 * w + k]) }
                words.append(v)
            }
            block += 1
        }
        #expect(try SA.MaskGenerator.expand(Self.seed, domain: .selfMask, count: count) == Array(words.prefix(count)))
    }

    @Test("deterministic, prefix-consistent, domain-separated and seed-sensitive")
    func properties() throws {
        let a = try SA.MaskGenerator.expand(Self.seed, domain: .pairwise, count: 100)
        #expect(try SA.MaskGenerator.expand(Self.seed, domain: .pairwise, count: 100) == a)
        #expect(try SA.MaskGenerator.expand(Self.seed, domain: .pairwise, count: 37) == Array(a.prefix(37)))
        #expect(try SA.MaskGenerator.expand(Self.seed, domain: .selfMask, count: 100) != a)
        var other = Self.seed.bytes
        other[31] ^= 1
        #expect(try SA.MaskGenerator.expand(SA.Seed(bytes: other), domain: .pairwise, count: 100) != a)
        #expect(try SA.MaskGenerator.expand(Self.seed, domain: .pairwise, count: 0) == [])
    }

    @Test("apply(.subtract) undoes apply(.add) mod 2^64")
    func addSubtract() throws {
        let original: [UInt64] = [0, 1, .max, 1 << 63, 42]
        var v = original
        try SA.MaskGenerator.apply(Self.seed, domain: .pairwise, sign: .add, to: &v)
        #expect(v != original)
        try SA.MaskGenerator.apply(Self.seed, domain: .pairwise, sign: .subtract, to: &v)
        #expect(v == original)
    }

    @Test("a seed must have 32 bytes")
    func seedLength() {
        #expect(throws: SecureAggregationError.self) { try SA.Seed(bytes: [1, 2, 3]) }
        var system = SystemRandomNumberGenerator()
        #expect(SA.Seed.random(using: &system).description.contains("redacted"))
    }
}
