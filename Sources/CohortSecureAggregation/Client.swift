import Crypto

extension SecureAggregation {
    /// One party's side of the protocol (the lead takes part through its own `Client` too).
    ///
    /// A pure `Sendable` state machine: feed it the lead's messages, carry out the returned
    /// directives. Messages of the wrong study, round or stage, replays and tampered messages are
    /// refused with a ``Refusal`` and change nothing. Stages: created → advertised → sharesSent →
    /// maskedInputSent → finished (or failed). Every step is O(n·L) at most (mask expansion).
    public struct Client: Sendable {
        /// Where the party is in the protocol.
        public enum Stage: Sendable, Hashable {
            /// Keys not generated yet.
            case created
            /// Keys advertised; waiting for the roster.
            case advertised
            /// Shares sent; waiting for the share delivery.
            case sharesSent
            /// Masked input sent; waiting for the unmask request.
            case maskedInputSent
            /// Shares revealed; nothing more to do.
            case finished
            /// A local failure (signing, crypto) stopped this party.
            case failed
        }

        /// What the caller must do after a call.
        public enum Directive: Sendable, Hashable {
            /// Send this message to the lead.
            case send(ClientMessage)
            /// The incoming message was refused (state unchanged).
            case refused(Refusal)
            /// This party cannot continue (local error); the round proceeds without it.
            case failed(SecureAggregationError)
            /// This party's part is done.
            case finished
        }

        /// The configuration of this aggregation.
        public let configuration: Configuration
        /// This party's name.
        public let party: String
        /// This party's Shamir index (1-based roster position).
        public let index: Int
        /// The current stage.
        public private(set) var stage: Stage = .created

        let signer: any AdvertisementSigner
        let verifier: any AdvertisementVerifier
        let encodedInput: [UInt64]
        var keys: RoundKeys?
        /// Per peer of U1: the AEAD key for shares and the pairwise mask seed (derived once).
        var peerSecrets: [String: (shareKey: Seed, maskSeed: Seed)] = [:]
        var selfMaskSeed: Seed?
        var ownShares: (selfMask: Shamir.Share, maskingKey: Shamir.Share)?
        var heldShares: [String: (selfMask: Shamir.Share, maskingKey: Shamir.Share)] = [:]
        var holders: [String] = []
        var revealed: [String: ShareKind] = [:]

        /// Creates `party`'s state machine for one aggregation with its input (noise already added).
        /// - Throws: ``SecureAggregationError/Code/invalidParameter`` when `party` is not in the
        ///   configuration; ``SecureAggregationError/Code/invalidInput`` when the input has the
        ///   wrong length or exceeds the bound.
        public init(configuration: Configuration, party: String, input: [Int64], signer: any AdvertisementSigner, verifier: any AdvertisementVerifier) throws {
            guard let index = configuration.index(of: party) else {
                throw SecureAggregationError(.invalidParameter, "\(party) is not a party of study \(configuration.study) round \(configuration.round)")
            }
            self.configuration = configuration
            self.party = party
            self.index = index
            self.encodedInput = try configuration.encode(input)
            self.signer = signer
            self.verifier = verifier
        }

        /// Stage 1: generates fresh X25519 keys from `rng` (a CSPRNG outside tests) and returns the
        /// signed advertisement to send.
        public mutating func start(using rng: inout some RandomNumberGenerator) -> [Directive] {
            guard stage == .created else { return [.refused(Refusal(.outOfStage, "\(party) has already started"))] }
            do {
                let keys = try RoundKeys(using: &rng)
                let bytes = KeyAdvertisement.signedBytes(study: configuration.study, round: configuration.round, sender: party, publicKeys: keys.publicKeys)
                let signature: [UInt8]
                do { signature = try signer.signature(for: bytes) } catch {
                    throw SecureAggregationError(.cryptoFailure, "\(party) could not sign its key advertisement: \(error)")
                }
                self.keys = keys
                stage = .advertised
                return [.send(.advertisement(KeyAdvertisement(study: configuration.study, round: configuration.round, sender: party, publicKeys: keys.publicKeys, signature: signature)))]
            } catch {
                stage = .failed
                return [.failed(error as? SecureAggregationError ?? SecureAggregationError(.cryptoFailure, "\(error)"))]
            }
        }

        /// Dispatches a lead message to the matching handler.
        public mutating func onServerMessage(_ message: ServerMessage, using rng: inout some RandomNumberGenerator) -> [Directive] {
            switch message {
            case .keyRoster(let m): onKeyRoster(m, using: &rng)
            case .shareDelivery(let m): onShareDelivery(m)
            case .unmaskRequest(let m): onUnmaskRequest(m)
            }
        }

        func checkHeader(study: String, round: UInt64, what: String) -> Refusal? {
            if study != configuration.study { return Refusal(.wrongStudy, "\(what) is for study \(study), this aggregation is \(configuration.study)") }
            if round != configuration.round { return Refusal(.wrongRound, "\(what) is for round \(round), this aggregation is round \(configuration.round)") }
            return nil
        }

        /// Stage 2: checks the roster U1 (signatures, own keys unchanged, at least t parties),
        /// Shamir-shares the self-mask seed and the masking key, and returns the encrypted shares.
        /// Draws the self-mask seed and polynomial coefficients from `rng` (a CSPRNG outside tests).
        public mutating func onKeyRoster(_ roster: KeyRoster, using rng: inout some RandomNumberGenerator) -> [Directive] {
            switch stage {
            case .advertised: break
            case .created, .failed: return [.refused(Refusal(.outOfStage, "\(party) received a key roster before advertising its keys"))]
            default: return [.refused(Refusal(.replayed, "\(party) already processed the key roster"))]
            }
            if let r = checkHeader(study: roster.study, round: roster.round, what: "key roster") { return [.refused(r)] }
            guard let keys else { return [.refused(Refusal(.outOfStage, "no keys"))] }
            var table: [String: PublicKeys] = [:]
            var seenKeys = Set<[UInt8]>()
            for ad in roster.advertisements {
                if let r = checkHeader(study: ad.study, round: ad.round, what: "advertisement of \(ad.sender)") { return [.refused(r)] }
                guard configuration.index(of: ad.sender) != nil else {
                    return [.refused(Refusal(.unknownSender, "roster contains \(ad.sender), not a party of this aggregation"))]
                }
                guard table[ad.sender] == nil else { return [.refused(Refusal(.malformed, "roster lists \(ad.sender) twice"))] }
                guard verifier.isValidSignature(ad.signature, for: ad.signedBytes, by: ad.sender) else {
                    return [.refused(Refusal(.badSignature, "advertisement of \(ad.sender) does not carry a valid signature by its identity key"))]
                }
                guard seenKeys.insert(ad.publicKeys.encryption).inserted, seenKeys.insert(ad.publicKeys.masking).inserted else {
                    return [.refused(Refusal(.malformed, "roster repeats a public key (at \(ad.sender))"))]
                }
                table[ad.sender] = ad.publicKeys
            }
            guard table[party] == keys.publicKeys else {
                return [.refused(Refusal(.badSignature, "roster does not contain \(party)'s own advertised keys"))]
            }
            guard table.count >= configuration.threshold else {
                return [.refused(Refusal(.survivorsBelowThreshold, "roster has \(table.count) parties, fewer than t = \(configuration.threshold)"))]
            }
            // Agree both secrets with every peer now; a low-order key (all-zero shared secret) refuses the roster.
            var secrets: [String: (shareKey: Seed, maskSeed: Seed)] = [:]
            for (peer, peerPublic) in table where peer != party {
                do {
                    let shareKey = Seed(unchecked: try KeyAgreement.derive(privateKey: keys.encryptionPrivateKey, peerPublicKey: peerPublic.encryption, purpose: KeyAgreement.shareEncryptionPurpose, study: configuration.study, round: configuration.round, party: party, peer: peer))
                    let maskSeed = Seed(unchecked: try KeyAgreement.derive(privateKey: keys.maskingPrivateKey, peerPublicKey: peerPublic.masking, purpose: KeyAgreement.pairwisePurpose, study: configuration.study, round: configuration.round, party: party, peer: peer))
                    secrets[peer] = (shareKey, maskSeed)
                } catch {
                    return [.refused(Refusal(.malformed, "advertisement of \(peer) carries an unusable (low-order) X25519 key"))]
                }
            }
            do {
                let seed = Seed.random(using: &rng)
                let n = configuration.parties.count
                let t = configuration.threshold
                let selfShares = try Shamir.split(seed, threshold: t, shareCount: n, using: &rng)
                let keyShares = try Shamir.split(keys.maskingKey, threshold: t, shareCount: n, using: &rng)
                var boxes = [EncryptedShare]()
                for peer in configuration.parties where peer != party {
                    guard let secret = secrets[peer], let peerIndex = configuration.index(of: peer) else { continue }
                    boxes.append(try ShareEncryption.seal(selfMask: selfShares[peerIndex - 1], maskingKey: keyShares[peerIndex - 1], key: SymmetricKey(data: secret.shareKey.bytes), study: configuration.study, round: configuration.round, sender: party, recipient: peer))
                }
                self.peerSecrets = secrets
                self.selfMaskSeed = seed
                self.ownShares = (selfShares[index - 1], keyShares[index - 1])
                stage = .sharesSent
                return [.send(.sharePackage(SharePackage(study: configuration.study, round: configuration.round, sender: party, shares: boxes)))]
            } catch {
                stage = .failed
                return [.failed(error as? SecureAggregationError ?? SecureAggregationError(.cryptoFailure, "\(error)"))]
            }
        }

        /// Stage 3: decrypts the shares from U2 and returns the masked input
        /// `x + PRG(b) + Σ_{v ∈ U2, v ≠ u} ±PRG(s_{u,v})` (+ when u < v in name order).
        public mutating func onShareDelivery(_ delivery: ShareDelivery) -> [Directive] {
            switch stage {
            case .sharesSent: break
            case .maskedInputSent, .finished: return [.refused(Refusal(.replayed, "\(party) already processed the share delivery"))]
            default: return [.refused(Refusal(.outOfStage, "\(party) received a share delivery before sending its shares"))]
            }
            if let r = checkHeader(study: delivery.study, round: delivery.round, what: "share delivery") { return [.refused(r)] }
            guard delivery.recipient == party else {
                return [.refused(Refusal(.malformed, "share delivery is addressed to \(delivery.recipient), not \(party)"))]
            }
            guard Set(delivery.holders).count == delivery.holders.count else {
                return [.refused(Refusal(.malformed, "share delivery lists a holder twice"))]
            }
            if let stranger = delivery.holders.first(where: { $0 != party && peerSecrets[$0] == nil }) {
                return [.refused(Refusal(.inconsistentRequest, "share delivery lists \(stranger), which was not in the key roster"))]
            }
            guard delivery.holders.contains(party) else {
                return [.refused(Refusal(.inconsistentRequest, "share delivery does not list \(party) among the holders although it sent its shares"))]
            }
            guard delivery.holders.count >= configuration.threshold else {
                return [.refused(Refusal(.survivorsBelowThreshold, "share delivery lists \(delivery.holders.count) holders, fewer than t = \(configuration.threshold)"))]
            }
            let expected = Set(delivery.holders).subtracting([party])
            guard delivery.shares.count == expected.count, Set(delivery.shares.map(\.sender)) == expected,
                  delivery.shares.allSatisfy({ $0.recipient == party }) else {
                return [.refused(Refusal(.malformed, "share delivery must hold exactly one share from each other holder, addressed to \(party)"))]
            }
            guard let selfMaskSeed else { return [.refused(Refusal(.outOfStage, "no self-mask seed"))] }
            var held: [String: (selfMask: Shamir.Share, maskingKey: Shamir.Share)] = [:]
            do {
                for box in delivery.shares {
                    guard let secret = peerSecrets[box.sender] else { continue }
                    guard let opened = ShareEncryption.open(box, key: SymmetricKey(data: secret.shareKey.bytes), study: configuration.study, round: configuration.round, expectedIndex: index) else {
                        return [.refused(Refusal(.decryptionFailed, "the share from \(box.sender) to \(party) does not authenticate"))]
                    }
                    held[box.sender] = opened
                }
                var masked = encodedInput
                try MaskGenerator.apply(selfMaskSeed, domain: .selfMask, sign: .add, to: &masked)
                for peer in delivery.holders where peer != party {
                    guard let secret = peerSecrets[peer] else { continue }
                    try MaskGenerator.apply(secret.maskSeed, domain: .pairwise, sign: party < peer ? .add : .subtract, to: &masked)
                }
                heldShares = held
                holders = delivery.holders
                stage = .maskedInputSent
                return [.send(.maskedInput(MaskedInput(study: configuration.study, round: configuration.round, sender: party, values: masked)))]
            } catch {
                stage = .failed
                return [.failed(error as? SecureAggregationError ?? SecureAggregationError(.cryptoFailure, "\(error)"))]
            }
        }

        /// Stage 4: reveals self-mask shares of the survivors and masking-key shares of the
        /// dropouts — refusing a survivor set smaller than t, a set that lists this party as
        /// dropped, sets that do not partition U2, and any request that would reveal both kinds of
        /// share of one party (also across requests).
        public mutating func onUnmaskRequest(_ request: UnmaskRequest) -> [Directive] {
            switch stage {
            case .maskedInputSent, .finished: break
            default: return [.refused(Refusal(.outOfStage, "\(party) received an unmask request before sending its masked input"))]
            }
            if let r = checkHeader(study: request.study, round: request.round, what: "unmask request") { return [.refused(r)] }
            let survivors = Set(request.survivors)
            let dropped = Set(request.dropped)
            guard survivors.count == request.survivors.count, dropped.count == request.dropped.count else {
                return [.refused(Refusal(.malformed, "unmask request lists a party twice"))]
            }
            if let both = request.survivors.first(where: { dropped.contains($0) }) {
                return [.refused(Refusal(.bothShareKinds, "unmask request lists \(both) both as survivor and as dropped: revealing both shares would expose its input"))]
            }
            // Consistency across requests: never reveal the other kind for a party.
            for s in request.survivors where revealed[s] == .maskingKey {
                return [.refused(Refusal(.bothShareKinds, "\(party) already revealed the masking-key share of \(s); it will not reveal its self-mask share too"))]
            }
            for d in request.dropped where revealed[d] == .selfMask {
                return [.refused(Refusal(.bothShareKinds, "\(party) already revealed the self-mask share of \(d); it will not reveal its masking-key share too"))]
            }
            if stage == .finished {
                return [.refused(Refusal(.replayed, "\(party) already answered the unmask request"))]
            }
            guard survivors.contains(party) else {
                return [.refused(Refusal(.inconsistentRequest, "unmask request lists \(party) as dropped although it sent its masked input"))]
            }
            guard survivors.union(dropped) == Set(holders) else {
                return [.refused(Refusal(.inconsistentRequest, "survivors and dropped must together be exactly the \(holders.count) parties that shared keys"))]
            }
            guard survivors.count >= configuration.threshold else {
                return [.refused(Refusal(.survivorsBelowThreshold, "unmask request names \(survivors.count) survivors, fewer than t = \(configuration.threshold); \(party) reveals nothing"))]
            }
            guard let ownShares else { return [.refused(Refusal(.outOfStage, "no shares"))] }
            var out = [RevealedShare]()
            for s in request.survivors {
                let share = s == party ? ownShares.selfMask : heldShares[s]?.selfMask
                guard let share else { return [.refused(Refusal(.inconsistentRequest, "\(party) holds no share of \(s)"))] }
                out.append(RevealedShare(party: s, kind: .selfMask, share: share))
            }
            for d in request.dropped {
                guard let share = heldShares[d]?.maskingKey else { return [.refused(Refusal(.inconsistentRequest, "\(party) holds no share of \(d)"))] }
                out.append(RevealedShare(party: d, kind: .maskingKey, share: share))
            }
            for s in request.survivors { revealed[s] = .selfMask }
            for d in request.dropped { revealed[d] = .maskingKey }
            stage = .finished
            return [.send(.unmaskResponse(UnmaskResponse(study: configuration.study, round: configuration.round, sender: party, shares: out))), .finished]
        }
    }
}
