import CohortPrivacy
import CohortSecureAggregation
import Testing

/// Runs 5 parties (t = 3) up to the unmask requests; returns the harness and the requests.
func harnessAtUnmask(dropAfterSharing: Set<String> = []) throws -> (Harness, [SA.Server.Directive]) {
    var h = try Harness(parties: 5, threshold: 3, vectorLength: 4, seed: 42)
    let rosters = h.stage1()
    let deliveries = h.relay(rosters)
    let requests = h.relay(deliveries, skip: dropAfterSharing)
    let withDeadline = requests.isEmpty ? h.server.onStageDeadline() : requests
    return (h, withDeadline)
}

@Suite("Refused messages")
struct RefusalTests {
    @Test("a lead that asks for both share kinds of one party in one request is refused")
    func bothKindsInOneRequest() throws {
        var (h, _) = try harnessAtUnmask()
        let request = SA.UnmaskRequest(study: "study-a", round: 1, survivors: ["node-0", "node-1", "node-2", "node-3", "node-4"], dropped: ["node-4"])
        let d = h.deliver(.unmaskRequest(request), to: "node-0")
        #expect(refusalReasons(d) == [.bothShareKinds])
        #expect(sentMessages(d).isEmpty)
    }

    @Test("a lead that asks again, now calling a survivor dropped, gets no masking-key share of it")
    func bothKindsAcrossRequests() throws {
        var (h, requests) = try harnessAtUnmask(dropAfterSharing: ["node-4"])
        let honest = serverSends(requests).first { $0.1 == "node-0" }!.0
        let first = h.deliver(honest, to: "node-0")
        #expect(sentMessages(first).count == 1)
        // node-3 was a survivor (self-mask share revealed); now the lead claims node-3 dropped.
        let second = SA.UnmaskRequest(study: "study-a", round: 1, survivors: ["node-0", "node-1", "node-2"], dropped: ["node-3", "node-4"])
        let d = h.deliver(.unmaskRequest(second), to: "node-0")
        #expect(refusalReasons(d) == [.bothShareKinds])
        #expect(sentMessages(d).isEmpty)
        // The honest request again is a replay.
        #expect(refusalReasons(h.deliver(honest, to: "node-0")) == [.replayed])
    }

    @Test("a client refuses to reveal for fewer than t survivors, or when listed as dropped itself")
    func survivorsBelowThreshold() throws {
        var (h, _) = try harnessAtUnmask()
        let small = SA.UnmaskRequest(study: "study-a", round: 1, survivors: ["node-0", "node-1"], dropped: ["node-2", "node-3", "node-4"])
        #expect(refusalReasons(h.deliver(.unmaskRequest(small), to: "node-0")) == [.survivorsBelowThreshold])
        let selfDropped = SA.UnmaskRequest(study: "study-a", round: 1, survivors: ["node-1", "node-2", "node-3"], dropped: ["node-0", "node-4"])
        #expect(refusalReasons(h.deliver(.unmaskRequest(selfDropped), to: "node-0")) == [.inconsistentRequest])
        let partial = SA.UnmaskRequest(study: "study-a", round: 1, survivors: ["node-0", "node-1", "node-2"], dropped: [])
        #expect(refusalReasons(h.deliver(.unmaskRequest(partial), to: "node-0")) == [.inconsistentRequest])
    }

    @Test("replayed messages are refused by the lead at every stage and by the parties")
    func replays() throws {
        var h = try Harness(parties: 3, seed: 43)
        let ad = sentMessages(h.start("node-0"))[0]
        #expect(refusalReasons(h.send(ad, from: "node-0")).isEmpty)
        #expect(refusalReasons(h.send(ad, from: "node-0")) == [.replayed])
        var rosters = [SA.Server.Directive]()
        for p in ["node-1", "node-2"] { rosters += h.send(sentMessages(h.start(p))[0], from: p) }
        #expect(refusalReasons(h.send(ad, from: "node-0")) == [.replayed])
        let roster = serverSends(rosters)[0].0
        let package = sentMessages(h.deliver(roster, to: "node-0"))
        #expect(package.count == 1)
        #expect(refusalReasons(h.deliver(roster, to: "node-0")) == [.replayed])
        #expect(refusalReasons(h.send(package[0], from: "node-0")).isEmpty)
        #expect(refusalReasons(h.send(package[0], from: "node-0")) == [.replayed])
        var deliveries = [SA.Server.Directive]()
        for (m, to) in serverSends(rosters) where to != "node-0" {
            deliveries += h.send(sentMessages(h.deliver(m, to: to))[0], from: to)
        }
        let delivery = serverSends(deliveries).first { $0.1 == "node-1" }!.0
        let masked = sentMessages(h.deliver(delivery, to: "node-1"))[0]
        #expect(refusalReasons(h.deliver(delivery, to: "node-1")) == [.replayed])
        #expect(refusalReasons(h.send(masked, from: "node-1")).isEmpty)
        #expect(refusalReasons(h.send(masked, from: "node-1")) == [.replayed])
        // Another party's masked input replayed under a different transport identity.
        #expect(refusalReasons(h.send(masked, from: "node-2")) == [.senderMismatch])
    }

    @Test("out-of-stage, wrong-study and wrong-round messages are refused and change nothing")
    func outOfStageAndWrongIds() throws {
        var h = try Harness(parties: 3, seed: 44)
        let masked = SA.ClientMessage.maskedInput(SA.MaskedInput(study: "study-a", round: 1, sender: "node-0", values: [1, 2, 3, 4]))
        #expect(refusalReasons(h.send(masked, from: "node-0")) == [.outOfStage])
        let request = SA.ServerMessage.unmaskRequest(SA.UnmaskRequest(study: "study-a", round: 1, survivors: [], dropped: []))
        #expect(refusalReasons(h.deliver(request, to: "node-0")) == [.outOfStage])
        let ad = sentMessages(h.start("node-0"))[0]
        guard case .advertisement(let a) = ad else { Issue.record("no advertisement"); return }
        let otherStudy = SA.KeyAdvertisement(study: "study-b", round: 1, sender: "node-0", publicKeys: a.publicKeys, signature: a.signature)
        #expect(refusalReasons(h.send(.advertisement(otherStudy), from: "node-0")) == [.wrongStudy])
        let otherRound = SA.KeyAdvertisement(study: "study-a", round: 2, sender: "node-0", publicKeys: a.publicKeys, signature: a.signature)
        #expect(refusalReasons(h.send(.advertisement(otherRound), from: "node-0")) == [.wrongRound])
        #expect(refusalReasons(h.send(ad, from: "mallory")) == [.unknownSender])
        #expect(h.server.stage == .collectingKeys)
        #expect(refusalReasons(h.send(ad, from: "node-0")).isEmpty)
        // A roster for another round is refused by the party.
        let roster = SA.ServerMessage.keyRoster(SA.KeyRoster(study: "study-a", round: 9, advertisements: [a]))
        #expect(refusalReasons(h.deliver(roster, to: "node-0")) == [.wrongRound])
    }

    @Test("tampered messages: bad advertisement signature, substituted keys, flipped ciphertext bits are refused")
    func tampering() throws {
        var h = try Harness(parties: 3, seed: 45)
        var ads: [SA.KeyAdvertisement] = []
        for p in h.parties {
            if case .advertisement(let a) = sentMessages(h.start(p))[0] { ads.append(a) }
        }
        // The lead (with a verifier) refuses a forged advertisement.
        var sig = ads[1].signature
        sig[0] ^= 1
        let forged = SA.KeyAdvertisement(study: "study-a", round: 1, sender: ads[1].sender, publicKeys: ads[1].publicKeys, signature: sig)
        #expect(refusalReasons(h.send(.advertisement(forged), from: ads[1].sender)) == [.badSignature])
        // A lead that substitutes keys in the roster (keeping the old signature) is caught by the parties.
        let substituted = SA.KeyAdvertisement(study: "study-a", round: 1, sender: ads[1].sender, publicKeys: ads[2].publicKeys, signature: ads[1].signature)
        let badRoster = SA.ServerMessage.keyRoster(SA.KeyRoster(study: "study-a", round: 1, advertisements: [ads[0], substituted, ads[2]]))
        #expect(refusalReasons(h.deliver(badRoster, to: "node-0")) == [.badSignature])
        // A roster that drops the party's own keys or swaps them is refused too.
        let withoutSelf = SA.ServerMessage.keyRoster(SA.KeyRoster(study: "study-a", round: 1, advertisements: [ads[1], ads[2]]))
        #expect(refusalReasons(h.deliver(withoutSelf, to: "node-0")) == [.badSignature])
        // Honest run continues; then flip a byte in an encrypted share.
        var rosters = [SA.Server.Directive]()
        for a in ads { rosters += h.send(.advertisement(a), from: a.sender) }
        let deliveries = h.relay(rosters)
        let (delivery, to) = serverSends(deliveries)[0]
        guard case .shareDelivery(let dl) = delivery else { Issue.record("no delivery"); return }
        var bytes = dl.shares[0].ciphertext
        bytes[30] ^= 0x80
        var shares = dl.shares
        shares[0] = SA.EncryptedShare(sender: shares[0].sender, recipient: shares[0].recipient, ciphertext: bytes)
        let tampered = SA.ServerMessage.shareDelivery(SA.ShareDelivery(study: dl.study, round: dl.round, recipient: dl.recipient, holders: dl.holders, shares: shares))
        let d = h.deliver(tampered, to: to)
        #expect(refusalReasons(d) == [.decryptionFailed])
        #expect(sentMessages(d).isEmpty)
        // The untouched delivery still works afterwards (the refusal changed nothing).
        #expect(sentMessages(h.deliver(delivery, to: to)).count == 1)
    }

    @Test("a signed advertisement with low-order X25519 keys is refused by the lead and by the parties")
    func lowOrderKeys() throws {
        var h = try Harness(parties: 3, seed: 49)
        let weak = try SA.PublicKeys(encryption: [UInt8](repeating: 0, count: 32), masking: [1] + [UInt8](repeating: 0, count: 31))
        let bytes = SA.KeyAdvertisement(study: "study-a", round: 1, sender: "node-1", publicKeys: weak, signature: []).signedBytes
        let ad = SA.KeyAdvertisement(study: "study-a", round: 1, sender: "node-1", publicKeys: weak, signature: try SA.Ed25519Signer(key: h.signingKeys["node-1"]!).signature(for: bytes))
        #expect(refusalReasons(h.send(.advertisement(ad), from: "node-1")) == [.malformed])
        guard case .advertisement(let own) = sentMessages(h.start("node-0"))[0] else { Issue.record("no advertisement"); return }
        let roster = SA.KeyRoster(study: "study-a", round: 1, advertisements: [own, ad])
        #expect(refusalReasons(h.deliver(.keyRoster(roster), to: "node-0")) == [.malformed])
    }

    @Test("a share delivery for someone else, or with missing shares, is refused")
    func malformedDelivery() throws {
        var h = try Harness(parties: 4, threshold: 3, seed: 46)
        let deliveries = h.relay(h.stage1())
        let (delivery, to) = serverSends(deliveries)[0]
        guard case .shareDelivery(let dl) = delivery else { Issue.record("no delivery"); return }
        let other = h.parties.first { $0 != to }!
        #expect(refusalReasons(h.deliver(delivery, to: other)) == [.malformed])
        let missing = SA.ShareDelivery(study: dl.study, round: dl.round, recipient: dl.recipient, holders: dl.holders, shares: Array(dl.shares.dropLast()))
        #expect(refusalReasons(h.deliver(.shareDelivery(missing), to: to)) == [.malformed])
        let tooFew = SA.ShareDelivery(study: dl.study, round: dl.round, recipient: dl.recipient, holders: [to, other], shares: [])
        #expect(refusalReasons(h.deliver(.shareDelivery(tooFew), to: to)) == [.survivorsBelowThreshold])
    }

    @Test("the lead refuses unmask responses that miss or add shares, come from non-survivors, or are replayed")
    func malformedUnmaskResponses() throws {
        var (h, requests) = try harnessAtUnmask(dropAfterSharing: ["node-4"])
        let (request, to) = serverSends(requests).first { $0.1 == "node-0" }!
        guard case .unmaskResponse(let r) = sentMessages(h.deliver(request, to: to))[0] else { Issue.record("no response"); return }
        #expect(r.shares.filter { $0.kind == .maskingKey }.map(\.party) == ["node-4"])
        #expect(r.shares.filter { $0.kind == .selfMask }.map(\.party) == ["node-0", "node-1", "node-2", "node-3"])
        let missing = SA.UnmaskResponse(study: r.study, round: r.round, sender: r.sender, shares: Array(r.shares.dropLast()))
        #expect(refusalReasons(h.send(.unmaskResponse(missing), from: "node-0")) == [.malformed])
        let extra = SA.UnmaskResponse(study: r.study, round: r.round, sender: r.sender, shares: r.shares + [SA.RevealedShare(party: "node-4", kind: .selfMask, share: r.shares[0].share)])
        #expect(refusalReasons(h.send(.unmaskResponse(extra), from: "node-0")) == [.malformed])
        let wrongIndex = SA.UnmaskResponse(study: r.study, round: r.round, sender: r.sender, shares: r.shares.map { SA.RevealedShare(party: $0.party, kind: $0.kind, share: try! SA.Shamir.Share(index: 2, values: $0.share.values)) })
        #expect(refusalReasons(h.send(.unmaskResponse(wrongIndex), from: "node-0")) == [.malformed])
        let fromDropout = SA.UnmaskResponse(study: r.study, round: r.round, sender: "node-4", shares: r.shares)
        #expect(refusalReasons(h.send(.unmaskResponse(fromDropout), from: "node-4")) == [.unknownSender])
        #expect(refusalReasons(h.send(.unmaskResponse(r), from: "node-0")).isEmpty)
        #expect(refusalReasons(h.send(.unmaskResponse(r), from: "node-0")) == [.replayed])
    }

    @Test("a lead that waits for nobody fails each stage with tooFewSurvivors and releases nothing")
    func deadlineFailures() throws {
        var h = try Harness(parties: 3, seed: 47)
        let d = h.server.onStageDeadline()
        guard case .failed(let e) = d.first else { Issue.record("expected failure, got \(d)"); return }
        #expect(e.code == .tooFewSurvivors)
        #expect(e.message.contains("only 0 of 3 parties advertised keys"))
        #expect(h.server.stage == .failed)
        #expect(h.server.onStageDeadline().isEmpty)
    }
}
