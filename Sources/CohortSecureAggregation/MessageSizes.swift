extension SecureAggregation {
    /// Payload bytes of the protocol's messages, for the README's cost table.
    ///
    /// Counts the fields of each message (names as UTF-8 with a 4-byte length, study id likewise,
    /// round 8 bytes, keys 32, signature as given, each encrypted share 112 bytes, each revealed
    /// share 4 + 40 bytes plus the party name and 1 kind byte, masked input 8·L). Real wire bytes
    /// add the transport's framing (protobuf tags, gRPC/HTTP/2 headers, TLS records), typically
    /// a few dozen bytes per message. All parties present (no dropouts): the worst case for
    /// stages 1–2, and stage 4 then reveals n self-mask shares.
    public struct MessageSizes: Sendable, Hashable {
        /// Bytes each party sends and receives at one stage.
        public struct Stage: Sendable, Hashable {
            /// Protocol stage name (`advertise keys`, `share keys`, `masked input`, `unmask`).
            public let name: String
            /// Bytes one party sends to the lead.
            public let sentPerParty: Int
            /// Bytes the lead sends to one party.
            public let receivedPerParty: Int
        }

        /// n.
        public let parties: Int
        /// L.
        public let vectorLength: Int
        /// The four stages in order.
        public let stages: [Stage]

        /// Bytes a party sends plus receives over the whole protocol.
        public var totalPerParty: Int { stages.reduce(0) { $0 + $1.sentPerParty + $1.receivedPerParty } }
        /// Bytes the same party would send without secure aggregation (the plain vector, 8·L + header).
        public let plainPerParty: Int

        /// Estimates the sizes for `parties` parties with names of `nameBytes` bytes, a study id of
        /// `studyBytes` bytes, identity signatures of `signatureBytes` bytes (Ed25519/P-256 raw: 64)
        /// and vectors of `vectorLength` words. O(1).
        public init(parties n: Int, vectorLength l: Int, nameBytes: Int = 16, studyBytes: Int = 16, signatureBytes: Int = 64) {
            let name = 4 + nameBytes
            let header = 4 + studyBytes + 8
            let advertisement = header + name + 64 + 4 + signatureBytes
            let box = name * 2 + 4 + ShareEncryption.boxByteCount
            let revealed = name + 1 + 4 + 8 * Shamir.valuesPerShare
            self.parties = n
            self.vectorLength = l
            self.plainPerParty = header + name + 4 + 8 * l
            self.stages = [
                Stage(name: "advertise keys", sentPerParty: advertisement, receivedPerParty: header + 4 + n * advertisement),
                Stage(name: "share keys", sentPerParty: header + name + 4 + (n - 1) * box,
                      receivedPerParty: header + name + 4 + n * name + 4 + (n - 1) * box),
                Stage(name: "masked input", sentPerParty: header + name + 4 + 8 * l, receivedPerParty: 0),
                Stage(name: "unmask", sentPerParty: header + name + 4 + n * revealed, receivedPerParty: header + 8 + n * name),
            ]
        }
    }
}
