extension SecureAggregation {
    /// Which secret of a party a revealed share belongs to.
    public enum ShareKind: String, Sendable, Hashable, Codable {
        /// A share of the party's self-mask seed b_u (revealed for survivors).
        case selfMask
        /// A share of the party's masking private key s_sk_u (revealed for dropouts).
        case maskingKey
    }

    /// Stage 1, party → lead: a party's fresh public keys, signed by its node identity key.
    public struct KeyAdvertisement: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round within the study.
        public let round: UInt64
        /// The advertising party.
        public let sender: String
        /// Its X25519 public keys for this round.
        public let publicKeys: PublicKeys
        /// Identity-key signature over ``signedBytes``.
        public let signature: [UInt8]

        /// Creates an advertisement (signature made by ``AdvertisementSigner`` over ``signedBytes``).
        public init(study: String, round: UInt64, sender: String, publicKeys: PublicKeys, signature: [UInt8]) {
            self.study = study
            self.round = round
            self.sender = sender
            self.publicKeys = publicKeys
            self.signature = signature
        }

        /// The canonical bytes that are signed: label, study, round, sender, c_pk, s_pk.
        public var signedBytes: [UInt8] {
            Self.signedBytes(study: study, round: round, sender: sender, publicKeys: publicKeys)
        }

        static func signedBytes(study: String, round: UInt64, sender: String, publicKeys: PublicKeys) -> [UInt8] {
            var b = CanonicalBytes("advertise-keys")
            b.append(study)
            b.append(round)
            b.append(sender)
            b.append(raw: publicKeys.encryption)
            b.append(raw: publicKeys.masking)
            return b.bytes
        }
    }

    /// Stage 1, lead → each party: every advertisement the lead received (the set U1).
    public struct KeyRoster: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round.
        public let round: UInt64
        /// The advertisements, in roster order.
        public let advertisements: [KeyAdvertisement]

        /// Creates a roster.
        public init(study: String, round: UInt64, advertisements: [KeyAdvertisement]) {
            self.study = study
            self.round = round
            self.advertisements = advertisements
        }
    }

    /// One AEAD-encrypted pair of shares from `sender` to `recipient`.
    public struct EncryptedShare: Sendable, Hashable {
        /// The party whose secrets are shared.
        public let sender: String
        /// The party that holds the shares.
        public let recipient: String
        /// ChaChaPoly combined box: 12-byte nonce ‖ 84-byte ciphertext ‖ 16-byte tag.
        public let ciphertext: [UInt8]

        /// Creates an encrypted share.
        public init(sender: String, recipient: String, ciphertext: [UInt8]) {
            self.sender = sender
            self.recipient = recipient
            self.ciphertext = ciphertext
        }
    }

    /// Stage 2, party → lead: the party's shares for every other party of U1.
    public struct SharePackage: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round.
        public let round: UInt64
        /// The sharing party.
        public let sender: String
        /// One encrypted share per other party in U1.
        public let shares: [EncryptedShare]

        /// Creates a share package.
        public init(study: String, round: UInt64, sender: String, shares: [EncryptedShare]) {
            self.study = study
            self.round = round
            self.sender = sender
            self.shares = shares
        }
    }

    /// Stage 2, lead → each party of U2: the set U2 and the shares addressed to the recipient.
    public struct ShareDelivery: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round.
        public let round: UInt64
        /// The party this delivery is for.
        public let recipient: String
        /// U2: the parties that sent their shares, in roster order (masks are computed with these).
        public let holders: [String]
        /// The encrypted shares from every other member of U2 to `recipient`.
        public let shares: [EncryptedShare]

        /// Creates a delivery.
        public init(study: String, round: UInt64, recipient: String, holders: [String], shares: [EncryptedShare]) {
            self.study = study
            self.round = round
            self.recipient = recipient
            self.holders = holders
            self.shares = shares
        }
    }

    /// Stage 3, party → lead: the masked input y_u (uniform mod 2⁶⁴ to the lead).
    public struct MaskedInput: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round.
        public let round: UInt64
        /// The contributing party.
        public let sender: String
        /// `x_u + PRG(b_u) + Σ_v ±PRG(s_{u,v})` mod 2⁶⁴, one word per coordinate.
        public let values: [UInt64]

        /// Creates a masked input.
        public init(study: String, round: UInt64, sender: String, values: [UInt64]) {
            self.study = study
            self.round = round
            self.sender = sender
            self.values = values
        }
    }

    /// Stage 4, lead → each survivor: who survived (U3) and who dropped after sharing (U2 \ U3).
    public struct UnmaskRequest: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round.
        public let round: UInt64
        /// Parties whose masked input arrived: their self-mask shares are asked for.
        public let survivors: [String]
        /// Parties that shared keys but sent no masked input: their masking-key shares are asked for.
        public let dropped: [String]

        /// Creates an unmask request.
        public init(study: String, round: UInt64, survivors: [String], dropped: [String]) {
            self.study = study
            self.round = round
            self.survivors = survivors
            self.dropped = dropped
        }
    }

    /// One share revealed to the lead at stage 4.
    public struct RevealedShare: Sendable, Hashable {
        /// The party whose secret the share belongs to.
        public let party: String
        /// Which secret.
        public let kind: ShareKind
        /// The share (index = the revealing party's roster index).
        public let share: Shamir.Share

        /// Creates a revealed share.
        public init(party: String, kind: ShareKind, share: Shamir.Share) {
            self.party = party
            self.kind = kind
            self.share = share
        }
    }

    /// Stage 4, survivor → lead: its shares for the request's survivors and dropouts.
    public struct UnmaskResponse: Sendable, Hashable {
        /// Study id.
        public let study: String
        /// Aggregation round.
        public let round: UInt64
        /// The revealing party.
        public let sender: String
        /// One self-mask share per survivor and one masking-key share per dropout.
        public let shares: [RevealedShare]

        /// Creates an unmask response.
        public init(study: String, round: UInt64, sender: String, shares: [RevealedShare]) {
            self.study = study
            self.round = round
            self.sender = sender
            self.shares = shares
        }
    }

    /// Any message a party sends to the lead.
    public enum ClientMessage: Sendable, Hashable {
        /// Stage 1.
        case advertisement(KeyAdvertisement)
        /// Stage 2.
        case sharePackage(SharePackage)
        /// Stage 3.
        case maskedInput(MaskedInput)
        /// Stage 4.
        case unmaskResponse(UnmaskResponse)
    }

    /// Any message the lead sends to a party.
    public enum ServerMessage: Sendable, Hashable {
        /// End of stage 1.
        case keyRoster(KeyRoster)
        /// End of stage 2.
        case shareDelivery(ShareDelivery)
        /// End of stage 3.
        case unmaskRequest(UnmaskRequest)
    }
}
