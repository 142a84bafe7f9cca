import CohortNet
import ArgumentParser
import CohortNode

/// `cohort pki issue --ca <dir> --node <name> --out <dir> [--dns …] [--ip …] [--days N]`.
struct PKIIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract: "Issue a node key and certificate (SAN URI cohort://<consortium>/<node>).",
        discussion: """
            Writes <out>/node.pem and <out>/node.key (0600); also writes <out>/trust.pem (the CA) \
            and an empty <out>/revoked.txt if they do not exist yet, so <out> can serve as a node's \
            tls/ folder.
            """
    )

    @Option(help: "CA directory (ca.pem, ca.key).")
    var ca: String

    @Option(help: "Node name.")
    var node: String

    @Option(help: "Output directory (e.g. <node dir>/tls).")
    var out: String

    @Option(help: "DNS subject alternative name (repeatable).")
    var dns: [String] = []

    @Option(help: "IP address subject alternative name (repeatable).")
    var ip: [String] = []

    @Option(help: "Validity in days.")
    var days: Int = PKI.defaultNodeValidityDays

    @Flag(help: "Overwrite an existing node.pem / node.key in <out>.")
    var force = false

    func run() throws {
        let authority = try PKI.CertificateAuthority.load(directory: ca)
        let credentials = try authority.issue(node: node, dnsNames: dns, ipAddresses: ip, validityDays: days)
        try PKI.Files.makeDirectory(out, mode: 0o700)
        let layout = PKI.NodeTLSPaths.folderLayout.resolved(against: out)
        try credentials.write(certificatePath: layout.certificate, keyPath: layout.key, overwrite: force)
        if !PKI.Files.exists(layout.trustBundle) {
            try authority.trustBundle.write(to: layout.trustBundle)
        }
        if !PKI.Files.exists(layout.revoked) {
            try PKI.RevocationList.empty.write(to: layout.revoked)
        }
        print("issued \(try credentials.identity().uri) into \(out)")
        print(try PKI.CertificateSummary(credentials.certificate).render())
    }
}
