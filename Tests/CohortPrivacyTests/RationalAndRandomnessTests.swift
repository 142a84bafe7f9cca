import CohortCore
import CohortPrivacy
import Testing

@Suite("Exact rationals and randomness provenance")
struct RationalAndRandomnessTests {
    @Test("decimal and fraction strings parse exactly", arguments: [
        ("2.5", UInt64(5), UInt64(2)), ("5/2", 5, 2), ("0.1", 1, 10), ("1e-3", 1, 1000), (" 3 ", 3, 1),
        ("10/4", 5, 2), ("1.5E2", 150, 1), ("0.000001", 1, 1_000_000), ("+7", 7, 1), ("12.50", 25, 2),
    ])
    func parses(text: String, num: UInt64, den: UInt64) throws {
        let r = try Privacy.Rational(parsing: text)
        #expect(r.numerator == num && r.denominator == den)
    }

    @Test("malformed or out-of-range rationals are rejected with a code", arguments: [
        ("", PrivacyError.Code.unparsable), ("-1", .unparsable), ("abc", .unparsable), ("1/0", .invalidParameter),
        ("1.2.3", .unparsable), ("99999999999999999999999", .overflow), ("1e-30", .overflow), ("NaN", .unparsable),
        ("inf", .unparsable), ("1/-2", .unparsable), (".", .unparsable),
    ])
    func rejects(text: String, code: PrivacyError.Code) {
        #expect(throws: PrivacyError.self) { try Privacy.Rational(parsing: text) }
        do {
            _ = try Privacy.Rational(parsing: text)
        } catch let error as PrivacyError {
            #expect(error.code == code, "\(text): \(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("rounding a real up to a rational never loses noise")
    func roundingUp() throws {
        for x in [0.1, 1.0 / 3.0, 2.5, 123_456.789, 1e12, 3.7e-5] {
            let r = try Privacy.Rational(roundingUp: x)
            #expect(Double(r.numerator) / Double(r.denominator) >= x)
            #expect(r.doubleValue <= x * (1 + 1e-8) + 1e-9)
        }
        #expect(throws: PrivacyError.self) { try Privacy.Rational(roundingUp: .nan) }
        #expect(throws: PrivacyError.self) { try Privacy.Rational(roundingUp: -1) }
        #expect(throws: PrivacyError.self) { try Privacy.Rational(roundingUp: 1e30) }
    }

    @Test("production refuses seeded randomness; simulation accepts and marks it")
    func provenance() throws {
        let seeded = Privacy.SeededRandomness(seed: 7)
        #expect(seeded.provenance == .seeded(7))
        #expect(seeded.provenance.isSimulated)
        do {
            try Privacy.Randomness.validate(seeded, for: .production)
            Issue.record("seeded randomness accepted in production")
        } catch let error as PrivacyError {
            #expect(error.code == .seededRandomnessInProduction)
            #expect(error.message.contains("production"))
        }
        try Privacy.Randomness.validate(seeded, for: .simulation)
        let system = Privacy.SystemRandomness()
        try Privacy.Randomness.validate(system, for: .production)
        #expect(!system.provenance.isSimulated)
    }

    @Test("source(for:seed:) picks the OS CSPRNG, or a seeded stream only in simulation")
    func sourceForMode() throws {
        #expect(try Privacy.Randomness.source(for: .production, seed: nil).provenance == .system)
        #expect(try Privacy.Randomness.source(for: .simulation, seed: nil).provenance == .system)
        var simulated = try Privacy.Randomness.source(for: .simulation, seed: 11)
        #expect(simulated.provenance == .seeded(11))
        #expect(throws: PrivacyError.self) { try Privacy.Randomness.source(for: .production, seed: 11) }
        // An existential source can be passed straight to a mechanism.
        let release = try Privacy.DiscreteGaussian.addNoise(to: [5], rho: 1, l2Sensitivity: 1, using: &simulated)
        #expect(release.randomness == .seeded(11))
    }

    @Test("the OS source gives distinct, non-repeating words and copies never share words")
    func systemSource() {
        var a = Privacy.SystemRandomness()
        var b = a
        var seen = Set<UInt64>()
        for _ in 0 ..< 2000 {
            seen.insert(a.next())
            seen.insert(b.next())
        }
        #expect(seen.count == 4000)
    }

    @Test("results carry their randomness: seeded releases are marked simulated")
    func releasesMarked() throws {
        var seeded = Privacy.SeededRandomness(seed: 3)
        let r = try Privacy.DiscreteGaussian.addNoise(to: [10, 20], rho: 0.5, l2Sensitivity: 1, using: &seeded)
        #expect(r.isSimulated)
        #expect(r.randomness == .seeded(3))
        var system = Privacy.SystemRandomness()
        let s = try Privacy.DiscreteLaplace.addNoise(to: [10, 20], epsilon: 1, l1Sensitivity: 1, using: &system)
        #expect(!s.isSimulated)
    }
}
