import CohortNet
import ArgumentParser
import CohortAudit
import CohortNode
import Foundation

/// `cohort pki rotate --ca <dir> --node-dir <dir>`: reissue a node's key and certificate.
struct PKIRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Reissue a node's key and certificate; the old pair is kept in tls/backup/<time>/.",
        discussion: """
            The node name and DNS/IP names are taken from the current certificate unless --dns/--ip \
            are given. When the node directory has an audit log, the rotation is audited as key.rotated \
            (durably, before this command reports success); stop the node first. Restart it afterwards.
            """
    )

    @Option(help: "CA directory (ca.pem, ca.key).")
    var ca: String

    @Option(name: .customLong("node-dir"), help: "Node directory (holding tls/node.pem and tls/node.key).")
    var nodeDirectory: String

    @Option(help: "Certificate path relative to the node directory.")
    var certificate: String = PKI.NodeTLSPaths.standard.certificate

    @Option(help: "Private key path relative to the node directory.")
    var key: String = PKI.NodeTLSPaths.standard.key

    @Option(help: "Replacement DNS names (repeatable; default: keep the current ones).")
    var dns: [String] = []

    @Option(help: "Replacement IP addresses (repeatable; default: keep the current ones).")
    var ip: [String] = []

    @Option(help: "Validity of the new certificate in days.")
    var days: Int = PKI.defaultNodeValidityDays

    func run() async throws {
        let authority = try PKI.CertificateAuthority.load(directory: ca)
        // Hold the node's audit log (if it has one) before touching the keys, so a rotation is
        // never left unaudited; this also refuses while the node is running.
        let auditPath = URL(fileURLWithPath: nodeDirectory).appendingPathComponent("audit.sqlite").path
        var log: Audit.Log?
        if FileManager.default.fileExists(atPath: auditPath) {
            let node = try PKI.NodeCredentials.load(
                certificatePath: PKI.Files.join(nodeDirectory, certificate), keyPath: PKI.Files.join(nodeDirectory, key)
            ).identity().node
            log = try await Audit.Log.open(nodeDirectory: nodeDirectory, node: node)
        }
        var paths = PKI.NodeTLSPaths.standard
        paths.certificate = certificate
        paths.key = key
        let rotation: PKI.KeyRotation
        do {
            rotation = try PKI.rotate(
                authority: authority,
                nodeDirectory: nodeDirectory,
                paths: paths,
                validityDays: days,
                dnsNames: dns.isEmpty ? nil : dns,
                ipAddresses: ip.isEmpty ? nil : ip
            )
            if let log {
                _ = try await log.record(.tlsKeyRotated(
                    actor: ProcessInfo.processInfo.environment["USER"] ?? "operator", oldSHA256: rotation.oldFingerprint,
                    newSHA256: rotation.newFingerprint, backup: rotation.backupDirectory, identity: rotation.identity.uri))
            }
        } catch {
            await log?.close()
            throw error
        }
        await log?.close()
        print("rotated key of \(rotation.identity.uri)")
        print("old sha256:   \(rotation.oldFingerprint)")
        print("new sha256:   \(rotation.newFingerprint)")
        print("backup:       \(rotation.backupDirectory)")
    }
}
