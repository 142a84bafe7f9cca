import CohortCore
import CohortNet
import CohortNetTestSupport
@testable import CohortNode
import CohortPrivacy
import CohortSecureAggregation
import CohortStudy
import CohortTestSupport
import Foundation
import Logging
import Testing

/// Issue 13: studies with `secure_aggregation` between engines connected in memory, every node
/// with its own certificate from one consortium CA (signatures and certificates are checked as
/// in production; only the transport is in memory).
@Suite struct SecureAggregationEngineTests {
    typealias FakeLocal = StudyEngineTests.FakeLocal

    /// The in-memory mesh of ``StudyEngineTests`` (it routes the secure-aggregation stages too,
    /// and drops the parties in `dropAtAdvertise` / `dropAtMaskedInput` at those stages).
    typealias Switchboard = StudyEngineTests.Mesh

    static let tables: [String: [UInt16]] = [
        "acme": [0, 0, 1, 2, 2, 2], "globex": [1, 1, 3], "initech": [0, 4, 4, 4, 10], "hooli": [2, 2], "umbrella": [3],
    ]

    static func cluster(_ names: [String], pki given: PKI.TestPKI? = nil) throws -> (Switchboard, [String: FakeLocal]) {
        let pki = try given ?? PKI.TestPKI(consortium: "secagg")
        let board = StudyEngineTests.Mesh()
        var locals: [String: FakeLocal] = [:]
        for name in names {
            let local = FakeLocal(codes: tables[name] ?? [])
            locals[name] = local
            board.engines[name] = StudyEngine(
                node: name, policy: StudyEngineTests.policy(), local: local,
                peers: StudyEngineTests.MeshCalls(caller: name, mesh: board),
                logger: Logger(label: "test.\(name)"),
                identity: try SecureAggregationIdentity(material: try pki.material(for: name), consortium: "secagg"))
        }
        return (board, locals)
    }

    /// A histogram spec; `secure` is the `secure_aggregation` value, nil leaves the key out
    /// (the default).
    static func spec(participants: [String], secure: String?) -> String {
        """
        kind: histogram
        purpose: segmentation
        as_of: 2026-06-30
        dimensions: [rfm_segment]
        privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
        participants: [\(participants.joined(separator: ", "))]
        deadline_seconds: 600
        """ + (secure.map { "\nsecure_aggregation: \($0)" } ?? "")
    }

    /// Expected released count per segment code over `names`' tables (noise off).
    static func expected(_ names: [String]) -> [Int: Double] {
        var counts: [Int: Double] = [:]
        for name in names { for code in tables[name] ?? [] { counts[Int(code), default: 0] += 1 } }
        return counts
    }

    /// With noise off the secure release equals the plain sum; a spec that leaves the key out
    /// is securely aggregated too (the default with three parties).
    @Test(arguments: ["true", nil])
    func aSecurelyAggregatedHistogramReleasesExactlyThePlainSum(secure: String?) async throws {
        let (board, locals) = try Self.cluster(["acme", "globex", "initech"])
        let outcome = await board.engines["acme"]!.lead(
            try Study.Spec.load(yaml: Self.spec(participants: ["globex", "initech"], secure: secure)))
        guard case .completed(let result, let json, _) = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        let expected = Self.expected(["acme", "globex", "initech"])
        for (index, cell) in result.cells.enumerated() {
            #expect(cell.count == expected[index] ?? 0, "cell \(index)")
        }
        #expect(board.plainRequests == 0, "no participant was asked for its contribution in the clear")
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.charges == [result.study], "\(name) charged once")
            #expect(await locals[name]!.results[result.study] == json, "\(name) stored the published result")
            let aggregated = await locals[name]!.audits.compactMap { event -> [String]? in
                if case .aggregated(_, let parties, let survivors, let dropouts) = event.kind, dropouts.isEmpty, parties == survivors {
                    return survivors
                }
                return nil
            }
            #expect(aggregated == [["acme", "globex", "initech"]], "\(name) audited the aggregation")
        }
    }

    /// An aggregation that cannot be put on record is not used: the lead's failed append fails
    /// the round; a participant's keeps its shares back (with no dropouts tolerated, the round
    /// fails). Nothing is released either way.
    @Test(arguments: ["acme", "initech"])
    func anAggregationThatCannotBeAuditedReleasesNothing(failing: String) async throws {
        let (board, locals) = try Self.cluster(["acme", "globex", "initech"])
        await locals[failing]!.setAggregatedAuditFailing()
        let outcome = await board.engines["acme"]!.lead(
            try Study.Spec.load(yaml: Self.spec(participants: ["globex", "initech"], secure: nil)))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("study published although \(failing) could not record the aggregation: \(outcome)")
            return
        }
        #expect(reason.contains("audit log"), "\(reason)")
        for name in ["acme", "globex", "initech"] {
            #expect(await locals[name]!.results.isEmpty, "\(name) stored no result")
        }
    }

    @Test func twoPartiesDroppingAfterSharingTheirKeysStillReleaseTheSurvivorsSum() async throws {
        let names = ["acme", "globex", "hooli", "initech", "umbrella"]
        let (board, _) = try Self.cluster(names)
        board.dropAtMaskedInput = ["globex", "umbrella"]
        let outcome = await board.engines["acme"]!.lead(try Study.Spec.load(yaml: Self.spec(
            participants: ["globex", "hooli", "initech", "umbrella"], secure: "{ enabled: true, dropouts: 2 }")))
        guard case .completed(let result, _, _) = outcome else {
            Issue.record("study failed: \(outcome)")
            return
        }
        let expected = Self.expected(["acme", "hooli", "initech"])
        for (index, cell) in result.cells.enumerated() {
            #expect(cell.count == expected[index] ?? 0, "cell \(index)")
        }
        #expect(result.participants.map(\.node).sorted() == ["acme", "hooli", "initech"])
    }

    @Test func threePartiesDroppingOfFiveWithThresholdThreeFailsWithNothingReleased() async throws {
        let names = ["acme", "globex", "hooli", "initech", "umbrella"]
        let (board, locals) = try Self.cluster(names)
        board.dropAtMaskedInput = ["globex", "hooli", "umbrella"]
        let outcome = await board.engines["acme"]!.lead(try Study.Spec.load(yaml: Self.spec(
            participants: ["globex", "hooli", "initech", "umbrella"], secure: "{ enabled: true, dropouts: 2 }")))
        guard case .failed(_, let reason) = outcome else {
            Issue.record("expected failure, got \(outcome)")
            return
        }
        #expect(reason.contains("t = 3"), "\(reason)")
        for name in names { #expect(await locals[name]!.results.isEmpty, "\(name) stored no result") }
    }

    @Test func aParticipantRefusesToSendItsContributionInTheClearForASecureStudy() async throws {
        let (board, locals) = try Self.cluster(["acme", "globex", "initech"])
        let spec = try Study.Spec.load(yaml: Self.spec(participants: ["globex", "initech"], secure: "true")).withID("s-1")
        let answer = await board.engines["globex"]!.onProposal(
            study: "s-1", specJSON: try JSONEncoder().encode(spec), from: "acme")
        #expect(answer == .accepted)
        await #expect(throws: NodeError.self) {
            _ = try await board.engines["globex"]!.onContributionRequest(study: "s-1", round: 0, from: "acme")
        }
        #expect(await locals["globex"]!.charges.isEmpty, "nothing was charged")
        #expect(await locals["globex"]!.rowsRead == 0, "nothing was read")
    }

    @Test func aParticipantRefusesAnAggregationOtherThanTheAgreedOne() async throws {
        let (board, locals) = try Self.cluster(["acme", "globex", "initech"])
        let spec = try Study.Spec.load(yaml: Self.spec(participants: ["globex", "initech"], secure: "true")).withID("s-2")
        _ = await board.engines["globex"]!.onProposal(study: "s-2", specJSON: try JSONEncoder().encode(spec), from: "acme")
        // The lead leaves initech out, so that the sum is acme's and globex's alone.
        await #expect(throws: NodeError.self) {
            _ = try await board.engines["globex"]!.onAdvertiseKeys(
                study: "s-2", round: 0, payload: .empty, parties: ["acme", "globex"], threshold: 2, from: "acme")
        }
        #expect(await locals["globex"]!.rowsRead == 0, "nothing was read")
    }

    /// The cache of verified certificates answers only the party and bytes it verified: another
    /// party's name on the same certificate, or an expired entry, is checked (and refused) anew.
    @Test func aCachedCertificateServesOnlyThePartyItWasVerifiedFor() async throws {
        let pki = try PKI.TestPKI(consortium: "secagg")
        let identity = try SecureAggregationIdentity(material: try pki.material(for: "acme"), consortium: "secagg")
        let globex = try SecureAggregationIdentity(material: try pki.material(for: "globex"), consortium: "secagg")
        let key = try await identity.verifiedKey(of: "globex", certificateDER: globex.certificateDER)
        #expect(key == globex.signingPublicKey)
        #expect(identity.verified.key(of: "globex", certificateDER: globex.certificateDER, now: Date()) == key)
        await #expect(throws: NodeError.self) {
            _ = try await identity.verifiedKey(of: "initech", certificateDER: globex.certificateDER)
        }
        // Past the certificate's validity the cache answers nothing, and the check refuses it.
        let later = Date().addingTimeInterval(20 * 365 * 86_400)
        #expect(identity.verified.key(of: "globex", certificateDER: globex.certificateDER, now: later) == nil)
        await #expect(throws: NodeError.self) {
            _ = try await identity.verifiedKey(of: "globex", certificateDER: globex.certificateDER, now: later)
        }
    }

    /// A lead that substitutes a party's keys, or forwards keys under a certificate from another
    /// CA, is refused by the participant before any share of its secrets leaves it.
    @Test func aSubstitutedKeyOrAForeignCertificateIsRefusedBeforeAnyShareLeaves() async throws {
        let pki = try PKI.TestPKI(consortium: "secagg")
        let (board, _) = try Self.cluster(["acme", "globex", "initech"], pki: pki)
        let spec = try Study.Spec.load(yaml: Self.spec(participants: ["globex", "initech"], secure: "true")).withID("s-3")
        let parties = ["acme", "globex", "initech"]
        for name in ["globex", "initech"] {
            _ = await board.engines[name]!.onProposal(study: "s-3", specJSON: try JSONEncoder().encode(spec), from: "acme")
        }
        let g = try await board.engines["globex"]!.onAdvertiseKeys(
            study: "s-3", round: 0, payload: .empty, parties: parties, threshold: 3, from: "acme")
        let i = try await board.engines["initech"]!.onAdvertiseKeys(
            study: "s-3", round: 0, payload: .empty, parties: parties, threshold: 3, from: "acme")
        /// An advertisement for `party` made as a node makes it, with `material`'s key and certificate.
        func advertisement(_ party: String, material: PKI.NodeTLSMaterial) throws -> SignedKeyAdvertisement {
            let identity = try SecureAggregationIdentity(material: material, consortium: "secagg")
            let configuration = try SecureAggregation.Configuration(
                study: "s-3", round: 0, parties: parties, threshold: 3, vectorLength: 11, inputBound: 1 << 40)
            var client = try SecureAggregation.Client(
                configuration: configuration, party: party, input: [Int64](repeating: 0, count: 11),
                signer: identity.signer, verifier: SecureAggregation.P256Verifier(keys: [:]))
            var rng = SystemRandomNumberGenerator()
            guard case .send(.advertisement(let ad))? = client.start(using: &rng).first else {
                throw NodeError(.invalidMessage, "no advertisement")
            }
            return SignedKeyAdvertisement(advertisement: ad, certificate: identity.certificateDER)
        }
        let a = try advertisement("acme", material: try pki.material(for: "acme"))
        // initech's keys replaced by the lead's own, initech's signature and certificate kept.
        var substituted = i
        substituted.advertisement = SecureAggregation.KeyAdvertisement(
            study: "s-3", round: 0, sender: "initech", publicKeys: a.advertisement.publicKeys,
            signature: i.advertisement.signature)
        await #expect(throws: NodeError.self) {
            _ = try await board.engines["globex"]!.onShareKeys(study: "s-3", round: 0, advertisements: [a, g, substituted], from: "acme")
        }
        // globex's keys under a certificate of another CA with globex's name.
        let foreign = try advertisement("globex", material: try PKI.TestPKI(consortium: "secagg").material(for: "globex"))
        await #expect(throws: NodeError.self) {
            _ = try await board.engines["initech"]!.onShareKeys(study: "s-3", round: 0, advertisements: [a, foreign, i], from: "acme")
        }
    }

    /// Issue 13: on by default with three or more parties (no tolerated dropouts), off by
    /// default with two, and `false` always turns it off.
    @Test(arguments: [
        (["globex"], nil, Study.AggregationMode.plain),
        (["globex"], "false", .plain),
        (["globex", "initech"], nil, .secure(parties: 3, threshold: 3)),
        (["globex", "initech"], "false", .plain),
        (["globex", "initech"], "true", .secure(parties: 3, threshold: 3)),
        (["globex", "hooli", "initech", "umbrella"], nil, .secure(parties: 5, threshold: 5)),
        (["globex", "hooli", "initech", "umbrella"], "{ dropouts: 2 }", .secure(parties: 5, threshold: 3)),
    ])
    func secureAggregationIsTheDefaultFromThreeParties(participants: [String], secure: String?, mode: Study.AggregationMode) throws {
        let spec = try Study.Spec.load(yaml: Self.spec(participants: participants, secure: secure))
        #expect(spec.aggregation == mode)
        // The participants resolve the same mode from the spec's wire form.
        #expect(try Study.Spec.load(json: try spec.canonicalJSON()).aggregation == mode)
    }

    @Test(arguments: [
        ("participants: [globex]\nsecure_aggregation: true", "secure_aggregation"),
        ("participants: [globex, initech]\nsecure_aggregation: { dropouts: 2 }", "secure_aggregation.dropouts"),
        ("participants: [globex, initech]\nsecure_aggregation: { dropouts: -1 }", "secure_aggregation.dropouts"),
        ("participants: [globex, initech]\nsecure_aggregation: { enabled: false, dropouts: 1 }", "secure_aggregation.dropouts"),
        ("participants: [globex, initech]\nsecure_aggregation: { quorum: 2 }", "secure_aggregation.quorum"),
        ("participants: [globex, initech]\nsecure_aggregation: maybe", "secure_aggregation"),
    ])
    func specsThatCannotBeSecurelyAggregatedAreRefused(_ lines: String, key: String) throws {
        let yaml = """
            kind: histogram
            purpose: segmentation
            as_of: 2026-06-30
            dimensions: [rfm_segment]
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            deadline_seconds: 600
            \(lines)
            """
        do {
            _ = try Study.Spec.load(yaml: yaml)
            Issue.record("accepted: \(lines)")
        } catch let error as StudyError {
            #expect(error.key == key, "\(error)")
        }
    }
}

/// Issue 13, distributed noise: with secure aggregation each party adds its share of the central
/// noise, so the released sum of n parties carries about the central σ² instead of n·σ².
@Suite struct SecureAggregationNoisePlanTests {
    static func spec(participants: [String], secure: String) throws -> Study.Spec {
        try Study.Spec.load(yaml: SecureAggregationEngineTests.spec(participants: participants, secure: secure))
    }

    @Test(arguments: [
        (["globex", "initech"], "true", 1),
        (["globex", "hooli", "initech", "umbrella"], "true", 1),
        (["globex", "hooli", "initech", "umbrella"], "{ enabled: true, dropouts: 2 }", 3),
    ])
    func eachPartyAddsItsShareOfTheCentralNoise(participants: [String], secure: String, colluders: Int) throws {
        let secureSpec = try Self.spec(participants: participants, secure: secure)
        let plainSpec = try Self.spec(participants: participants, secure: "false")
        let shared = try Study.Calibration.plan(for: secureSpec)
        let plain = try Study.Calibration.plan(for: plainSpec)
        let n = participants.count + 1
        let distributed = try #require(shared.distributed)
        #expect(distributed.parties == n)
        #expect(distributed.colluders == colluders)
        #expect(plain.distributed == nil)
        // The central σ² is the plain one up to the τ correction's 1 % steps.
        #expect(distributed.centralSigmaSquared >= plain.sigmaSquared * 0.999)
        #expect(distributed.centralSigmaSquared <= plain.sigmaSquared * 1.05)
        // Each share is the central σ² over the n − colluders parties that count.
        let m = Double(n - colluders)
        #expect(abs(shared.sigmaSquared - distributed.centralSigmaSquared / m) <= 1e-9 * shared.sigmaSquared)
        // The cost charged is the accountant's for that split, within the spec's ε.
        let cost = try shared.cost()
        #expect(cost.mechanism == .distributedDiscreteGaussian)
        #expect(try cost.epsilon(delta: 1e-6) <= 1.0 + 1e-9)
        // Every message states the share it added, which the lead checks.
        let message = Study.ContributionMessage(study: "s", round: 0, values: [], cost: cost, simulated: false)
        #expect(abs((try message.noiseVariance() ?? 0) - shared.sigmaSquared) <= 1e-6 * shared.sigmaSquared)
    }
}

/// Issue 13, distributed noise for the learning kinds: a securely aggregated learning spec adds
/// a share of every round's noise, and its whole-study cost (what the ledger charges) stays
/// within the spec's ε.
@Suite struct SecureAggregationLearningNoiseTests {
    @Test(arguments: [
        ("kmeans", "segmentation", "{ k: 3, rounds: 4 }"),
        ("logistic-regression", "model-training", "{ rounds: 5 }"),
        ("quantiles", "segmentation", "{ probabilities: [0.5, 0.9] }"),
    ])
    func everyRoundOfALearningStudyAddsItsShare(kind: String, purpose: String, learning: String) throws {
        let plain = try Study.LearningAlgorithm(spec: try LearningStudyEngineTests.spec(kind, purpose, learning, secure: false))
        let shared = try Study.LearningAlgorithm(spec: try LearningStudyEngineTests.spec(kind, purpose, learning, secure: true))
        #expect(plain.phases.map(\.name) == shared.phases.map(\.name))
        for (p, s) in zip(plain.phases, shared.phases) {
            // Three parties, none may drop, the lead's share uncounted: two shares carry σ².
            let ratio = (s.sigma * s.sigma) / (p.sigma * p.sigma)
            #expect(ratio > 0.49 && ratio < 0.53, "\(kind) \(p.name): share ratio \(ratio)")
        }
        let epsilon = try shared.cost.epsilon(delta: 1e-6)
        #expect(epsilon <= 1 + 1e-9)
        #expect(epsilon > 0.95)
        // The lead accepts the charged cost of a securely aggregated learning study.
        let spec = try LearningStudyEngineTests.spec(kind, purpose, learning, secure: true).withID("s-learning")
        let message = Study.ContributionMessage(study: "s-learning", round: 0, values: [], cost: shared.cost, simulated: false)
        try Study.Aggregation.validateCost(message, from: "globex", spec: spec, study: "s-learning", coordinates: 0)
    }
}
