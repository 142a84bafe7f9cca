extension SecureAggregation {
    /// The released outcome of one aggregation.
    public struct AggregateResult: Sendable, Hashable {
        /// U3: the parties whose inputs are in the sum, in roster order.
        public let survivors: [String]
        /// U2 \ U3: parties that shared keys but sent no masked input; their masks were removed.
        public let dropoutsRecovered: [String]
        /// Parties that never shared keys (dropped before stage 2 ended); not in the sum.
        public let excluded: [String]
        /// Σ_{u ∈ U3} x_u mod 2⁶⁴.
        public let sum: [UInt64]
        /// The sum decoded to signed integers (checked not to have wrapped).
        public let values: [Int64]
    }

    /// The lead's aggregation role: collects messages, forwards keys and shares, unmasks the sum.
    ///
    /// A pure `Sendable` state machine. The caller passes each message with the sender's
    /// authenticated identity (mTLS) and calls ``onStageDeadline()`` when a stage's deadline
    /// passes; a stage also ends as soon as every expected party has answered (stage 4: as
    /// soon as t survivors have). Fewer than t parties at any stage fails the aggregation with
    /// ``SecureAggregationError/Code/tooFewSurvivors`` and releases nothing. Unmasking costs
    /// O(t²·|U2|) field operations plus |U3|·(1 + |U2 \ U3|) mask expansions of L words.
    public struct Server: Sendable {
        /// Where the aggregation is.
        public enum Stage: Sendable, Hashable {
            /// Waiting for key advertisements.
            case collectingKeys
            /// Waiting for share packages from U1.
            case collectingShares
            /// Waiting for masked inputs from U2.
            case collectingMaskedInputs
            /// Waiting for unmask responses from U3.
            case collectingUnmaskResponses
            /// The sum was released.
            case released
            /// The aggregation failed; nothing was released.
            case failed
        }

        /// What the caller must do after a call.
        public enum Directive: Sendable, Hashable {
            /// Send `message` to `party`.
            case send(ServerMessage, to: String)
            /// Release the aggregate (the protocol is complete).
            case release(AggregateResult)
            /// The incoming message was refused (state unchanged).
            case refused(Refusal)
            /// The aggregation failed; nothing is released.
            case failed(SecureAggregationError)
        }

        /// The configuration of this aggregation.
        public let configuration: Configuration
        /// The current stage.
        public private(set) var stage: Stage = .collectingKeys

        let verifier: (any AdvertisementVerifier)?
        var advertisements: [String: KeyAdvertisement] = [:]
        var packages: [String: SharePackage] = [:]
        var maskedInputs: [String: [UInt64]] = [:]
        var responses: [String: UnmaskResponse] = [:]
        /// U1, U2, U3 in roster order once fixed.
        var keyHolders: [String] = []
        var shareHolders: [String] = []
        var survivors: [String] = []

        /// Creates the lead's state machine. With a `verifier`, advertisements with bad signatures
        /// are refused here already (every party checks them again).
        public init(configuration: Configuration, verifier: (any AdvertisementVerifier)? = nil) {
            self.configuration = configuration
            self.verifier = verifier
        }

        /// Dispatches a party's message to the matching handler.
        public mutating func onClientMessage(_ message: ClientMessage, from sender: String) -> [Directive] {
            switch message {
            case .advertisement(let m): onAdvertisement(m, from: sender)
            case .sharePackage(let m): onSharePackage(m, from: sender)
            case .maskedInput(let m): onMaskedInput(m, from: sender)
            case .unmaskResponse(let m): onUnmaskResponse(m, from: sender)
            }
        }

        func checkHeader(study: String, round: UInt64, sender: String, from: String, what: String) -> Refusal? {
            if study != configuration.study { return Refusal(.wrongStudy, "\(what) from \(from) is for study \(study), this aggregation is \(configuration.study)") }
            if round != configuration.round { return Refusal(.wrongRound, "\(what) from \(from) is for round \(round), this aggregation is round \(configuration.round)") }
            if configuration.index(of: from) == nil { return Refusal(.unknownSender, "\(from) is not a party of this aggregation") }
            if sender != from { return Refusal(.senderMismatch, "\(what) claims sender \(sender) but arrived from \(from)") }
            return nil
        }

        /// Stage 1: records a party's key advertisement; when all n have arrived, sends the roster.
        public mutating func onAdvertisement(_ ad: KeyAdvertisement, from sender: String) -> [Directive] {
            guard stage == .collectingKeys else {
                return [.refused(advertisements[sender] != nil ? Refusal(.replayed, "advertisement from \(sender) arrives after stage 1 ended") : Refusal(.outOfStage, "advertisement from \(sender) arrives after stage 1 ended"))]
            }
            if let r = checkHeader(study: ad.study, round: ad.round, sender: ad.sender, from: sender, what: "advertisement") { return [.refused(r)] }
            guard advertisements[sender] == nil else { return [.refused(Refusal(.replayed, "\(sender) already advertised its keys"))] }
            if let verifier, !verifier.isValidSignature(ad.signature, for: ad.signedBytes, by: sender) {
                return [.refused(Refusal(.badSignature, "advertisement from \(sender) does not carry a valid signature by its identity key"))]
            }
            guard KeyAgreement.isUsablePublicKey(ad.publicKeys.encryption), KeyAgreement.isUsablePublicKey(ad.publicKeys.masking),
                  ad.publicKeys.encryption != ad.publicKeys.masking else {
                return [.refused(Refusal(.malformed, "advertisement from \(sender) carries a low-order or repeated X25519 key"))]
            }
            advertisements[sender] = ad
            return advertisements.count == configuration.parties.count ? endKeys() : []
        }

        /// Stage 2: records a party's encrypted shares; when all of U1 have sent, delivers them.
        public mutating func onSharePackage(_ package: SharePackage, from sender: String) -> [Directive] {
            guard stage == .collectingShares else {
                return [.refused(packages[sender] != nil ? Refusal(.replayed, "share package from \(sender) was already received") : Refusal(.outOfStage, "share package from \(sender) does not fit stage \(stage)"))]
            }
            if let r = checkHeader(study: package.study, round: package.round, sender: package.sender, from: sender, what: "share package") { return [.refused(r)] }
            guard keyHolders.contains(sender) else { return [.refused(Refusal(.unknownSender, "\(sender) did not advertise keys in time"))] }
            guard packages[sender] == nil else { return [.refused(Refusal(.replayed, "\(sender) already sent its shares"))] }
            let expected = Set(keyHolders).subtracting([sender])
            guard package.shares.count == expected.count, Set(package.shares.map(\.recipient)) == expected,
                  package.shares.allSatisfy({ $0.sender == sender && $0.ciphertext.count == ShareEncryption.boxByteCount }) else {
                return [.refused(Refusal(.malformed, "share package from \(sender) must hold one \(ShareEncryption.boxByteCount)-byte box for each of the other \(expected.count) key holders"))]
            }
            packages[sender] = package
            return packages.count == keyHolders.count ? endShares() : []
        }

        /// Stage 3: records a masked input; when all of U2 have sent, asks the survivors to unmask.
        public mutating func onMaskedInput(_ input: MaskedInput, from sender: String) -> [Directive] {
            guard stage == .collectingMaskedInputs else {
                return [.refused(maskedInputs[sender] != nil ? Refusal(.replayed, "masked input from \(sender) was already received") : Refusal(.outOfStage, "masked input from \(sender) does not fit stage \(stage)"))]
            }
            if let r = checkHeader(study: input.study, round: input.round, sender: input.sender, from: sender, what: "masked input") { return [.refused(r)] }
            guard shareHolders.contains(sender) else { return [.refused(Refusal(.unknownSender, "\(sender) did not share its keys in time"))] }
            guard maskedInputs[sender] == nil else { return [.refused(Refusal(.replayed, "\(sender) already sent its masked input"))] }
            guard input.values.count == configuration.vectorLength else {
                return [.refused(Refusal(.malformed, "masked input from \(sender) has \(input.values.count) words, expected \(configuration.vectorLength)"))]
            }
            maskedInputs[sender] = input.values
            return maskedInputs.count == shareHolders.count ? endMaskedInputs() : []
        }

        /// Stage 4: records a survivor's revealed shares; with t responses, unmasks and releases.
        public mutating func onUnmaskResponse(_ response: UnmaskResponse, from sender: String) -> [Directive] {
            guard stage == .collectingUnmaskResponses else {
                return [.refused(responses[sender] != nil ? Refusal(.replayed, "unmask response from \(sender) was already received") : Refusal(.outOfStage, "unmask response from \(sender) does not fit stage \(stage)"))]
            }
            if let r = checkHeader(study: response.study, round: response.round, sender: response.sender, from: sender, what: "unmask response") { return [.refused(r)] }
            guard survivors.contains(sender), let index = configuration.index(of: sender) else {
                return [.refused(Refusal(.unknownSender, "\(sender) is not a survivor"))]
            }
            guard responses[sender] == nil else { return [.refused(Refusal(.replayed, "\(sender) already answered"))] }
            let dropped = Set(shareHolders).subtracting(survivors)
            var expected = Set(survivors.map { "\($0)|\(ShareKind.selfMask.rawValue)" })
            for d in dropped { expected.insert("\(d)|\(ShareKind.maskingKey.rawValue)") }
            let got = response.shares.map { "\($0.party)|\($0.kind.rawValue)" }
            guard got.count == expected.count, Set(got) == expected, response.shares.allSatisfy({ $0.share.index == index }) else {
                return [.refused(Refusal(.malformed, "unmask response from \(sender) must hold exactly one self-mask share per survivor and one masking-key share per dropout, at its own index \(index)"))]
            }
            responses[sender] = response
            return responses.count >= configuration.threshold ? unmask() : []
        }

        /// Ends the current stage with whoever has answered (call when its deadline passes).
        /// Fewer than t parties fails the aggregation; in a final stage it does nothing.
        public mutating func onStageDeadline() -> [Directive] {
            switch stage {
            case .collectingKeys: endKeys()
            case .collectingShares: endShares()
            case .collectingMaskedInputs: endMaskedInputs()
            case .collectingUnmaskResponses:
                fail("only \(responses.count) of the \(survivors.count) survivors answered the unmask request before the deadline; t = \(configuration.threshold) are needed; nothing released")
            case .released, .failed: []
            }
        }

        mutating func fail(_ message: String, code: SecureAggregationError.Code = .tooFewSurvivors) -> [Directive] {
            stage = .failed
            return [.failed(SecureAggregationError(code, message))]
        }

        mutating func endKeys() -> [Directive] {
            let n = configuration.parties.count
            let present = configuration.parties.filter { advertisements[$0] != nil }
            guard present.count >= configuration.threshold else {
                return fail("only \(present.count) of \(n) parties advertised keys; at least t = \(configuration.threshold) are needed; nothing released")
            }
            keyHolders = present
            stage = .collectingShares
            let roster = KeyRoster(study: configuration.study, round: configuration.round, advertisements: present.compactMap { advertisements[$0] })
            return present.map { .send(.keyRoster(roster), to: $0) }
        }

        mutating func endShares() -> [Directive] {
            let present = keyHolders.filter { packages[$0] != nil }
            guard present.count >= configuration.threshold else {
                return fail("only \(present.count) of \(keyHolders.count) parties sent their key shares; at least t = \(configuration.threshold) are needed; nothing released")
            }
            shareHolders = present
            stage = .collectingMaskedInputs
            let members = Set(present)
            var directives = [Directive]()
            for recipient in present {
                var boxes = [EncryptedShare]()
                for sender in present where sender != recipient {
                    if let box = packages[sender]?.shares.first(where: { $0.recipient == recipient }), members.contains(box.sender) { boxes.append(box) }
                }
                directives.append(.send(.shareDelivery(ShareDelivery(study: configuration.study, round: configuration.round, recipient: recipient, holders: present, shares: boxes)), to: recipient))
            }
            return directives
        }

        mutating func endMaskedInputs() -> [Directive] {
            let present = shareHolders.filter { maskedInputs[$0] != nil }
            guard present.count >= configuration.threshold else {
                return fail("only \(present.count) of \(shareHolders.count) parties sent masked inputs; at least t = \(configuration.threshold) are needed to unmask; nothing released")
            }
            survivors = present
            stage = .collectingUnmaskResponses
            let dropped = shareHolders.filter { maskedInputs[$0] == nil }
            let request = UnmaskRequest(study: configuration.study, round: configuration.round, survivors: present, dropped: dropped)
            return present.map { .send(.unmaskRequest(request), to: $0) }
        }

        mutating func unmask() -> [Directive] {
            let t = configuration.threshold
            let n = configuration.parties.count
            let dropped = shareHolders.filter { maskedInputs[$0] == nil }
            do {
                var sum = [UInt64](repeating: 0, count: configuration.vectorLength)
                for u in survivors {
                    guard let y = maskedInputs[u] else { continue }
                    sum.withUnsafeMutableBufferPointer { s in
                        for i in 0 ..< y.count { s[i] &+= y[i] }
                    }
                }
                func shares(of party: String, kind: ShareKind) -> [Shamir.Share] {
                    responses.values.compactMap { r in r.shares.first(where: { $0.party == party && $0.kind == kind })?.share }
                        .sorted { $0.index < $1.index }
                }
                for u in survivors {
                    let b = try Shamir.reconstruct(shares(of: u, kind: .selfMask), threshold: t, shareCount: n)
                    try MaskGenerator.apply(b, domain: .selfMask, sign: .subtract, to: &sum)
                }
                for d in dropped {
                    let key = try Shamir.reconstruct(shares(of: d, kind: .maskingKey), threshold: t, shareCount: n)
                    for u in survivors {
                        guard let uKeys = advertisements[u]?.publicKeys else { continue }
                        let seed = try KeyAgreement.pairwiseSeed(privateKey: key, peerPublicKey: uKeys.masking, study: configuration.study, round: configuration.round, party: d, peer: u)
                        // u added +PRG(s_{u,d}) when u < d and −PRG when u > d: remove it.
                        try MaskGenerator.apply(seed, domain: .pairwise, sign: u < d ? .subtract : .add, to: &sum)
                    }
                }
                let values = try configuration.decodeSum(sum, contributors: survivors.count)
                stage = .released
                let excluded = configuration.parties.filter { !shareHolders.contains($0) }
                return [.release(AggregateResult(survivors: survivors, dropoutsRecovered: dropped, excluded: excluded, sum: sum, values: values))]
            } catch {
                let e = error as? SecureAggregationError ?? SecureAggregationError(.cryptoFailure, "\(error)")
                return fail("unmasking failed: \(e.description); nothing released", code: e.code)
            }
        }
    }
}
