import Crypto
import Foundation

extension Audit {
    /// A signed-note verifier key (c2sp.org/signed-note, Ed25519): name, 4-byte key ID and public
    /// key. Text form `name+hexkeyid+base64(0x01‖pubkey)` (golang.org/x/mod/sumdb/note format).
    public struct NoteVerifier: Sendable, Hashable {
        /// Key name (the log origin for a node's own key).
        public var name: String
        /// Key ID: first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
        public var keyID: UInt32
        /// The 32-byte Ed25519 public key.
        public var publicKey: [UInt8]

        /// Creates a verifier from a name and raw Ed25519 public key.
        public init(name: String, publicKey: [UInt8]) throws {
            guard NoteVerifier.isValidName(name) else {
                throw AuditError(.malformedKey, "key name \"\(name)\" must be non-empty with no spaces or '+'")
            }
            guard publicKey.count == 32 else {
                throw AuditError(.malformedKey, "Ed25519 public key must be 32 bytes, got \(publicKey.count)")
            }
            self.name = name
            self.publicKey = publicKey
            self.keyID = NoteVerifier.keyID(name: name, publicKey: publicKey)
        }

        /// Parses the text form `name+hexkeyid+base64(0x01‖pubkey)`; checks the key ID.
        public init(parsing text: String) throws {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = trimmed.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else {
                throw AuditError(.malformedKey, "verifier key must be name+keyid+key, got \(parts.count) '+'-separated parts")
            }
            guard parts[1].utf8.count == 8, let idBytes = HexDigits.decode(parts[1]) else {
                throw AuditError(.malformedKey, "verifier key ID must be 8 hex digits")
            }
            guard let key = Base64.decode(parts[2]), key.count == 33, key[0] == 0x01 else {
                throw AuditError(.malformedKey, "verifier key must be base64 of 0x01 followed by a 32-byte Ed25519 key")
            }
            try self.init(name: String(parts[0]), publicKey: Array(key[1...]))
            let id = idBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard id == keyID else {
                throw AuditError(.malformedKey, "verifier key ID \(parts[1]) does not match the key (expected \(NoteVerifier.hex(keyID)))")
            }
        }

        /// The text form `name+hexkeyid+base64(0x01‖pubkey)`.
        public var text: String {
            "\(name)+\(NoteVerifier.hex(keyID))+\(Base64.encode([0x01] + publicKey))"
        }

        /// Checks an Ed25519 signature over `message`.
        public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
            return key.isValidSignature(signature, for: message)
        }

        /// Key ID per c2sp.org/signed-note for Ed25519.
        public static func keyID(name: String, publicKey: [UInt8]) -> UInt32 {
            var h = SHA256()
            h.update(data: Array(name.utf8) + [0x0A, 0x01] + publicKey)
            return h.finalize().withUnsafeBytes { raw in
                raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            }
        }

        /// Key names are non-empty, without Unicode spaces or '+'.
        public static func isValidName(_ name: String) -> Bool {
            !name.isEmpty && !name.unicodeScalars.contains { $0 == "+" || $0.properties.isWhitespace || $0.value < 0x20 }
        }

        static func hex(_ id: UInt32) -> String {
            HexDigits.encode([UInt8(id >> 24 & 0xff), UInt8(id >> 16 & 0xff), UInt8(id >> 8 & 0xff), UInt8(id & 0xff)])
        }
    }

    /// A signed-note signer (Ed25519). The secret is never printed; `description` shows only the
    /// verifier. Text form `PRIVATE+KEY+name+hexkeyid+base64(0x01‖seed)` (sumdb/note format).
    public struct NoteSigner: Sendable, CustomStringConvertible {
        /// The matching verifier.
        public let verifier: NoteVerifier
        let seed: [UInt8]


        /// Generates a new random key.
        public static func generate(name: String) throws -> NoteSigner {
            try NoteSigner(name: name, privateKey: Curve25519.Signing.PrivateKey())
        }

        /// Creates a signer from a 32-byte Ed25519 seed.
        public init(name: String, seed: [UInt8]) throws {
            guard seed.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
                throw AuditError(.malformedKey, "Ed25519 private key seed must be 32 bytes")
            }
            try self.init(name: name, privateKey: key)
        }

        init(name: String, privateKey: Curve25519.Signing.PrivateKey) throws {
            self.seed = Array(privateKey.rawRepresentation)
            self.verifier = try NoteVerifier(name: name, publicKey: Array(privateKey.publicKey.rawRepresentation))
        }

        /// Parses `PRIVATE+KEY+name+hexkeyid+base64(0x01‖seed)`.
        public init(parsing text: String) throws {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = trimmed.split(separator: "+", maxSplits: 4, omittingEmptySubsequences: false)
            guard parts.count == 5, parts[0] == "PRIVATE", parts[1] == "KEY" else {
                throw AuditError(.malformedKey, "signer key must be PRIVATE+KEY+name+keyid+key")
            }
            guard let seed = Base64.decode(parts[4]), seed.count == 33, seed[0] == 0x01 else {
                throw AuditError(.malformedKey, "signer key must be base64 of 0x01 followed by a 32-byte Ed25519 seed")
            }
            try self.init(name: String(parts[2]), seed: Array(seed[1...]))
            guard parts[3].utf8.count == 8, NoteVerifier.hex(verifier.keyID) == parts[3].lowercased() else {
                throw AuditError(.malformedKey, "signer key ID \(parts[3]) does not match the key")
            }
        }

        /// The secret text form (write only to 0600 files).
        public var secretText: String {
            "PRIVATE+KEY+\(verifier.name)+\(NoteVerifier.hex(verifier.keyID))+\(Base64.encode([0x01] + seed))"
        }

        /// Ed25519 signature over `message`.
        public func sign(_ message: [UInt8]) throws -> [UInt8] {
            do {
                let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
                return Array(try key.signature(for: message))
            } catch {
                throw AuditError(.badSignature, "signing failed: \(error)")
            }
        }

        /// Shows the verifier only.
        public var description: String { "NoteSigner(\(verifier.text))" }

        /// Loads `path` (a `PRIVATE+KEY+…` file), or generates a key named `name` and writes it
        /// with mode 0600, creating the parent directory with mode 0700. An existing key must carry
        /// `name`.
        public static func loadOrCreate(path: String, name: String) throws -> NoteSigner {
            let fm = FileManager.default
            if fm.fileExists(atPath: path) {
                let text: String
                do {
                    text = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw AuditError(.fileAccess, "cannot read signing key \(path): \(error.localizedDescription)")
                }
                let signer = try NoteSigner(parsing: text)
                guard signer.verifier.name == name else {
                    throw AuditError(.wrongNode, "signing key \(path) is for \"\(signer.verifier.name)\", expected \"\(name)\"")
                }
                return signer
            }
            let dir = (path as NSString).deletingLastPathComponent
            do {
                if !dir.isEmpty && !fm.fileExists(atPath: dir) {
                    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                }
                if !dir.isEmpty { try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir) }
            } catch {
                throw AuditError(.fileAccess, "cannot create key directory \(dir): \(error.localizedDescription)")
            }
            let signer = try generate(name: name)
            try SecureFile.write(Array((signer.secretText + "\n").utf8), to: path, mode: 0o600)
            return signer
        }
    }
}

/// Writes files atomically with a given mode, created with that mode from the start.
enum SecureFile {
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        let tmp = path + ".tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { throw AuditError(.fileAccess, "cannot create \(tmp): \(String(cString: strerror(errno)))") }
        var ok = fchmod(fd, mode) == 0
        var off = 0
        while ok && off < bytes.count {
            let n = bytes.withUnsafeBytes { raw in raw.baseAddress.map { Foundation.write(fd, $0 + off, bytes.count - off) } ?? -1 }
            if n <= 0 { ok = false } else { off += n }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw AuditError(.fileAccess, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
