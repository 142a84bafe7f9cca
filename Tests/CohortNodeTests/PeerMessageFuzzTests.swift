import CohortStudy
import CohortNode
import CohortPrivacy
import CohortTestSupport
import CohortWire
import Crypto
import Foundation
import GRPCCore
import SwiftProtobuf
import Testing

/// Fuzzes every peer message decoder and the conversions applied to what it decodes: random and
/// mutated protobuf bytes (random field numbers and wire types, edge varints, truncations,
/// oversized lengths) for each `Cohort_Peer_V1_*` request, decoded with SwiftProtobuf and handed
/// to a real ``NodePeerHandler`` over an in-memory study engine; and for each response the lead
/// or a prober decodes, the lead-side conversion (cost JSON, contribution validation and
/// aggregation). Nothing may trap; the handler answers or throws an `RPCError`.
@Suite struct PeerMessageFuzzTests {
    /// The seeds: valid messages of a complete study between `acme` (lead), `globex` and `initech`.
    struct Seeds {
        var spec: Study.Spec
        var specJSON: Data
        var resultJSON: Data
        var contribution: Study.ContributionMessage
    }

    static func makeSeeds() async throws -> Seeds {
        let (mesh, _) = try StudyEngineTests.cluster()
        let spec = try Study.Spec.load(yaml: StudyEngineTests.spec).withID("s-fuzz-lead")
        guard case .completed(_, let json, _) = await mesh.engines["acme"]!.lead(spec) else {
            throw FuzzViolation(message: "the seed study did not complete")
        }
        let (other, _) = try StudyEngineTests.cluster()
        let proposed = try spec.withID("s-fuzz-seed")
        _ = await other.engines["globex"]!.onProposal(study: "s-fuzz-seed", specJSON: try proposed.canonicalJSON(), from: "acme")
        let message = try await other.engines["globex"]!.onContributionRequest(study: "s-fuzz-seed", round: 0, from: "acme")
        return Seeds(spec: proposed, specJSON: try proposed.canonicalJSON(), resultJSON: json, contribution: message)
    }

    static let requestFields: [UInt64] = [1, 2, 3, 4, 5]

    /// The wire bytes of a message.
    static func wire(_ message: some SwiftProtobuf.Message) throws -> [UInt8] {
        try message.serializedBytes()
    }

    /// Valid serialized requests of every kind, for mutation.
    static func requestSeeds(_ seeds: Seeds, study: String) throws -> [(kind: Int, bytes: [UInt8])] {
        var hello = Cohort_Peer_V1_HelloRequest()
        hello.node = "acme"
        hello.consortium = "demo"
        hello.protocolVersion = NodePeerHandler.protocolVersion
        var propose = Cohort_Peer_V1_ProposeStudyRequest()
        propose.studyID = study
        propose.specJson = try seeds.spec.withID(study).canonicalJSON()
        propose.lead = "acme"
        var contribution = Cohort_Peer_V1_ContributionRequest()
        contribution.studyID = study
        contribution.round = 0
        var publish = Cohort_Peer_V1_PublishResultRequest()
        publish.studyID = study
        publish.resultJson = seeds.resultJSON
        publish.sha256 = Data(SHA256.hash(data: seeds.resultJSON))
        var cosign = Cohort_Peer_V1_CosignRequest()
        cosign.note = "demo/acme\n7\nAAAA\n\n— acme AAAA\n"
        return [
            (0, try wire(hello)), (1, try wire(propose)), (2, try wire(contribution)), (3, try wire(publish)), (4, try wire(cosign)),
        ]
    }

    /// What became of one request.
    enum Outcome: Hashable { case undecodable, answered, refused }

    /// Hands decoded request bytes of `kind` to the handler; returns the outcome for a decoding
    /// error, a response or an `RPCError` (anything else is thrown).
    @discardableResult
    static func deliver(kind: Int, bytes: [UInt8], to handler: NodePeerHandler, from peer: String, _ c: inout FuzzCase) async throws -> Outcome {
        do {
            switch kind {
            case 0: _ = try await handler.hello(try Cohort_Peer_V1_HelloRequest(serializedBytes: bytes), from: peer)
            case 1: _ = try await handler.proposeStudy(try Cohort_Peer_V1_ProposeStudyRequest(serializedBytes: bytes), from: peer)
            case 2: _ = try await handler.requestContribution(try Cohort_Peer_V1_ContributionRequest(serializedBytes: bytes), from: peer)
            case 3:
                var request = try Cohort_Peer_V1_PublishResultRequest(serializedBytes: bytes)
                if c.random.oneIn(2) { request.sha256 = Data(SHA256.hash(data: request.resultJson)) }
                _ = try await handler.publishResult(request, from: peer)
            default: _ = try await handler.cosignCheckpoint(try Cohort_Peer_V1_CosignRequest(serializedBytes: bytes), from: peer)
            }
            return .answered
        } catch is BinaryDecodingError {
            return .undecodable
        } catch is RPCError {
            return .refused
        }
    }

    @Test("random and mutated peer requests decode and are handled without trapping")
    func peerRequestsNeverTrap() async throws {
        let seeds = try await Self.makeSeeds()
        let (mesh, _) = try StudyEngineTests.cluster(budgets: ["globex": 1_000_000])
        let handler = NodePeerHandler(
            engine: mesh.engines["globex"]!, node: "globex", consortium: "demo", metrics: NodeMetrics(),
            latestCheckpoint: { nil })
        let payloads = [Array(seeds.specJSON), Array(seeds.resultJSON), Array("acme".utf8), Array("s-fuzz-1".utf8)]
        var outcomes: [Outcome: Int] = [:]
        let campaign = FuzzCampaign("peer requests", seed: 0x9EE2_0001, iterations: 3_000)
        try await campaign.run { c in
            // Every 50 cases a fresh, valid proposal, so that contribution and result requests
            // for an accepted study reach the contribution and result conversions too.
            let study = "s-fuzz-\(c.iteration / 50)"
            let requests = try Self.requestSeeds(seeds, study: study)
            if c.iteration % 50 == 0 {
                try await Self.deliver(kind: 1, bytes: requests[1].bytes, to: handler, from: "acme", &c)
            }
            let (kind, seed) = c.random.element(of: requests)
            let bytes = c.random.oneIn(4)
                ? FuzzProtobuf.randomMessage(using: &c.random, fields: Self.requestFields, payloads: payloads)
                : FuzzProtobuf.mutate(seed, using: &c.random, fields: Self.requestFields, payloads: payloads)
            c.input(bytes)
            let peer = c.random.oneIn(8) ? c.random.element(of: ["", "initech", "mallory", "acme\u{0}"]) : "acme"
            outcomes[try await Self.deliver(kind: kind, bytes: bytes, to: handler, from: peer, &c), default: 0] += 1
        }
        // The campaign reaches all three outcomes (decoder refusal, handler answer, RPC refusal).
        #expect(!campaign.coversAllCases || outcomes.count == 3, "\(outcomes)")
    }

    static let jsonWords: [String] = [
        "null", "true", "[]", "{}", ",", ":", "\"", "\\u0000", "1e309", "-1e309", "NaN", "-0", "9223372036854775808",
        "\"cells\":[]", "\"participants\":[]", "\"spec\":{}", "\"study\":\"other\"",
    ]

    @Test("mutated published results with a valid digest are decoded and handled without trapping")
    func publishedResultsNeverTrap() async throws {
        let seeds = try await Self.makeSeeds()
        let (mesh, _) = try StudyEngineTests.cluster(budgets: ["globex": 1_000_000])
        let globex = mesh.engines["globex"]!
        let template = String(decoding: seeds.resultJSON, as: UTF8.self)
        // The spec exactly as the lead ran it (with the lead's fields, e.g. its deadline).
        let resultSpec = try Study.Result.decode(json: seeds.resultJSON).spec
        var stored = 0, refused = 0
        let campaign = FuzzCampaign("published results", seed: 0x9EE2_0004, iterations: 2_000)
        try await campaign.run { c in
            // Every 20 cases a new study that `globex` has contributed to and awaits the result of.
            let study = "s-pub-\(c.iteration / 20)"
            if c.iteration % 20 == 0 {
                _ = await globex.onProposal(study: study, specJSON: try resultSpec.withID(study).canonicalJSON(), from: "acme")
                _ = try await globex.onContributionRequest(study: study, round: 0, from: "acme")
            }
            var bytes = FuzzMutation.mutate(
                text: template.replacingOccurrences(of: "s-fuzz-lead", with: study), using: &c.random,
                dictionary: Self.jsonWords, maxSteps: 2)
            if c.random.oneIn(2) {
                let position = c.random.int(in: 0...bytes.count), number = Array(c.random.edgeNumberText().utf8)
                FuzzMutation.replaceNumber(&bytes, near: position, with: number)
            }
            c.input(bytes)
            let json = Data(bytes)
            do {
                try await globex.onPublishedResult(study: study, resultJSON: json, digest: Data(SHA256.hash(data: json)), from: "acme")
                stored += 1
            } catch is NodeError {
                refused += 1
            }
        }
        #expect(!campaign.coversAllCases || (stored > 0 && refused > 0), "stored \(stored), refused \(refused)")
    }

    /// How the lead's handling of one `ContributionResponse` ended.
    enum LeadOutcome: Hashable {
        /// SwiftProtobuf refused the bytes.
        case undecodable
        /// `cost_json` was refused on decode (malformed, oversized, out of range).
        case costRefused
        /// The message decoded but validation against the spec refused it.
        case contributionRefused
        /// The contribution was aggregated into a result.
        case aggregated
    }

    /// The lead's conversion of a `ContributionResponse` (as in `PeerDirectory`), then validation
    /// and aggregation against the study spec. Throws only for a property violation.
    static func leadHandles(_ bytes: [UInt8], seeds: Seeds, _ c: FuzzCase) throws -> LeadOutcome {
        let response: Cohort_Peer_V1_ContributionResponse
        do {
            response = try Cohort_Peer_V1_ContributionResponse(serializedBytes: bytes)
        } catch is BinaryDecodingError {
            return .undecodable
        }
        let cost: Privacy.Cost
        do {
            cost = try Study.ContributionMessage.decodeCost(json: response.costJson)
        } catch let error as StudyError {
            try c.require(error.code == .invalidContribution && (error.key ?? "").hasPrefix("cost_json"),
                          "a refused cost must name cost_json: \(error)")
            return .costRefused
        }
        let message = Study.ContributionMessage(
            study: seeds.contribution.study, round: 0, values: response.values, cost: cost, simulated: response.simulated)
        do {
            try Study.Aggregation.validate(message, from: "globex", spec: seeds.spec, study: seeds.contribution.study)
            let result = try Study.Aggregation.aggregate(
                spec: seeds.spec, lead: "acme", contributions: ["acme": seeds.contribution, "globex": message],
                startedAt: Date(timeIntervalSince1970: 0), completedAt: Date(timeIntervalSince1970: 1))
            try c.require(result.study == seeds.contribution.study, "aggregated another study")
            let globex = result.participants.first { $0.node == "globex" }
            try c.require(globex.map { $0.epsilon.isFinite && $0.epsilon <= seeds.spec.privacy.epsilon * (1 + 1e-9) } == true,
                          "published an ε beyond the spec's: \(String(describing: globex))")
            try c.require(globex?.simulatedNoise == response.simulated, "lost the simulated flag")
            if let json = try? result.canonicalJSON() {
                try c.require((try? Study.Result.decode(json: json)) != nil, "the lead cannot read back its own result")
            }
            return .aggregated
        } catch is StudyError {
            return .contributionRefused
        }
    }

    /// Tokens of the cost JSON form (``Privacy/Cost``) that a mutation splices in.
    static let costWords: [[UInt8]] = [
        "1e309", "-1", "null", "1e30", "0", "\"\"", "[]", "{}", "\"sigma_squared\":", "\"sigma_squared\":\"nan\"",
        "\"sigma_squared\":\"1/0\"", "\"rho\":", "\"epsilon\":", "\"orders\":[1.5,2]", "\"values\":[null,",
        "\"mechanism\":\"composition\"", "\"mechanism\":\"discrete-laplace\"", "\"v\":2", "\"dp-accounting-default\"",
        "\"coordinates\":\"-1\"", "\"sensitivity_l2\":\"inf\"",
    ].map { Array($0.utf8) }

    @Test("random and mutated contribution responses are converted by the lead without trapping")
    func contributionResponsesNeverTrap() async throws {
        let seeds = try await Self.makeSeeds()
        var valid = Cohort_Peer_V1_ContributionResponse()
        valid.values = seeds.contribution.values
        valid.costJson = try seeds.contribution.costJSON()
        valid.simulated = seeds.contribution.simulated
        let seed = try Self.wire(valid)
        let costJSON = Array(valid.costJson)
        var outcomes: [LeadOutcome: Int] = [:]
        let campaign = FuzzCampaign("contribution responses", seed: 0x9EE2_0002, iterations: 5_000)
        try campaign.run { c in
            var bytes: [UInt8]
            switch c.random.int(in: 0...3) {
            case 0:
                bytes = FuzzProtobuf.randomMessage(using: &c.random, fields: [1, 2, 3, 4], payloads: [costJSON])
            case 1:  // valid values with a mutated cost document
                var response = valid
                var cost = FuzzMutation.mutate(costJSON, using: &c.random, dictionary: Self.costWords)
                if c.random.oneIn(2) {
                    FuzzMutation.replaceNumber(&cost, near: c.random.int(in: 0...cost.count), with: Array(c.random.edgeNumberText().utf8))
                }
                response.costJson = Data(cost)
                response.simulated = c.random.oneIn(2)
                bytes = try Self.wire(response)
            default:
                bytes = FuzzProtobuf.mutate(seed, using: &c.random, fields: [1, 2, 3, 4], payloads: [costJSON])
            }
            c.input(bytes)
            outcomes[try Self.leadHandles(bytes, seeds: seeds, c), default: 0] += 1
        }
        // The campaign reaches every outcome: undecodable bytes, refused costs, refused and
        // aggregated contributions.
        #expect(!campaign.coversAllCases || outcomes.count == 4, "\(outcomes)")
    }

    @Test("random and mutated peer responses decode without trapping")
    func peerResponsesNeverTrap() throws {
        try FuzzCampaign("peer responses", seed: 0x9EE2_0003, iterations: 10_000).run { c in
            let bytes = FuzzProtobuf.randomMessage(using: &c.random, fields: [1, 2, 3, 4, 5], payloads: [Array("acme".utf8)])
            c.input(bytes)
            do {
                switch c.random.int(in: 0...3) {
                case 0:
                    let hello = try Cohort_Peer_V1_HelloResponse(serializedBytes: bytes)
                    _ = hello.protocolVersion == NodePeerHandler.protocolVersion && !hello.node.isEmpty
                case 1: _ = try Cohort_Peer_V1_ProposeStudyResponse(serializedBytes: bytes).accepted
                case 2: _ = try Cohort_Peer_V1_PublishResultResponse(serializedBytes: bytes).acknowledged
                default: _ = try Cohort_Peer_V1_CosignResponse(serializedBytes: bytes).cosignedNote
                }
            } catch is BinaryDecodingError {}
        }
    }

    /// Regression corpus: the contribution that crashed the lead carried `rows_used ≥ 2⁶³`
    /// (`Int(response.rowsUsed)` trapped). Field 3 is gone from the protocol; a peer still
    /// sending it must be decoded and handled like any unknown field.
    @Test("a ContributionResponse carrying rows_used (field 3) at the Int64 edge is handled", arguments: [
        UInt64(1) << 63, .max, (UInt64(1) << 63) - 1, 0,
    ])
    func rowsUsedEdgeIsIgnored(_ rowsUsed: UInt64) async throws {
        let seeds = try await Self.makeSeeds()
        var valid = Cohort_Peer_V1_ContributionResponse()
        valid.values = seeds.contribution.values
        valid.costJson = try seeds.contribution.costJSON()
        valid.simulated = seeds.contribution.simulated
        let bytes = try Self.wire(valid) + FuzzProtobuf.varintField(3, rowsUsed)
        let decoded = try Cohort_Peer_V1_ContributionResponse(serializedBytes: bytes)
        #expect(decoded.values == valid.values)
        #expect(decoded.costJson == valid.costJson)
        #expect(decoded.simulated == valid.simulated)
        let message = Study.ContributionMessage(
            study: seeds.contribution.study, round: 0, values: decoded.values,
            cost: try Study.ContributionMessage.decodeCost(json: decoded.costJson), simulated: decoded.simulated)
        #expect(message == seeds.contribution)
        try Study.Aggregation.validate(message, from: "globex", spec: seeds.spec, study: seeds.contribution.study)
        let result = try Study.Aggregation.aggregate(
            spec: seeds.spec, lead: "acme", contributions: ["acme": seeds.contribution, "globex": message],
            startedAt: Date(timeIntervalSince1970: 0), completedAt: Date(timeIntervalSince1970: 1))
        #expect(result.participants.count == 2)
    }
}
