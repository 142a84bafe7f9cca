extension Audit {
    /// A c2sp.org/signed-note: text ending in a newline, a blank line, then signature lines
    /// `— <name> <base64(keyid ‖ signature)>`. Extra signatures are cosignatures.
    public struct SignedNote: Sendable, Hashable {
        /// One signature line.
        public struct Signature: Sendable, Hashable {
            /// Key name.
            public var name: String
            /// Key ID (big-endian first 4 bytes of the decoded signature).
            public var keyID: UInt32
            /// The signature bytes after the key ID (64 for Ed25519).
            public var signature: [UInt8]

            /// The line without its newline: `— name base64(keyid‖sig)`.
            public var line: String {
                let id: [UInt8] = [UInt8(keyID >> 24 & 0xff), UInt8(keyID >> 16 & 0xff), UInt8(keyID >> 8 & 0xff), UInt8(keyID & 0xff)]
                return "\u{2014} \(name) \(Base64.encode(id + signature))"
            }
        }

        /// The signed text (ends in a newline).
        public var text: String
        /// Signature lines in order.
        public var signatures: [Signature]

        /// Maximum number of signatures accepted (as golang.org/x/mod/sumdb/note).
        public static let maxSignatures = 100

        /// Creates an unsigned note; `text` must end in a newline, must not contain a blank line
        /// and must not contain control characters other than newline.
        public init(text: String) throws {
            try SignedNote.checkText(text)
            self.text = text
            self.signatures = []
        }

        static func checkText(_ text: String) throws {
            guard text.hasSuffix("\n"), !text.contains("\n\n"), text.utf8.count > 1 else {
                throw AuditError(.malformedNote, "note text must end in a newline and contain no blank line")
            }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
                throw AuditError(.malformedNote, "note text contains a control character")
            }
        }

        /// Parses a signed note (at least one signature line).
        public init(parsing note: String) throws {
            guard !note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
                throw AuditError(.malformedNote, "note contains a control character")
            }
            let bytes = Array(note.utf8)
            var split: Int?
            if bytes.count >= 2 {
                var j = bytes.count - 2
                while j >= 0 {
                    if bytes[j] == 0x0a && bytes[j + 1] == 0x0a { split = j; break }
                    j -= 1
                }
            }
            guard let split else { throw AuditError(.malformedNote, "note has no blank line before its signatures") }
            let text = String(decoding: bytes[...split], as: UTF8.self)
            let sigPart = String(decoding: bytes[(split + 2)...], as: UTF8.self)
            guard sigPart.hasSuffix("\n") else { throw AuditError(.malformedNote, "signature block must end in a newline") }
            var sigs: [Signature] = []
            for line in sigPart.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
                guard line.hasPrefix("\u{2014} ") else {
                    throw AuditError(.malformedNote, "signature line must start with an em dash and a space: \"\(line.prefix(40))\"")
                }
                let rest = line.dropFirst(2)
                let fields = rest.split(separator: " ", omittingEmptySubsequences: false)
                guard fields.count == 2, NoteVerifier.isValidName(String(fields[0])) else {
                    throw AuditError(.malformedNote, "signature line must be '— name signature': \"\(line.prefix(40))\"")
                }
                guard let raw = Base64.decode(fields[1]), raw.count >= 5 else {
                    throw AuditError(.malformedNote, "signature for \(fields[0]) is not valid base64 of key ID and signature")
                }
                let id = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                sigs.append(Signature(name: String(fields[0]), keyID: id, signature: Array(raw.dropFirst(4))))
            }
            guard !sigs.isEmpty else { throw AuditError(.malformedNote, "note has no signatures") }
            guard sigs.count <= SignedNote.maxSignatures else {
                throw AuditError(.malformedNote, "note has more than \(SignedNote.maxSignatures) signatures")
            }
            try SignedNote.checkText(text)
            self.text = text
            self.signatures = sigs
        }

        /// The serialized note: text, blank line, one line per signature.
        public var serialized: String {
            text + "\n" + signatures.map { $0.line + "\n" }.joined()
        }

        /// Adds (or replaces) the signature of `signer`. Used both for the log's own signature and
        /// for a witness's cosignature.
        public mutating func sign(with signer: NoteSigner) throws {
            let sig = try signer.sign(Array(text.utf8))
            let entry = Signature(name: signer.verifier.name, keyID: signer.verifier.keyID, signature: sig)
            if let i = signatures.firstIndex(where: { $0.name == entry.name && $0.keyID == entry.keyID }) {
                signatures[i] = entry
            } else {
                signatures.append(entry)
            }
        }

        /// Adds a signature line obtained elsewhere (e.g. a peer's cosignature) after checking it
        /// with `verifier`. Throws `.badSignature` if it does not verify.
        public mutating func addSignature(_ signature: Signature, verifiedBy verifier: NoteVerifier) throws {
            guard signature.name == verifier.name, signature.keyID == verifier.keyID else {
                throw AuditError(.badSignature, "signature is by \(signature.name)+\(NoteVerifier.hex(signature.keyID)), not \(verifier.name)+\(NoteVerifier.hex(verifier.keyID))")
            }
            guard verifier.isValidSignature(signature.signature, for: Array(text.utf8)) else {
                throw AuditError(.badSignature, "signature by \(verifier.name) does not verify")
            }
            signatures.removeAll { $0.name == signature.name && $0.keyID == signature.keyID }
            signatures.append(signature)
        }

        /// Checks the signature by `verifier`: present and valid. As in sumdb/note, the first line
        /// matching the verifier's name and key ID decides.
        public func verify(_ verifier: NoteVerifier) -> Bool {
            guard let sig = signatures.first(where: { $0.name == verifier.name && $0.keyID == verifier.keyID }) else { return false }
            return verifier.isValidSignature(sig.signature, for: Array(text.utf8))
        }

        /// Verifies with `verifier` or throws `.badSignature` saying why.
        public func requireSignature(by verifier: NoteVerifier) throws {
            guard signatures.contains(where: { $0.name == verifier.name && $0.keyID == verifier.keyID }) else {
                let present = signatures.map { "\($0.name)+\(NoteVerifier.hex($0.keyID))" }.joined(separator: ", ")
                throw AuditError(.badSignature, "no signature by key \(verifier.name)+\(NoteVerifier.hex(verifier.keyID)) (present: \(present))")
            }
            guard verify(verifier) else {
                throw AuditError(.badSignature, "signature by \(verifier.name)+\(NoteVerifier.hex(verifier.keyID)) does not verify")
            }
        }
    }
}
