import CohortSecureAggregation
import CohortStudy
import CohortWire
import Foundation

/// Conversions between the secure-aggregation stage messages and their protobuf form, in both
/// directions. Decoding never traps on hostile input: every count and size is checked against a
/// limit first, and a violation throws ``NodeError`` (`invalidMessage`) naming the field.
enum SecureAggregationWire {
    /// Most parties in one aggregation (``SecureAggregation/Configuration/maximumParties``).
    static let maximumParties = SecureAggregation.Configuration.maximumParties
    /// Largest advertised certificate, bytes.
    static let maximumCertificateBytes = 16 << 10
    /// Largest ECDSA P-256 signature in DER, bytes.
    static let maximumSignatureBytes = 128
    /// Longest node name accepted in a stage message.
    static let maximumNameBytes = 256

    private static func refuse(_ field: String, _ message: String) -> NodeError {
        NodeError(.invalidMessage, "secure aggregation: \(field) \(message)")
    }

    private static func name(_ text: String, field: String) throws -> String {
        guard !text.isEmpty, text.utf8.count <= maximumNameBytes else {
            throw refuse(field, "must be a node name of 1…\(maximumNameBytes) bytes")
        }
        return text
    }

    /// A list of node names (`parties`, `holders`, `survivors`, …): at most ``maximumParties``,
    /// each non-empty and at most ``maximumNameBytes`` long.
    static func names(_ list: [String], field: String) throws -> [String] {
        guard list.count <= maximumParties else { throw refuse(field, "lists \(list.count) parties, at most \(maximumParties)") }
        return try list.enumerated().map { try name($0.element, field: "\(field)[\($0.offset)]") }
    }

    // MARK: Advertisements

    static func encode(_ signed: SignedKeyAdvertisement) -> Cohort_Peer_V1_KeyAdvertisement {
        var m = Cohort_Peer_V1_KeyAdvertisement()
        m.sender = signed.advertisement.sender
        m.encryptionKey = Data(signed.advertisement.publicKeys.encryption)
        m.maskingKey = Data(signed.advertisement.publicKeys.masking)
        m.signature = Data(signed.advertisement.signature)
        m.certificate = Data(signed.certificate)
        return m
    }

    static func decode(_ m: Cohort_Peer_V1_KeyAdvertisement, study: String, round: Int, field: String) throws -> SignedKeyAdvertisement {
        let sender = try name(m.sender, field: "\(field).sender")
        guard m.signature.count <= maximumSignatureBytes else { throw refuse("\(field).signature", "exceeds \(maximumSignatureBytes) bytes") }
        guard m.certificate.count <= maximumCertificateBytes else { throw refuse("\(field).certificate", "exceeds \(maximumCertificateBytes) bytes") }
        let keys: SecureAggregation.PublicKeys
        do { keys = try SecureAggregation.PublicKeys(encryption: Array(m.encryptionKey), masking: Array(m.maskingKey)) } catch {
            throw refuse("\(field)", "carries malformed keys: \(error)")
        }
        return SignedKeyAdvertisement(
            advertisement: SecureAggregation.KeyAdvertisement(
                study: study, round: UInt64(round), sender: sender, publicKeys: keys, signature: Array(m.signature)),
            certificate: Array(m.certificate))
    }

    /// The advertisements a `ShareKeys` request forwards: at most ``maximumParties``, each
    /// decoded as ``decode(_:study:round:field:)``.
    static func decodeAdvertisements(_ request: Cohort_Peer_V1_ShareKeysRequest) throws -> [SignedKeyAdvertisement] {
        guard request.advertisements.count <= maximumParties else {
            throw refuse("advertisements", "holds \(request.advertisements.count), at most \(maximumParties)")
        }
        return try request.advertisements.enumerated().map {
            try decode($0.element, study: request.studyID, round: Int(request.round), field: "advertisements[\($0.offset)]")
        }
    }

    // MARK: Shares

    static func encode(_ share: SecureAggregation.EncryptedShare) -> Cohort_Peer_V1_EncryptedShare {
        var m = Cohort_Peer_V1_EncryptedShare()
        m.sender = share.sender
        m.recipient = share.recipient
        m.ciphertext = Data(share.ciphertext)
        return m
    }

    static func decode(_ list: [Cohort_Peer_V1_EncryptedShare], field: String) throws -> [SecureAggregation.EncryptedShare] {
        guard list.count <= maximumParties else { throw refuse(field, "holds \(list.count) shares, at most \(maximumParties)") }
        return try list.enumerated().map { index, m in
            guard m.ciphertext.count == SecureAggregation.ShareEncryption.boxByteCount else {
                throw refuse("\(field)[\(index)].ciphertext", "must be \(SecureAggregation.ShareEncryption.boxByteCount) bytes, got \(m.ciphertext.count)")
            }
            return SecureAggregation.EncryptedShare(
                sender: try name(m.sender, field: "\(field)[\(index)].sender"),
                recipient: try name(m.recipient, field: "\(field)[\(index)].recipient"),
                ciphertext: Array(m.ciphertext))
        }
    }

    static func decodeSharePackage(_ m: Cohort_Peer_V1_ShareKeysResponse, study: String, round: Int, sender: String) throws -> SecureAggregation.SharePackage {
        SecureAggregation.SharePackage(study: study, round: UInt64(round), sender: sender, shares: try decode(m.shares, field: "shares"))
    }

    static func decodeDelivery(_ m: Cohort_Peer_V1_MaskedInputRequest, recipient: String) throws -> SecureAggregation.ShareDelivery {
        SecureAggregation.ShareDelivery(
            study: try name(m.studyID, field: "study_id"), round: UInt64(m.round), recipient: recipient,
            holders: try names(m.holders, field: "holders"), shares: try decode(m.shares, field: "shares"))
    }

    static func encode(_ delivery: SecureAggregation.ShareDelivery) throws -> Cohort_Peer_V1_MaskedInputRequest {
        var m = Cohort_Peer_V1_MaskedInputRequest()
        m.studyID = delivery.study
        m.round = try round32(delivery.round)
        m.holders = delivery.holders
        m.shares = delivery.shares.map(encode)
        return m
    }

    // MARK: Unmasking

    static func encode(_ request: SecureAggregation.UnmaskRequest) throws -> Cohort_Peer_V1_UnmaskRequest {
        var m = Cohort_Peer_V1_UnmaskRequest()
        m.studyID = request.study
        m.round = try round32(request.round)
        m.survivors = request.survivors
        m.dropped = request.dropped
        return m
    }

    static func decode(_ m: Cohort_Peer_V1_UnmaskRequest) throws -> SecureAggregation.UnmaskRequest {
        SecureAggregation.UnmaskRequest(
            study: try name(m.studyID, field: "study_id"), round: UInt64(m.round),
            survivors: try names(m.survivors, field: "survivors"), dropped: try names(m.dropped, field: "dropped"))
    }

    static func encode(_ response: SecureAggregation.UnmaskResponse) -> Cohort_Peer_V1_UnmaskResponse {
        var m = Cohort_Peer_V1_UnmaskResponse()
        m.shares = response.shares.map { revealed in
            var r = Cohort_Peer_V1_RevealedShare()
            r.party = revealed.party
            r.maskingKey = revealed.kind == .maskingKey
            r.index = UInt32(clamping: revealed.share.index)
            r.values = revealed.share.values
            return r
        }
        return m
    }

    static func decode(_ m: Cohort_Peer_V1_UnmaskResponse, study: String, round: UInt64, sender: String) throws -> SecureAggregation.UnmaskResponse {
        guard m.shares.count <= 2 * maximumParties else { throw refuse("shares", "holds \(m.shares.count) shares, at most \(2 * maximumParties)") }
        let shares = try m.shares.enumerated().map { index, r -> SecureAggregation.RevealedShare in
            let share: SecureAggregation.Shamir.Share
            do { share = try SecureAggregation.Shamir.Share(index: Int(r.index), values: r.values) } catch {
                throw refuse("shares[\(index)]", "is not a valid Shamir share: \(error)")
            }
            return SecureAggregation.RevealedShare(
                party: try name(r.party, field: "shares[\(index)].party"), kind: r.maskingKey ? .maskingKey : .selfMask, share: share)
        }
        return SecureAggregation.UnmaskResponse(study: study, round: round, sender: sender, shares: shares)
    }

    static func round32(_ round: UInt64) throws -> UInt32 {
        guard let value = UInt32(exactly: round) else { throw refuse("round", "\(round) does not fit the wire's 32 bits") }
        return value
    }
}
