import CohortNet
import CohortSecureAggregation
import CohortStudy
import Foundation

/// The lead's side of one securely aggregated study round (`docs/secure-aggregation.md`).
///
/// It drives a ``CohortSecureAggregation/SecureAggregation/Server`` and the lead's own
/// ``CohortSecureAggregation/SecureAggregation/Client`` (the lead takes part with its own noised
/// contribution) and carries out every `send` directive: to itself in process, to a participant
/// through its stage RPC, the participants of a stage called concurrently. A stage ends when
/// every expected party has answered or failed, each call bounded by `stageTimeout`; a party
/// that fails or times out has dropped out of the round, which the protocol recovers from as
/// long as t parties remain. Certificates advertised with the keys are verified before any
/// signature is checked against them.
enum SecureAggregationLeadRound {
    /// What one round produced.
    struct Outcome: Sendable {
        /// The report for the lead's machine.
        var report: Study.SecureRound
        /// The protocol's view: survivors, recovered dropouts, excluded parties.
        var aggregate: SecureAggregation.AggregateResult
    }

    /// Why a round could not be aggregated.
    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// Runs the round; returns the survivors' unmasked sum or the reason it failed (nothing is
    /// released then). O(n²·L) mask work on the lead for n parties and L coordinates at most.
    ///
    /// `record` puts the aggregation on the lead's audit record (survivors, recovered
    /// dropouts) when the lead asks for the unmasking, while the participants write theirs
    /// before answering; it runs beside the unmask calls, and the sum is returned only once it
    /// succeeded (a failed record fails the round with nothing released).
    static func run(
        study: String, round: Int, own: Study.ContributionMessage, parties: [String], threshold: Int,
        lead: String, payload: Study.RoundPayload, identity: SecureAggregationIdentity?,
        peers: any StudyPeerCalls, stageTimeout: Duration,
        record: @escaping @Sendable (_ survivors: [String], _ dropouts: [String]) async throws -> Void
    ) async -> Result<Outcome, Failure> {
        guard let identity else {
            return .failure(Failure(description: "\(lead) has no node identity key loaded for secure aggregation"))
        }
        let configuration: SecureAggregation.Configuration
        do {
            configuration = try Self.configuration(
                study: study, round: round, parties: parties, threshold: threshold, length: own.values.count)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
        let table = CertifiedKeyTable()
        table.insert(identity.signingPublicKey, for: lead)
        var server = SecureAggregation.Server(configuration: configuration, verifier: table)
        var client: SecureAggregation.Client
        do {
            client = try SecureAggregation.Client(
                configuration: configuration, party: lead, input: own.values.map { Int64(bitPattern: $0) },
                signer: identity.signer, verifier: table)
        } catch {
            return .failure(Failure(description: "the lead's own contribution cannot be masked: \(error)"))
        }
        var rng = SystemRandomNumberGenerator()
        var messages: [String: Study.ContributionMessage] = [lead: own]
        var certificates: [String: [UInt8]] = [lead: identity.certificateDER]
        var notes: [String] = []
        var recorded: (survivors: [String], dropouts: [String])?

        // Stage 1: the lead's own keys, then every participant's (each computes its contribution).
        var pending: [SecureAggregation.Server.Directive] = []
        for directive in client.start(using: &rng) {
            if case .send(let message) = directive { pending += server.onClientMessage(message, from: lead) }
        }
        let others = parties.filter { $0 != lead }.map { ($0, ()) }
        let adverts = await concurrently(others, timeout: stageTimeout) { peer, _ in
            let signed = try await peers.advertiseKeys(
                from: peer, study: study, round: round, payload: payload, parties: parties, threshold: threshold)
            let key = try await identity.verifiedKey(of: peer, certificateDER: signed.certificate)
            return (signed, key)
        }
        for (peer, result) in adverts {
            switch result {
            case .success(let (signed, key)):
                table.insert(key, for: peer)
                certificates[peer] = signed.certificate
                pending += server.onClientMessage(.advertisement(signed.advertisement), from: peer)
            case .failure(let error):
                notes.append("\(peer) did not advertise keys: \(error)")
            }
        }
        if server.stage == .collectingKeys { pending += server.onStageDeadline() }

        // Stages 2–4: carry out the server's sends until it releases or fails.
        while true {
            for directive in pending {
                switch directive {
                case .release(let aggregate):
                    guard let recorded, recorded.survivors.sorted() == aggregate.survivors.sorted(),
                          recorded.dropouts.sorted() == aggregate.dropoutsRecovered.sorted() else {
                        return .failure(Failure(description: "the released aggregation is not the one the lead recorded before unmasking"))
                    }
                    let survivors = Set(aggregate.survivors)
                    let report = Study.SecureRound(
                        round: round, messages: messages.filter { survivors.contains($0.key) }, sum: aggregate.sum,
                        dropouts: aggregate.dropoutsRecovered)
                    return .success(Outcome(report: report, aggregate: aggregate))
                case .failed(let error):
                    let why = notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"
                    return .failure(Failure(description: "\(error.description)\(why)"))
                case .refused(let refusal):
                    notes.append("refused: \(refusal)")
                case .send:
                    break
                }
            }
            let sends: [(SecureAggregation.ServerMessage, String)] = pending.compactMap {
                if case .send(let message, let to) = $0 { return (message, to) } else { return nil }
            }
            pending = []
            guard !sends.isEmpty else {
                return .failure(Failure(description: "the aggregation stalled in stage \(server.stage)"))
            }
            let stage = server.stage
            for (message, to) in sends where to == lead {
                for directive in client.onServerMessage(message, using: &rng) {
                    switch directive {
                    case .send(let reply): pending += server.onClientMessage(reply, from: lead)
                    case .refused(let refusal):
                        return .failure(Failure(description: "the lead's own client refused the \(stage) message: \(refusal)"))
                    case .failed(let error):
                        return .failure(Failure(description: "the lead's own client failed: \(error)"))
                    case .finished: break
                    }
                }
            }
            let calls = sends.filter { $0.1 != lead }.map { ($0.1, $0.0) }
            let certified = certificates
            var recording: Task<Result<Void, any Error>, Never>?
            if case .unmaskRequest(let request)? = sends.first?.0 {
                recorded = (request.survivors, request.dropped)
                recording = Task { do { return .success(try await record(request.survivors, request.dropped)) } catch { return .failure(error) } }
            }
            let replies = await concurrently(calls, timeout: stageTimeout) { peer, message -> (SecureAggregation.ClientMessage, Study.ContributionMessage?) in
                switch message {
                case .keyRoster(let roster):
                    let signed = roster.advertisements.map {
                        SignedKeyAdvertisement(advertisement: $0, certificate: certified[$0.sender] ?? [])
                    }
                    let package = try await peers.shareKeys(from: peer, study: study, round: round, advertisements: signed)
                    return (.sharePackage(package), nil)
                case .shareDelivery(let delivery):
                    let contribution = try await peers.submitMaskedInput(from: peer, delivery: delivery)
                    guard contribution.study == study, contribution.round == round else {
                        throw Failure(description: "\(peer) answered for study \(contribution.study) round \(contribution.round + 1)")
                    }
                    let masked = SecureAggregation.MaskedInput(
                        study: study, round: UInt64(round), sender: peer, values: contribution.values)
                    return (.maskedInput(masked), contribution)
                case .unmaskRequest(let request):
                    return (.unmaskResponse(try await peers.unmask(from: peer, request: request)), nil)
                }
            }
            if let recording, case .failure(let error) = await recording.value {
                return .failure(Failure(description: "the aggregation could not be written to the lead's audit log: \(error)"))
            }
            for (peer, result) in replies {
                switch result {
                case .success(let (reply, contribution)):
                    if let contribution { messages[peer] = contribution }
                    pending += server.onClientMessage(reply, from: peer)
                case .failure(let error):
                    notes.append("\(peer) dropped out in stage \(stage): \(error)")
                }
            }
            if server.stage == stage { pending += server.onStageDeadline() }
        }
    }

    /// The configuration every party of a round builds from the agreed parties and threshold,
    /// with the input bound B = ⌊(2⁶³ − 1)/n⌋, so that the sum of n parties can never wrap mod
    /// 2⁶⁴.
    /// - Throws: ``CohortSecureAggregation/SecureAggregationError`` for an invalid configuration.
    static func configuration(
        study: String, round: Int, parties: [String], threshold: Int, length: Int
    ) throws -> SecureAggregation.Configuration {
        try SecureAggregation.Configuration(
            study: study, round: UInt64(round), parties: parties, threshold: threshold, vectorLength: length,
            inputBound: UInt64(Int64.max) / UInt64(max(parties.count, 1)))
    }

    /// Calls `body` for every (peer, item) concurrently, each bounded by `timeout`; results in
    /// the order given.
    private static func concurrently<Item: Sendable, T: Sendable>(
        _ calls: [(String, Item)], timeout: Duration, _ body: @escaping @Sendable (String, Item) async throws -> T
    ) async -> [(String, Result<T, any Error>)] {
        await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
            for (index, (peer, item)) in calls.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await withTimeout(timeout) { try await body(peer, item) }))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            var results = [(Int, Result<T, any Error>)]()
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { (calls[$0.0].0, $0.1) }
        }
    }
}
