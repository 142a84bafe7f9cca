import CohortNet
@testable import CohortNode
import CohortSecureAggregation
import CohortStudy
import CohortTestSupport
import CohortWire
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Fuzzes the secure-aggregation stage messages (issue 13): random and mutated protobuf bytes of
/// the four requests, handed to a real ``NodePeerHandler`` whose engine has accepted a securely
/// aggregated study, and of the three responses the lead decodes (``SecureAggregationWire``).
/// Nothing may trap: a request is answered or refused with an `RPCError`, a response decodes or
/// is refused with a ``NodeError``.
@Suite struct SecureAggregationWireFuzzTests {
    static let fields: [UInt64] = [1, 2, 3, 4, 5, 6]

    /// Valid serialized requests: advertise, share keys, masked input, unmask.
    static func requestSeeds(study: String, advertisement: SignedKeyAdvertisement) throws -> [(Int, [UInt8])] {
        var advertise = Cohort_Peer_V1_AdvertiseKeysRequest()
        advertise.studyID = study
        advertise.parties = ["acme", "globex", "initech"]
        advertise.threshold = 3
        var share = Cohort_Peer_V1_ShareKeysRequest()
        share.studyID = study
        share.advertisements = [SecureAggregationWire.encode(advertisement)]
        var masked = Cohort_Peer_V1_MaskedInputRequest()
        masked.studyID = study
        masked.holders = ["acme", "globex", "initech"]
        var box = Cohort_Peer_V1_EncryptedShare()
        box.sender = "acme"
        box.recipient = "globex"
        box.ciphertext = Data(repeating: 7, count: SecureAggregation.ShareEncryption.boxByteCount)
        masked.shares = [box]
        var unmask = Cohort_Peer_V1_UnmaskRequest()
        unmask.studyID = study
        unmask.survivors = ["acme", "globex", "initech"]
        return [(0, try advertise.serializedBytes()), (1, try share.serializedBytes()), (2, try masked.serializedBytes()),
                (3, try unmask.serializedBytes())]
    }

    enum Outcome: Hashable { case undecodable, answered, refused }

    static func deliver(kind: Int, bytes: [UInt8], to handler: NodePeerHandler, from peer: String) async throws -> Outcome {
        do {
            switch kind {
            case 0: _ = try await handler.advertiseKeys(try Cohort_Peer_V1_AdvertiseKeysRequest(serializedBytes: bytes), from: peer)
            case 1: _ = try await handler.shareKeys(try Cohort_Peer_V1_ShareKeysRequest(serializedBytes: bytes), from: peer)
            case 2: _ = try await handler.submitMaskedInput(try Cohort_Peer_V1_MaskedInputRequest(serializedBytes: bytes), from: peer)
            default: _ = try await handler.unmask(try Cohort_Peer_V1_UnmaskRequest(serializedBytes: bytes), from: peer)
            }
            return .answered
        } catch is BinaryDecodingError {
            return .undecodable
        } catch is RPCError {
            return .refused
        }
    }

    @Test("random and mutated secure-aggregation requests are handled without trapping")
    func stageRequestsNeverTrap() async throws {
        let (board, _) = try SecureAggregationEngineTests.cluster(["acme", "globex", "initech"])
        let engine = board.engines["globex"]!
        let handler = NodePeerHandler(
            engine: engine, node: "globex", consortium: "secagg", metrics: NodeMetrics(), latestCheckpoint: { nil })
        let base = try Study.Spec.load(yaml: SecureAggregationEngineTests.spec(participants: ["globex", "initech"], secure: "true"))
        // A real advertisement (initech's) as the seed of advertisement fields.
        let seedSpec = try base.withID("s-seed")
        _ = await board.engines["initech"]!.onProposal(study: "s-seed", specJSON: try seedSpec.canonicalJSON(), from: "acme")
        let advertisement = try await board.engines["initech"]!.onAdvertiseKeys(
            study: "s-seed", round: 0, payload: .empty, parties: ["acme", "globex", "initech"], threshold: 3, from: "acme")
        var outcomes: [Outcome: Int] = [:]
        let campaign = FuzzCampaign("secure-aggregation requests", seed: 0x5EC_A001, iterations: 1_500)
        try await campaign.run { c in
            // Every 50 cases a fresh accepted study, so that stage requests reach the engine.
            let study = "s-fuzz-\(c.iteration / 50)"
            if c.iteration % 50 == 0 {
                _ = await engine.onProposal(study: study, specJSON: try base.withID(study).canonicalJSON(), from: "acme")
            }
            let requests = try Self.requestSeeds(study: study, advertisement: advertisement)
            let (kind, seed) = c.random.element(of: requests)
            let bytes = c.random.oneIn(4)
                ? FuzzProtobuf.randomMessage(using: &c.random, fields: Self.fields, payloads: [Array(study.utf8), Array("acme".utf8)])
                : FuzzProtobuf.mutate(seed, using: &c.random, fields: Self.fields, payloads: [Array(study.utf8)])
            c.input(bytes)
            let peer = c.random.oneIn(8) ? c.random.element(of: ["", "initech", "mallory"]) : "acme"
            outcomes[try await Self.deliver(kind: kind, bytes: bytes, to: handler, from: peer), default: 0] += 1
        }
        #expect(!campaign.coversAllCases || outcomes.count == 3, "\(outcomes)")
    }

    @Test("random and mutated secure-aggregation responses decode or are refused, never trap")
    func stageResponsesNeverTrap() throws {
        var revealed = Cohort_Peer_V1_RevealedShare()
        revealed.party = "acme"
        revealed.index = 2
        revealed.values = [1, 2, 3, 4, 5]
        var unmask = Cohort_Peer_V1_UnmaskResponse()
        unmask.shares = [revealed]
        var box = Cohort_Peer_V1_EncryptedShare()
        box.sender = "globex"
        box.recipient = "acme"
        box.ciphertext = Data(repeating: 1, count: SecureAggregation.ShareEncryption.boxByteCount)
        var share = Cohort_Peer_V1_ShareKeysResponse()
        share.shares = [box]
        var advert = Cohort_Peer_V1_KeyAdvertisement()
        advert.sender = "globex"
        advert.encryptionKey = Data(repeating: 9, count: 32)
        advert.maskingKey = Data(repeating: 5, count: 32)
        advert.signature = Data(repeating: 3, count: 70)
        advert.certificate = Data(repeating: 0x30, count: 600)
        var advertise = Cohort_Peer_V1_AdvertiseKeysResponse()
        advertise.advertisement = advert
        let seeds: [(Int, [UInt8])] = [(0, try advertise.serializedBytes()), (1, try share.serializedBytes()), (2, try unmask.serializedBytes())]
        var decoded = 0
        var refused = 0
        let campaign = FuzzCampaign("secure-aggregation responses", seed: 0x5EC_A002, iterations: 3_000)
        try campaign.run { c in
            let (kind, seed) = c.random.element(of: seeds)
            let bytes = c.random.oneIn(4)
                ? FuzzProtobuf.randomMessage(using: &c.random, fields: Self.fields)
                : FuzzProtobuf.mutate(seed, using: &c.random, fields: Self.fields)
            c.input(bytes)
            do {
                switch kind {
                case 0:
                    let m = try Cohort_Peer_V1_AdvertiseKeysResponse(serializedBytes: bytes)
                    _ = try SecureAggregationWire.decode(m.advertisement, study: "s", round: 0, field: "advertisement")
                case 1:
                    let m = try Cohort_Peer_V1_ShareKeysResponse(serializedBytes: bytes)
                    _ = try SecureAggregationWire.decodeSharePackage(m, study: "s", round: 0, sender: "globex")
                default:
                    let m = try Cohort_Peer_V1_UnmaskResponse(serializedBytes: bytes)
                    _ = try SecureAggregationWire.decode(m, study: "s", round: 0, sender: "globex")
                }
                decoded += 1
            } catch is BinaryDecodingError {
                refused += 1
            } catch is NodeError {
                refused += 1
            }
        }
        #expect(!campaign.coversAllCases || (decoded > 0 && refused > 0), "decoded \(decoded), refused \(refused)")
    }
}
