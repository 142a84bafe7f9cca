import CohortCore
import Crypto
import SwiftASN1
public import X509

extension PKI {
    /// The SHA-256 fingerprint of a certificate's DER encoding, lowercase hex (64 characters).
    /// This is the form used in revocation lists.
    public static func fingerprint(of certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(certificate)
        } catch {
            throw NetworkError(.malformedMaterial, "cannot DER-encode certificate: \(error)")
        }
        return fingerprint(derBytes: serializer.serializedBytes)
    }

    /// The SHA-256 fingerprint of DER bytes, lowercase hex.
    public static func fingerprint(derBytes: [UInt8]) -> String {
        hex(SHA256.hash(data: derBytes))
    }

    /// Lowercase hex of a byte sequence.
    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The DER encoding of a certificate.
    public static func derBytes(of certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        do {
            try serializer.serialize(certificate)
        } catch {
            throw NetworkError(.malformedMaterial, "cannot DER-encode certificate: \(error)")
        }
        return serializer.serializedBytes
    }

    /// Parses a DER-encoded certificate.
    /// - Throws: ``NetworkError`` (`malformedMaterial`) when the bytes are not one.
    public static func certificate(derBytes: [UInt8]) throws -> Certificate {
        do {
            return try Certificate(derEncoded: derBytes)
        } catch {
            throw NetworkError(.malformedMaterial, "not a DER-encoded certificate: \(error)")
        }
    }

    /// The PEM encoding (`-----BEGIN CERTIFICATE-----`) of a certificate.
    public static func pem(of certificate: Certificate) throws -> String {
        do {
            return try certificate.serializeAsPEM().pemString
        } catch {
            throw NetworkError(.malformedMaterial, "cannot PEM-encode certificate: \(error)")
        }
    }

    /// Parses every `CERTIFICATE` block of a PEM text; other block types are ignored.
    /// - Parameter source: names the origin (file path) in error messages.
    public static func certificates(fromPEM text: String, source: String) throws -> [Certificate] {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw NetworkError(.malformedMaterial, "\(source): not valid PEM (\(error))")
        }
        var result: [Certificate] = []
        for (index, document) in documents.enumerated() where document.discriminator == "CERTIFICATE" {
            do {
                result.append(try Certificate(pemDocument: document))
            } catch {
                throw NetworkError(.malformedMaterial, "\(source): PEM block \(index + 1) is not a valid certificate (\(error))")
            }
        }
        return result
    }

    /// Reads exactly one certificate (the first, for a chain file) from a PEM file.
    public static func loadCertificate(path: String) throws -> Certificate {
        let certs = try certificates(fromPEM: try Files.readText(path), source: path)
        guard let first = certs.first else {
            throw NetworkError(.malformedMaterial, "\(path): no CERTIFICATE block found")
        }
        return first
    }

    /// The `cohort://` identities in a certificate's SAN URIs.
    public static func identities(in certificate: Certificate) -> [NodeIdentity] {
        guard let san = try? certificate.extensions.subjectAlternativeNames else { return [] }
        var names: [NodeIdentity] = []
        for name in san {
            if case .uniformResourceIdentifier(let uri) = name, let parsed = NodeIdentity(uri: uri) {
                names.append(parsed)
            }
        }
        return names
    }

    /// The single `cohort://` identity of a node certificate.
    /// Throws ``NetworkError/Code/missingIdentity`` if there is none or more than one.
    public static func identity(of certificate: Certificate) throws -> NodeIdentity {
        let names = identities(in: certificate)
        guard names.count == 1, let name = names.first else {
            throw NetworkError(
                .missingIdentity,
                names.isEmpty ? "certificate has no cohort:// SAN URI"
                    : "certificate has \(names.count) cohort:// SAN URIs (exactly one allowed)"
            )
        }
        return name
    }
}
