import ArgumentParser
import CohortNode

/// `cohort pki rotate --ca <dir> --node-dir <dir>`: reissue a node's key and certificate.
struct PKIRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Reissue a node's key and certificate; the old pair is kept in tls/backup/<time>/.",
        discussion: """
            The node name and DNS/IP names are taken from the current certificate unless --dns/--ip \
            are given. Restart (or reload) the node afterwards; a running node audits key.rotated.
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

    func run() throws {
        let authority = try PKI.CertificateAuthority.load(directory: ca)
        var paths = PKI.NodeTLSPaths.standard
        paths.certificate = certificate
        paths.key = key
        let rotation = try PKI.rotate(
            authority: authority,
            nodeDirectory: nodeDirectory,
            paths: paths,
            validityDays: days,
            dnsNames: dns.isEmpty ? nil : dns,
            ipAddresses: ip.isEmpty ? nil : ip
        )
        print("rotated key of \(rotation.identity.uri)")
        print("old sha256:   \(rotation.oldFingerprint)")
        print("new sha256:   \(rotation.newFingerprint)")
        print("backup:       \(rotation.backupDirectory)")
    }
}
