import CohortAudit
import Foundation
import Testing

/// Issue 15: a witness must never cosign two different checkpoints of the same size (a split
/// view), even when both arrive at once: the actor's reentrancy at its audit `await` used to let
/// two calls pass the same check.
@Suite struct WitnessTests {
    static func attempt(_ body: @Sendable () async throws -> Audit.WitnessAnswer) async -> Result<Audit.WitnessAnswer, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    @Test func concurrentConflictingCheckpointsAreNeverBothCosigned() async throws {
        for round in 0..<6 {
            let dir = try TempDir()
            defer { dir.cleanup() }
            let signer = try Audit.NoteSigner.generate(name: "cohort.audit/acme")
            let beta = try await Audit.Log.open(nodeDirectory: dir.path + "/beta", node: "beta")
            var notes: [String] = []
            for variant in 0..<2 {
                let log = try await Audit.Log.open(databasePath: dir.path + "/acme-\(variant).sqlite", node: "acme", signer: signer, checkpointInterval: 3600)
                for i in 0..<5 { _ = try await log.record(sampleEvent(i + 100 * variant)) }
                notes.append(try await log.signCheckpoint().serialized)
                await log.close()
            }
            let (a, b) = (notes[0], notes[1])
            let key = signer.verifier
            async let first = Self.attempt { try await beta.witness(note: a, peerKey: key, oldSize: 0, proof: []) }
            async let second = Self.attempt { try await beta.witness(note: b, peerKey: key, oldSize: 0, proof: []) }
            let outcomes = await [first, second]
            let cosigned = outcomes.filter { if case .success(.cosigned) = $0 { return true } else { return false } }
            #expect(cosigned.count == 1, "round \(round): \(outcomes)")
            #expect(try beta.reader().witnessedCheckpoints(origin: "cohort.audit/acme").count == 1)
            await beta.close()
        }
    }
}

