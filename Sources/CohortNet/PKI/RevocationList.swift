import Foundation
public import X509

extension PKI {
    /// A local revocation list: SHA-256 fingerprints (hex, case-insensitive, `:` separators
    /// allowed) of certificates that must be refused, one per line; `#` starts a comment.
    public struct RevocationList: Sendable, Hashable {
        /// Lowercase hex fingerprints without separators.
        public var fingerprints: Set<String>

        /// Creates a list from fingerprints (normalised to lowercase, `:` removed).
        public init(_ fingerprints: some Sequence<String> = []) {
            self.fingerprints = Set(fingerprints.map(Self.normalise))
        }

        /// An empty list.
        public static let empty = RevocationList()

        /// Parses the file format. Each non-comment, non-blank line must be a 64-digit hex
        /// fingerprint; anything else is an error naming the line.
        public static func parse(_ text: String, source: String) throws -> RevocationList {
            var result = Set<String>()
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var line = Substring(rawLine)
                if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
                let trimmed = normalise(line.trimmingCharacters(in: .whitespacesAndNewlines))
                if trimmed.isEmpty { continue }
                guard trimmed.utf8.count == 64, trimmed.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                    throw NetworkError(
                        .malformedMaterial,
                        "\(source):\(index + 1): expected a SHA-256 fingerprint (64 hex digits), got '\(trimmed.prefix(80))'"
                    )
                }
                result.insert(trimmed)
            }
            return RevocationList(result)
        }

        /// Loads a revocation file; a missing file is an empty list.
        public static func load(path: String) throws -> RevocationList {
            guard Files.exists(path) else { return .empty }
            return try parse(try Files.readText(path), source: path)
        }

        /// Whether `certificate`'s fingerprint is listed.
        public func contains(_ certificate: Certificate) -> Bool {
            guard let fp = try? PKI.fingerprint(of: certificate) else { return false }
            return fingerprints.contains(fp)
        }

        /// Whether a fingerprint is listed.
        public func contains(fingerprint: String) -> Bool {
            fingerprints.contains(Self.normalise(fingerprint))
        }

        /// The file text (sorted, with a header comment).
        public func fileText() -> String {
            "# Revoked certificates: SHA-256 fingerprints of the DER encoding, one per line.\n"
                + fingerprints.sorted().map { $0 + "\n" }.joined()
        }

        /// Writes the list to `path` (mode 0644).
        public func write(to path: String) throws {
            try Files.writeText(fileText(), to: path)
        }

        static func normalise(_ text: some StringProtocol) -> String {
            String(text).lowercased().replacingOccurrences(of: ":", with: "")
        }
    }
}
