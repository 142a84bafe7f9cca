public import CohortNet
public import CohortSecureAggregation
import Crypto
import Foundation
import Synchronization
import X509

/// This node's part in secure aggregation: it signs its round keys with its node identity key
/// (the key of its X.509 node certificate) and checks every other party's advertised
/// certificate against the consortium's trust bundle and revocation list, so that a lead
/// forwarding keys cannot substitute its own.
public struct SecureAggregationIdentity: Sendable {
    /// This node's name.
    public let node: String
    /// This node's certificate (DER), sent with each advertisement.
    public let certificateDER: [UInt8]
    let rawKey: [UInt8]
    let consortium: String
    let trustBundle: PKI.TrustBundle
    let revocations: PKI.RevocationList
    /// Certificates already verified (shared by copies of this identity).
    let verified = VerifiedKeyCache()

    /// Creates the identity of the node whose TLS material is `material` in `consortium`.
    /// - Throws: ``NodeError`` (`invalidConfiguration`) when the certificate names no node or
    ///   cannot be encoded.
    public init(material: PKI.NodeTLSMaterial, consortium: String) throws {
        do {
            node = try material.identity().node
            certificateDER = try PKI.derBytes(of: material.credentials.certificate)
        } catch {
            throw NodeError(.invalidConfiguration, "this node's certificate cannot identify it for secure aggregation: \(error)")
        }
        rawKey = Array(material.credentials.privateKey.rawRepresentation)
        self.consortium = consortium
        trustBundle = material.trustBundle
        revocations = material.revocations
    }

    /// This node's identity public key (the one its certificate carries), X9.63 bytes.
    var signingPublicKey: [UInt8] {
        // The raw key was taken from a valid private key, so it always decodes.
        Array((try? P256.Signing.PrivateKey(rawRepresentation: rawKey))!.publicKey.x963Representation)
    }

    /// The signer of this node's advertisements.
    public var signer: SecureAggregation.P256Signer {
        SecureAggregation.P256Signer(key: (try? P256.Signing.PrivateKey(rawRepresentation: rawKey))!)
    }

    /// Checks that `der` is a certificate of `party` in this consortium, valid now, chaining to
    /// the trust bundle and not revoked; returns its P-256 public key (X9.63 bytes).
    /// - Throws: ``NodeError`` (`invalidMessage`) saying why the certificate is refused.
    /// A certificate verified before is answered from ``VerifiedKeyCache`` until it expires (the
    /// revocation list is the one loaded when the node started, as for TLS peers).
    func verifiedKey(of party: String, certificateDER der: [UInt8], now: Date = Date()) async throws -> [UInt8] {
        if let key = verified.key(of: party, certificateDER: der, now: now) { return key }
        let certificate: Certificate
        do { certificate = try PKI.certificate(derBytes: der) } catch {
            throw NodeError(.invalidMessage, "the certificate advertised for \(party) is not valid DER: \(error)")
        }
        let verifier = PKI.PeerCertificateVerifier(
            consortium: consortium, trustBundle: trustBundle, revocations: revocations,
            expectation: .exactly(party), presenterRole: .client)
        switch await verifier.verify(chain: [certificate], now: now) {
        case .accepted:
            guard let key = P256.Signing.PublicKey(certificate.publicKey) else {
                throw NodeError(.invalidMessage, "the certificate advertised for \(party) does not carry a P-256 key")
            }
            let raw = Array(key.x963Representation)
            verified.insert(raw, of: party, certificateDER: der, until: certificate.notValidAfter)
            return raw
        case .refused(_, let reason, _):
            throw NodeError(.invalidMessage, "the certificate advertised for \(party) is refused: \(reason)")
        }
    }
}

extension SecureAggregationIdentity {
    /// The verified key of every advertisement's sender, the certificates checked concurrently
    /// (``verifiedKey(of:certificateDER:now:)``).
    /// - Throws: the first refusal.
    func verifiedKeys(of advertisements: [SignedKeyAdvertisement]) async throws -> [(String, [UInt8])] {
        try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
            for signed in advertisements {
                group.addTask {
                    let party = signed.advertisement.sender
                    return (party, try await verifiedKey(of: party, certificateDER: signed.certificate))
                }
            }
            var keys: [(String, [UInt8])] = []
            for try await pair in group { keys.append(pair) }
            return keys
        }
    }
}

/// Certificates a node has verified for secure aggregation, by party and exact DER bytes, each
/// kept until its `notValidAfter` (at most 1 024 entries; expired ones are dropped first, then
/// all). Every round of a study, and every study among the same parties, checks the same
/// certificates; this answers the repeats without rebuilding the chain.
final class VerifiedKeyCache: Sendable {
    private struct Entry: Sendable {
        var key: [UInt8]
        var until: Date
    }

    private static let capacity = 1_024
    private let entries = Mutex<[String: Entry]>([:])

    private static func id(_ party: String, _ der: [UInt8]) -> String {
        party + "|" + SHA256.hash(data: der).map { String(format: "%02x", $0) }.joined()
    }

    /// The key of a certificate verified before and still valid at `now`, else nil.
    func key(of party: String, certificateDER der: [UInt8], now: Date) -> [UInt8]? {
        let id = Self.id(party, der)
        return entries.withLock { table in
            guard let entry = table[id], now < entry.until else { return nil }
            return entry.key
        }
    }

    /// Records a verified certificate's key until `until`.
    func insert(_ key: [UInt8], of party: String, certificateDER der: [UInt8], until: Date) {
        let id = Self.id(party, der)
        let now = Date()
        entries.withLock { table in
            if table.count >= Self.capacity { table = table.filter { $0.value.until > now } }
            if table.count >= Self.capacity { table.removeAll() }
            table[id] = Entry(key: key, until: until)
        }
    }
}

/// The parties' verified identity keys of one aggregation, filled in by the driver as their
/// certificates are checked; the protocol's client and server verify signatures against it.
final class CertifiedKeyTable: SecureAggregation.AdvertisementVerifier {
    private let keys = Mutex<[String: [UInt8]]>([:])

    /// Records `party`'s verified key (X9.63 bytes).
    func insert(_ raw: [UInt8], for party: String) {
        keys.withLock { $0[party] = raw }
    }

    func isValidSignature(_ signature: [UInt8], for message: [UInt8], by party: String) -> Bool {
        guard let raw = keys.withLock({ $0[party] }), let key = try? P256.Signing.PublicKey(x963Representation: raw),
              let decoded = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
        return key.isValidSignature(decoded, for: message)
    }
}
