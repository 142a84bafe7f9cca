import CohortPrivacy
import CohortSecureAggregation
import Crypto

typealias SA = SecureAggregation

/// Drives clients and a server step by step in memory, exposing every message (for the tests
/// that replay, tamper with or reorder messages). Identity keys are Ed25519 made from a seed.
struct Harness {
    var configuration: SA.Configuration
    var clients: [String: SA.Client] = [:]
    var server: SA.Server
    var rng: Privacy.SeededRandomness
    let verifier: SA.Ed25519Verifier
    var signingKeys: [String: Curve25519.Signing.PrivateKey] = [:]

    init(parties n: Int, threshold: Int? = nil, vectorLength: Int = 4, bound: UInt64 = 1 << 30, inputs: [[Int64]]? = nil, seed: UInt64 = 1, study: String = "study-a", round: UInt64 = 1) throws {
        let names = (0 ..< n).map { "node-\($0)" }
        configuration = try SA.Configuration(study: study, round: round, parties: names, threshold: threshold ?? SA.Configuration.minimumThreshold(parties: n), vectorLength: vectorLength, inputBound: bound)
        rng = Privacy.SeededRandomness(seed: seed)
        for p in names {
            signingKeys[p] = try Curve25519.Signing.PrivateKey(rawRepresentation: SA.Seed.random(using: &rng).bytes)
        }
        verifier = SA.Ed25519Verifier(keys: signingKeys.mapValues(\.publicKey))
        server = SA.Server(configuration: configuration, verifier: verifier)
        for (k, p) in names.enumerated() {
            let input = inputs?[k] ?? (0 ..< vectorLength).map { Int64(k * 100 + $0) }
            clients[p] = try SA.Client(configuration: configuration, party: p, input: input, signer: SA.Ed25519Signer(key: signingKeys[p]!), verifier: verifier)
        }
    }

    var parties: [String] { configuration.parties }

    mutating func start(_ p: String) -> [SA.Client.Directive] {
        clients[p]!.start(using: &rng)
    }

    mutating func deliver(_ m: SA.ServerMessage, to p: String) -> [SA.Client.Directive] {
        clients[p]!.onServerMessage(m, using: &rng)
    }

    mutating func send(_ m: SA.ClientMessage, from p: String) -> [SA.Server.Directive] {
        server.onClientMessage(m, from: p)
    }
}

/// The messages in client directives.
func sentMessages(_ d: [SA.Client.Directive]) -> [SA.ClientMessage] {
    d.compactMap { if case .send(let m) = $0 { m } else { nil } }
}

/// The (message, recipient) pairs in server directives.
func serverSends(_ d: [SA.Server.Directive]) -> [(SA.ServerMessage, String)] {
    d.compactMap { if case .send(let m, let to) = $0 { (m, to) } else { nil } }
}

func refusalReasons(_ d: [SA.Client.Directive]) -> [SA.Refusal.Reason] {
    d.compactMap { if case .refused(let r) = $0 { r.reason } else { nil } }
}

func refusalReasons(_ d: [SA.Server.Directive]) -> [SA.Refusal.Reason] {
    d.compactMap { if case .refused(let r) = $0 { r.reason } else { nil } }
}

extension Harness {
    /// Advances every party in `parties` through stage 1 and returns the rosters sent.
    mutating func stage1(skip: Set<String> = []) -> [SA.Server.Directive] {
        var out = [SA.Server.Directive]()
        for p in parties where !skip.contains(p) {
            for m in sentMessages(start(p)) { out += send(m, from: p) }
        }
        return out
    }

    /// Delivers `directives`' messages to their recipients (except `skip`), sends the replies to
    /// the server, and returns the server's directives.
    mutating func relay(_ directives: [SA.Server.Directive], skip: Set<String> = []) -> [SA.Server.Directive] {
        var out = [SA.Server.Directive]()
        for (m, to) in serverSends(directives) where !skip.contains(to) {
            for reply in sentMessages(deliver(m, to: to)) { out += send(reply, from: to) }
        }
        return out
    }
}
