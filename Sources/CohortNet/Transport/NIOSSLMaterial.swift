import SwiftASN1
import NIOCore
import NIOSSL
import X509

/// Conversions from ``PKI`` material to swift-nio-ssl types.
enum NIOSSLMaterial {
    static func certificates(_ certificates: [Certificate]) throws -> [NIOSSLCertificate] {
        do {
            return try certificates.map { try NIOSSLCertificate(bytes: PKI.derBytes(of: $0), format: .der) }
        } catch {
            throw NetworkError(.tlsConfiguration, "cannot convert certificate for TLS: \(error)")
        }
    }

    static func privateKey(_ credentials: PKI.NodeCredentials) throws -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(bytes: Array(credentials.privateKeyPEM().utf8), format: .pem)
        } catch {
            throw NetworkError(.tlsConfiguration, "cannot load the node private key for TLS")
        }
    }

    /// Parses the certificates a peer presented; nil entries are unparseable.
    static func parse(_ presented: [NIOSSLCertificate]) -> [Certificate]? {
        var result: [Certificate] = []
        for cert in presented {
            guard let der = try? cert.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else {
                return nil
            }
            result.append(parsed)
        }
        return result
    }

    /// A TLS 1.3-only configuration with our identity, requiring and custom-verifying the peer's
    /// certificate, offering the gRPC ALPN protocols.
    static func configuration(for material: PKI.NodeTLSMaterial, server: Bool) throws -> TLSConfiguration {
        let chain = try certificates(material.credentials.chain).map { NIOSSLCertificateSource.certificate($0) }
        let key = NIOSSLPrivateKeySource.privateKey(try privateKey(material.credentials))
        var config = server
            ? TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: key)
            : TLSConfiguration.makeClientConfiguration()
        if !server {
            config.certificateChain = chain
            config.privateKey = key
        }
        config.minimumTLSVersion = .tlsv13
        config.maximumTLSVersion = .tlsv13
        // Peer certificate required; the custom callback replaces BoringSSL's chain checks.
        config.certificateVerification = .noHostnameVerification
        config.trustRoots = .certificates(try certificates(material.trustBundle.certificates))
        config.applicationProtocols = ["grpc-exp", "h2"]
        return config
    }
}
