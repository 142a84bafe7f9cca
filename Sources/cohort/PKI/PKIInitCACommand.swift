import CohortNet
import ArgumentParser
import CohortNode

/// `cohort pki init-ca --out <dir> --consortium <name> [--days N]`.
struct PKIInitCACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-ca",
        abstract: "Create a consortium CA: <out>/ca.pem and <out>/ca.key (0600) in a 0700 directory."
    )

    @Option(help: "Directory to write ca.pem and ca.key into (created if missing).")
    var out: String

    @Option(help: "Consortium name (lowercase letters, digits, '-', '_').")
    var consortium: String

    @Option(help: "Validity in days.")
    var days: Int = PKI.defaultCAValidityDays

    @Flag(help: "Overwrite an existing CA in <out>.")
    var force = false

    func run() throws {
        let ca = try PKI.CertificateAuthority.create(consortium: consortium, validityDays: days)
        try ca.write(directory: out, overwrite: force)
        print("created CA for consortium '\(consortium)' in \(out)")
        print(try PKI.CertificateSummary(ca.certificate).render())
    }
}
