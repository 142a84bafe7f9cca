import CohortNet
import ArgumentParser
import CohortNode

/// `cohort pki inspect <cert.pem>`: print every certificate in a PEM file.
struct PKIInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show subject, identity, SANs, validity and SHA-256 fingerprint of certificates."
    )

    @Argument(help: "PEM file (a certificate, chain or trust bundle).")
    var path: String

    func run() throws {
        let certificates = try PKI.certificates(fromPEM: try PKI.Files.readText(path), source: path)
        guard !certificates.isEmpty else {
            throw ValidationError("\(path) contains no CERTIFICATE block")
        }
        for (index, certificate) in certificates.enumerated() {
            if certificates.count > 1 { print("# certificate \(index + 1) of \(certificates.count)") }
            print(try PKI.CertificateSummary(certificate).render())
            if index + 1 < certificates.count { print("") }
        }
    }
}
