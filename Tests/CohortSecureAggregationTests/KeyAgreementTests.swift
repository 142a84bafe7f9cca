import CohortPrivacy
import CohortSecureAggregation
import Crypto
import Foundation
import Testing

/// A P-256 identity signer, as a node's X.509 ECDSA key would be wired.
struct P256Signer: SA.AdvertisementSigner {
    let raw: Data
    func signature(for message: [UInt8]) throws -> [UInt8] {
        Array(try P256.Signing.PrivateKey(rawRepresentation: raw).signature(for: message).rawRepresentation)
    }
}

struct P256Verifier: SA.AdvertisementVerifier {
    let keys: [String: Data]
    func isValidSignature(_ signature: [UInt8], for message: [UInt8], by party: String) -> Bool {
        guard let raw = keys[party], let key = try? P256.Signing.PublicKey(rawRepresentation: raw),
              let sig = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
        return key.isValidSignature(sig, for: message)
    }
}

@Suite("Key agreement, share encryption and signatures")
struct KeyAgreementTests {
    @Test("both parties of a pair derive the same seed; study, round and pair change it")
    func pairwiseSeeds() throws {
        var rng = Privacy.SeededRandomness(seed: 3)
        let a = try SA.RoundKeys(using: &rng)
        let b = try SA.RoundKeys(using: &rng)
        let c = try SA.RoundKeys(using: &rng)
        let skA = SA.Seed.random(using: &rng)
        let skB = SA.Seed.random(using: &rng)
        let pkA = Array(try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: skA.bytes).publicKey.rawRepresentation)
        let pkB = Array(try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: skB.bytes).publicKey.rawRepresentation)
        let ab = try SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: pkB, study: "s", round: 1, party: "a", peer: "b")
        let ba = try SA.KeyAgreement.pairwiseSeed(privateKey: skB, peerPublicKey: pkA, study: "s", round: 1, party: "b", peer: "a")
        #expect(ab == ba)
        #expect(try SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: pkB, study: "t", round: 1, party: "a", peer: "b") != ab)
        #expect(try SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: pkB, study: "s", round: 2, party: "a", peer: "b") != ab)
        #expect(try SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: pkB, study: "s", round: 1, party: "a", peer: "c") != ab)
        // Length-prefixed info: ("ab", "c") and ("a", "bc") must not collide.
        #expect(try SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: pkB, study: "s", round: 1, party: "ab", peer: "c")
            != SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: pkB, study: "s", round: 1, party: "a", peer: "bc"))
        // The AEAD key is a different derivation from the mask seed.
        let aead = try SA.KeyAgreement.shareEncryptionKey(privateKey: skA, peerPublicKey: pkB, study: "s", round: 1, party: "a", peer: "b").withUnsafeBytes { Array($0) }
        #expect(aead != ab.bytes)
        #expect(a.publicKeys != b.publicKeys && b.publicKeys != c.publicKeys)
        // A low-order (all-zero) peer key is refused with an error, not a crash.
        #expect { try SA.KeyAgreement.pairwiseSeed(privateKey: skA, peerPublicKey: [UInt8](repeating: 0, count: 32), study: "s", round: 1, party: "a", peer: "b") } throws: { ($0 as? SecureAggregationError)?.code == .cryptoFailure }
        #expect(!SA.KeyAgreement.isUsablePublicKey([UInt8](repeating: 0, count: 32)))
        #expect(!SA.KeyAgreement.isUsablePublicKey([1] + [UInt8](repeating: 0, count: 31)))
        #expect(!SA.KeyAgreement.isUsablePublicKey(Array(pkA.prefix(31))))
        #expect(SA.KeyAgreement.isUsablePublicKey(pkA))
    }

    @Test("encrypted shares open only for the right study, round, direction and unmodified bytes")
    func shareEncryption() throws {
        var rng = Privacy.SeededRandomness(seed: 4)
        let key = SymmetricKey(data: SA.Seed.random(using: &rng).bytes)
        let s1 = try SA.Shamir.Share(index: 2, values: [1, 2, 3, 4, 5])
        let s2 = try SA.Shamir.Share(index: 2, values: [6, 7, 8, 9, SA.PrimeField.modulus - 1])
        let box = try SA.ShareEncryption.seal(selfMask: s1, maskingKey: s2, key: key, study: "s", round: 7, sender: "a", recipient: "b")
        #expect(box.ciphertext.count == SA.ShareEncryption.boxByteCount)
        let opened = SA.ShareEncryption.open(box, key: key, study: "s", round: 7, expectedIndex: 2)
        #expect(opened?.selfMask == s1 && opened?.maskingKey == s2)
        #expect(SA.ShareEncryption.open(box, key: key, study: "other", round: 7, expectedIndex: 2) == nil)
        #expect(SA.ShareEncryption.open(box, key: key, study: "s", round: 8, expectedIndex: 2) == nil)
        #expect(SA.ShareEncryption.open(SA.EncryptedShare(sender: "b", recipient: "a", ciphertext: box.ciphertext), key: key, study: "s", round: 7, expectedIndex: 2) == nil)
        #expect(SA.ShareEncryption.open(box, key: key, study: "s", round: 7, expectedIndex: 3) == nil)
        for position in [0, 20, box.ciphertext.count - 1] {
            var bytes = box.ciphertext
            bytes[position] ^= 0x01
            #expect(SA.ShareEncryption.open(SA.EncryptedShare(sender: "a", recipient: "b", ciphertext: bytes), key: key, study: "s", round: 7, expectedIndex: 2) == nil)
        }
        #expect(SA.ShareEncryption.open(SA.EncryptedShare(sender: "a", recipient: "b", ciphertext: Array(box.ciphertext.prefix(50))), key: key, study: "s", round: 7, expectedIndex: 2) == nil)
    }

    @Test("a full aggregation works with P-256 identity signatures as well as Ed25519")
    func p256Identities() throws {
        let names = ["alpha", "bravo", "charlie", "delta"]
        let config = try SA.Configuration(study: "p256", round: 3, parties: names, threshold: 3, vectorLength: 3, inputBound: 1000)
        var rng = Privacy.SeededRandomness(seed: 5)
        var priv: [String: P256.Signing.PrivateKey] = [:]
        for n in names { priv[n] = P256.Signing.PrivateKey() }
        let verifier = P256Verifier(keys: priv.mapValues { $0.publicKey.rawRepresentation })
        var clients: [String: SA.Client] = [:]
        for (k, n) in names.enumerated() {
            clients[n] = try SA.Client(configuration: config, party: n, input: [Int64(k), -Int64(k * 10), 999], signer: P256Signer(raw: priv[n]!.rawRepresentation), verifier: verifier)
        }
        var server = SA.Server(configuration: config, verifier: verifier)
        var pending: [(SA.ClientMessage, String)] = []
        for n in names { pending += sentMessages(clients[n]!.start(using: &rng)).map { ($0, n) } }
        var released: SA.AggregateResult?
        for _ in 0 ..< 4 where released == nil {
            var outgoing: [(SA.ServerMessage, String)] = []
            for (m, from) in pending where released == nil {
                let d = server.onClientMessage(m, from: from)
                outgoing += serverSends(d)
                for case .release(let r) in d { released = r }
                #expect(refusalReasons(d).isEmpty)
            }
            pending = []
            for (m, to) in outgoing {
                let d = clients[to]!.onServerMessage(m, using: &rng)
                #expect(refusalReasons(d).isEmpty)
                pending += sentMessages(d).map { ($0, to) }
            }
        }
        #expect(released?.values == [6, -60, 3996])
    }
}
