#if canImport(Glibc)
import SwiftASN1
import CohortCore
import Glibc
#elseif canImport(Musl)
public import Musl
#elseif canImport(Darwin)
public import Darwin
#endif
public import Foundation
public import X509

extension PKI {
    /// The outcome of ``rotate(authority:nodeDirectory:paths:validityDays:dnsNames:ipAddresses:now:)``,
    /// with what the `key.rotated` audit entry needs.
    public struct KeyRotation: Sendable, Hashable {
        /// The node whose key was rotated.
        public var identity: NodeIdentity
        /// SHA-256 fingerprint of the replaced certificate.
        public var oldFingerprint: String
        /// SHA-256 fingerprint of the new certificate.
        public var newFingerprint: String
        /// Directory (mode 0700) holding the previous `node.pem` and `node.key` (0600).
        public var backupDirectory: String
        /// `notAfter` of the new certificate.
        public var notValidAfter: Date
    }

    /// Reissues a node's key and certificate from `authority`, keeping the old pair in
    /// `<dir of key>/backup/<UTC timestamp>/`.
    ///
    /// The node name and (unless overridden) its DNS/IP SANs are taken from the current
    /// certificate, which must belong to the authority's consortium. The new key is written 0600
    /// before the certificate so a crash never leaves a certificate without its key; both files
    /// are replaced atomically per file.
    public static func rotate(
        authority: CertificateAuthority,
        nodeDirectory: String,
        paths: NodeTLSPaths = .standard,
        validityDays: Int = PKI.defaultNodeValidityDays,
        dnsNames: [String]? = nil,
        ipAddresses: [String]? = nil,
        now: Date = Date()
    ) throws -> KeyRotation {
        let p = paths.resolved(against: nodeDirectory)
        let old = try NodeCredentials.load(certificatePath: p.certificate, keyPath: p.key)
        let identity = try old.identity()
        guard identity.consortium == authority.consortium else {
            throw NetworkError(
                .invalidArgument,
                "\(p.certificate) belongs to consortium '\(identity.consortium)', CA is for '\(authority.consortium)'"
            )
        }
        let (oldDNS, oldIPs) = sanHosts(of: old.certificate)
        let fresh = try authority.issue(
            node: identity.node,
            dnsNames: dnsNames ?? oldDNS,
            ipAddresses: ipAddresses ?? oldIPs,
            validityDays: validityDays,
            now: now
        )

        let keyDirectory = (p.key as NSString).deletingLastPathComponent
        let stamp = timestamp(now)
        var backup = Files.join(Files.join(keyDirectory.isEmpty ? "." : keyDirectory, "backup"), stamp)
        var suffix = 1
        while Files.exists(backup) {
            suffix += 1
            backup = Files.join(Files.join(keyDirectory.isEmpty ? "." : keyDirectory, "backup"), "\(stamp)-\(suffix)")
        }
        try Files.makeDirectory(Files.join(keyDirectory.isEmpty ? "." : keyDirectory, "backup"), mode: 0o700)
        try Files.makeDirectory(backup, mode: 0o700)
        try old.write(
            certificatePath: Files.join(backup, (p.certificate as NSString).lastPathComponent),
            keyPath: Files.join(backup, (p.key as NSString).lastPathComponent),
            overwrite: false
        )

        // Write new files next to the old ones, then rename over them (atomic per file).
        let newKey = p.key + ".new"
        let newCert = p.certificate + ".new"
        try fresh.write(certificatePath: newCert, keyPath: newKey)
        guard rename(newKey, p.key) == 0 else {
            throw NetworkError(.fileUnwritable, "cannot replace \(p.key): \(String(cString: strerror(errno)))")
        }
        guard rename(newCert, p.certificate) == 0 else {
            throw NetworkError(.fileUnwritable, "cannot replace \(p.certificate): \(String(cString: strerror(errno)))")
        }
        return KeyRotation(
            identity: identity,
            oldFingerprint: try PKI.fingerprint(of: old.certificate),
            newFingerprint: try PKI.fingerprint(of: fresh.certificate),
            backupDirectory: backup,
            notValidAfter: fresh.certificate.notValidAfter
        )
    }

    /// DNS names and IP addresses (as text) in a certificate's SAN extension.
    public static func sanHosts(of certificate: Certificate) -> (dnsNames: [String], ipAddresses: [String]) {
        var dns: [String] = []
        var ips: [String] = []
        guard let san = try? certificate.extensions.subjectAlternativeNames else { return ([], []) }
        for name in san {
            switch name {
            case .dnsName(let value):
                dns.append(value)
            case .ipAddress(let octets):
                if let text = ipText(Array(octets.bytes)) { ips.append(text) }
            default:
                break
            }
        }
        return (dns, ips)
    }

    /// Formats 4 or 16 network-order bytes as an IP address.
    static func ipText(_ bytes: [UInt8]) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        let ok: Bool = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return false }
            switch bytes.count {
            case 4: return inet_ntop(AF_INET, base, &buffer, 64) != nil
            case 16: return inet_ntop(AF_INET6, base, &buffer, 64) != nil
            default: return false
            }
        }
        guard ok else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }
}
