import CohortPrivacy
import Crypto

extension SecureAggregation {
    /// Runs a whole aggregation in memory: n ``Client``s and one ``Server`` exchanging messages
    /// through queues, with dropouts injected at chosen points. For tests, simulations and the
    /// benchmark; randomness is the seeded simulation stream and identity keys are made up, so
    /// its results are never private.
    public enum LocalRun {
        /// Where a party stops: it sends nothing from that point on.
        public enum DropPoint: Int, Sendable, Hashable, CaseIterable, Comparable {
            /// Never advertises keys.
            case beforeAdvertising
            /// Advertises keys, never sends shares.
            case beforeSharing
            /// Sends its shares, never its masked input (the case Bonawitz's recovery is for).
            case beforeMaskedInput
            /// Sends its masked input, never answers the unmask request.
            case beforeUnmasking

            /// Earlier stages first.
            public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
        }

        /// What happened.
        public struct Outcome: Sendable {
            /// The released aggregate, or `nil` when nothing was released.
            public let result: AggregateResult?
            /// The server's failure, when the aggregation failed.
            public let failure: SecureAggregationError?
            /// Every refusal by any state machine (empty in an honest run).
            public let refusals: [Refusal]
            /// Messages delivered (both directions).
            public let messages: Int
            /// Words of masked input the lead received (8 bytes each).
            public let maskedWords: Int
        }

        /// Runs one aggregation of `inputs` (party → vector) with parties stopping at `dropouts`.
        /// Bounded: at most 8 stage deadlines and n·16 + 64 message deliveries per stage.
        /// - Throws: ``SecureAggregationError`` when an input does not fit the configuration
        ///   or a party has no input.
        public static func run(configuration: Configuration, inputs: [String: [Int64]], dropouts: [String: DropPoint] = [:], seed: UInt64) throws -> Outcome {
            var rng = Privacy.SeededRandomness(seed: seed)
            var signingKeys: [String: Curve25519.Signing.PrivateKey] = [:]
            for p in configuration.parties {
                let raw = Seed.random(using: &rng).bytes
                do { signingKeys[p] = try Curve25519.Signing.PrivateKey(rawRepresentation: raw) } catch {
                    throw SecureAggregationError(.cryptoFailure, "identity key for \(p): \(error)")
                }
            }
            let verifier = Ed25519Verifier(keys: signingKeys.mapValues(\.publicKey))
            var clients: [String: Client] = [:]
            for p in configuration.parties {
                guard let input = inputs[p] else { throw SecureAggregationError(.invalidInput, "no input for party \(p)") }
                guard let key = signingKeys[p] else { continue }
                clients[p] = try Client(configuration: configuration, party: p, input: input, signer: Ed25519Signer(key: key), verifier: verifier)
            }
            var server = Server(configuration: configuration, verifier: verifier)
            var toServer: [(ClientMessage, String)] = []
            var toClients: [(ServerMessage, String)] = []
            var refusals: [Refusal] = []
            var dead = Set<String>()
            var result: AggregateResult?
            var failure: SecureAggregationError?
            var messages = 0
            var maskedWords = 0

            func point(of message: ClientMessage) -> DropPoint {
                switch message {
                case .advertisement: .beforeAdvertising
                case .sharePackage: .beforeSharing
                case .maskedInput: .beforeMaskedInput
                case .unmaskResponse: .beforeUnmasking
                }
            }
            func handle(_ party: String, _ directives: [Client.Directive]) {
                for d in directives {
                    switch d {
                    case .send(let m):
                        if let drop = dropouts[party], drop <= point(of: m) { dead.insert(party) }
                        if !dead.contains(party) { toServer.append((m, party)) }
                    case .refused(let r): refusals.append(r)
                    case .failed: dead.insert(party)
                    case .finished: break
                    }
                }
            }
            func handle(_ directives: [Server.Directive]) {
                for d in directives {
                    switch d {
                    case .send(let m, let to): toClients.append((m, to))
                    case .release(let r): result = r
                    case .refused(let r): refusals.append(r)
                    case .failed(let e): failure = e
                    }
                }
            }

            for p in configuration.parties {
                if dropouts[p] == .beforeAdvertising { dead.insert(p); continue }
                guard var c = clients[p] else { continue }
                let directives = c.start(using: &rng)
                clients[p] = c
                handle(p, directives)
            }
            let deliveryLimit = configuration.parties.count * 16 + 64
            for _ in 0 ..< 8 {
                var deliveries = 0
                while (!toServer.isEmpty || !toClients.isEmpty) && deliveries < deliveryLimit {
                    let incoming = toServer
                    toServer.removeAll()
                    for (m, from) in incoming {
                        // Once released or failed, later messages (e.g. unmask responses beyond t) are moot.
                        if server.stage == .released || server.stage == .failed { break }
                        deliveries += 1
                        messages += 1
                        if case .maskedInput(let mi) = m { maskedWords += mi.values.count }
                        handle(server.onClientMessage(m, from: from))
                    }
                    let outgoing = toClients
                    toClients.removeAll()
                    for (m, to) in outgoing {
                        deliveries += 1
                        messages += 1
                        guard !dead.contains(to), var c = clients[to] else { continue }
                        let directives = c.onServerMessage(m, using: &rng)
                        clients[to] = c
                        handle(to, directives)
                    }
                }
                if server.stage == .released || server.stage == .failed { break }
                handle(server.onStageDeadline())
            }
            return Outcome(result: result, failure: failure, refusals: refusals, messages: messages, maskedWords: maskedWords)
        }
    }
}
