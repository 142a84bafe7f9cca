import CohortNetTestSupport
import CohortTestSupport
import CohortNet
import Crypto
import Foundation
import Testing
import X509

@Suite("PKI")
struct PKITests {
    @Test("a CA issues a node certificate carrying cohort://<consortium>/<node> and the SANs")
    func issueNodeCertificate() throws {
        let ca = try PKI.CertificateAuthority.create(consortium: "demo")
        let creds = try ca.issue(node: "alpha", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1", "::1"])
        #expect(try creds.identity() == PKI.NodeIdentity(consortium: "demo", node: "alpha"))
        #expect(try creds.identity().uri == "cohort://demo/alpha")
        let hosts = PKI.sanHosts(of: creds.certificate)
        #expect(hosts.dnsNames == ["localhost"])
        #expect(hosts.ipAddresses == ["127.0.0.1", "::1"])
        #expect(creds.certificate.issuer == ca.certificate.subject)
        #expect(ca.certificate.publicKey.isValidSignature(creds.certificate.signature, for: creds.certificate))
        let summary = try PKI.CertificateSummary(creds.certificate)
        #expect(summary.identities == ["cohort://demo/alpha"])
        #expect(!summary.isCertificateAuthority)
        #expect(try PKI.CertificateSummary(ca.certificate).isCertificateAuthority)
        #expect(summary.fingerprint.count == 64)
        #expect(!creds.description.contains("PRIVATE"))
    }

    @Test("invalid names and addresses are rejected with a clear error", arguments: ["", "Alpha", "a/b", "-x", String(repeating: "a", count: 64)])
    func invalidNames(name: String) throws {
        let ca = try PKI.CertificateAuthority.create(consortium: "demo")
        #expect(throws: NetworkError.self) { try ca.issue(node: name) }
        #expect(throws: NetworkError.self) { try PKI.CertificateAuthority.create(consortium: name) }
    }

    @Test("a malformed IP SAN is rejected")
    func invalidIP() throws {
        let ca = try PKI.CertificateAuthority.create(consortium: "demo")
        let error = #expect(throws: NetworkError.self) { try ca.issue(node: "alpha", ipAddresses: ["300.1.1.1"]) }
        #expect(error?.code == .invalidArgument)
    }

    @Test("CA and node material round-trip through files; private keys are 0600")
    func filesRoundTrip() throws {
        let dir = try PKI.TestPKI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try PKI.CertificateAuthority.create(consortium: "demo")
        try ca.write(directory: dir + "/ca")
        #expect(PKI.Files.permissions(of: dir + "/ca/ca.key") == 0o600)
        #expect(PKI.Files.permissions(of: dir + "/ca") == 0o700)
        #expect(throws: NetworkError.self) { try ca.write(directory: dir + "/ca") }  // no silent overwrite
        let loaded = try PKI.CertificateAuthority.load(directory: dir + "/ca")
        #expect(loaded.consortium == "demo")
        #expect(loaded.certificate == ca.certificate)

        let material = PKI.NodeTLSMaterial(
            credentials: try loaded.issue(node: "beta"),
            trustBundle: loaded.trustBundle,
            revocations: PKI.RevocationList(["AB" + String(repeating: "0", count: 62)])
        )
        try material.write(nodeDirectory: dir + "/node")
        #expect(PKI.Files.permissions(of: dir + "/node/tls/node.key") == 0o600)
        let reread = try PKI.NodeTLSMaterial.load(nodeDirectory: dir + "/node")
        #expect(reread.credentials.certificate == material.credentials.certificate)
        #expect(reread.credentials.privateKey.rawRepresentation == material.credentials.privateKey.rawRepresentation)
        #expect(reread.trustBundle == material.trustBundle)
        #expect(reread.revocations.contains(fingerprint: "ab" + String(repeating: "0", count: 62)))
    }

    @Test("a key file that does not match the certificate is rejected")
    func mismatchedKey() throws {
        let dir = try PKI.TestPKI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = try PKI.TestPKI()
        let a = try pki.credentials(for: "alpha")
        let b = try pki.credentials(for: "beta")
        try PKI.Files.writeText(try a.certificatePEM(), to: dir + "/a.pem")
        try PKI.Files.writeSecret(Array(b.privateKeyPEM().utf8), to: dir + "/b.key")
        let error = #expect(throws: NetworkError.self) {
            try PKI.NodeCredentials.load(certificatePath: dir + "/a.pem", keyPath: dir + "/b.key")
        }
        #expect(error?.code == .malformedMaterial)
        #expect(error?.message.contains(dir + "/a.pem") == true)
    }

    @Test("a trust bundle may hold several partners' CAs")
    func multiCABundle() throws {
        let dir = try PKI.TestPKI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let one = try PKI.TestPKI(consortium: "demo", caName: "Partner One CA")
        let two = try PKI.TestPKI(consortium: "demo", caName: "Partner Two CA")
        let bundle = one.trustBundle.merged(with: two.trustBundle).merged(with: one.trustBundle)
        #expect(bundle.certificates.count == 2)
        try bundle.write(to: dir + "/trust.pem")
        #expect(try PKI.TrustBundle.load(path: dir + "/trust.pem") == bundle)
        try PKI.Files.writeText("# nothing here\n", to: dir + "/empty.pem")
        #expect(throws: NetworkError.self) { try PKI.TrustBundle.load(path: dir + "/empty.pem") }
    }

    @Test("revocation lists: comments, case, colons; bad lines name the line")
    func revocationParsing() throws {
        let fp = String(repeating: "ab", count: 32)
        let colonForm = Array(repeating: "AB", count: 32).joined(separator: ":")
        let text = """
            # revoked after the 2026 incident
            \(fp.uppercased())   # alpha's old key

            \(colonForm)
            """
        let list = try PKI.RevocationList.parse(text, source: "revoked.txt")
        #expect(list.fingerprints == [fp])
        let error = #expect(throws: NetworkError.self) {
            try PKI.RevocationList.parse("# ok\n\(fp)\nnot-a-fingerprint\n", source: "revoked.txt")
        }
        #expect(error?.message.contains("revoked.txt:3") == true)
        #expect(try PKI.RevocationList.load(path: "/nonexistent/revoked.txt").fingerprints.isEmpty)
    }

    @Test("rotation reissues key and certificate, keeps a 0600 backup, reports fingerprints")
    func rotation() throws {
        let dir = try PKI.TestPKI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = try PKI.TestPKI(consortium: "demo")
        let before = try pki.writeNode("alpha", to: dir)
        let rotation = try PKI.rotate(authority: pki.authority, nodeDirectory: dir)
        let after = try PKI.NodeTLSMaterial.load(nodeDirectory: dir)
        #expect(rotation.identity.node == "alpha")
        #expect(rotation.oldFingerprint == (try PKI.fingerprint(of: before.credentials.certificate)))
        #expect(rotation.newFingerprint == (try PKI.fingerprint(of: after.credentials.certificate)))
        #expect(rotation.oldFingerprint != rotation.newFingerprint)
        #expect(after.credentials.privateKey.rawRepresentation != before.credentials.privateKey.rawRepresentation)
        #expect(PKI.sanHosts(of: after.credentials.certificate).ipAddresses == ["127.0.0.1"])
        #expect(PKI.Files.permissions(of: dir + "/tls/node.key") == 0o600)
        #expect(PKI.Files.permissions(of: rotation.backupDirectory + "/node.key") == 0o600)
        let backup = try PKI.NodeCredentials.load(
            certificatePath: rotation.backupDirectory + "/node.pem", keyPath: rotation.backupDirectory + "/node.key"
        )
        #expect(backup.certificate == before.credentials.certificate)

        let other = try PKI.TestPKI(consortium: "other")
        #expect(throws: NetworkError.self) { try PKI.rotate(authority: other.authority, nodeDirectory: dir) }
    }
}

@Suite("PKI peer certificate verification")
struct PKIPeerVerificationTests {
    let pki: PKI.TestPKI

    init() throws {
        pki = try PKI.TestPKI(consortium: "demo")
    }

    func verifier(
        expect: PKI.PeerExpectation = .anyOf(["beta"]), revoked: [String] = [], bundle: PKI.TrustBundle? = nil,
        role: PKI.PresenterRole = .client
    ) -> PKI.PeerCertificateVerifier {
        PKI.PeerCertificateVerifier(
            consortium: "demo", trustBundle: bundle ?? pki.trustBundle, revocations: PKI.RevocationList(revoked),
            expectation: expect, presenterRole: role
        )
    }

    func code(_ outcome: PKI.PeerVerification) -> PeerRefusal.Code? {
        if case .refused(let code, _, _) = outcome { return code }
        return nil
    }

    @Test("a valid, trusted, configured peer is accepted with its identity")
    func accepted() async throws {
        let beta = try pki.credentials(for: "beta")
        let outcome = await verifier().verify(chain: beta.chain)
        guard case .accepted(let name, let chain) = outcome else {
            Issue.record("expected acceptance, got \(outcome)")
            return
        }
        #expect(name.node == "beta")
        #expect(chain.count == 2)
        #expect(code(await verifier(expect: .exactly("beta"), role: .server).verify(chain: beta.chain)) == nil)
    }

    @Test("expired, not yet valid, unknown CA, revoked, unconfigured and mismatched names are refused")
    func refusals() async throws {
        let expired = try pki.credentials(for: "beta", validity: .expired)
        #expect(code(await verifier().verify(chain: expired.chain)) == .expired)

        let future = try pki.credentials(for: "beta", validity: .notYetValid)
        #expect(code(await verifier().verify(chain: future.chain)) == .notYetValid)

        let stranger = try PKI.TestPKI(consortium: "demo").credentials(for: "beta")
        #expect(code(await verifier().verify(chain: stranger.chain)) == .unknownAuthority)

        let beta = try pki.credentials(for: "beta")
        let fp = try PKI.fingerprint(of: beta.certificate)
        #expect(code(await verifier(revoked: [fp]).verify(chain: beta.chain)) == .revoked)
        let caFP = try PKI.fingerprint(of: pki.authority.certificate)
        #expect(code(await verifier(revoked: [caFP]).verify(chain: beta.chain)) == .revoked)

        let gamma = try pki.credentials(for: "gamma")
        #expect(code(await verifier().verify(chain: gamma.chain)) == .unknownPeer)
        #expect(code(await verifier(expect: .exactly("beta"), role: .server).verify(chain: gamma.chain)) == .nameMismatch)

        let foreign = try pki.credentials(for: "beta", consortiumOverride: "elsewhere")
        #expect(code(await verifier().verify(chain: foreign.chain)) == .missingIdentity)

        #expect(code(await verifier().verify(chain: [pki.authority.certificate])) != nil)
        #expect(code(await verifier().verify(chain: [])) == .noCertificate)
    }

    @Test("a peer signed by a second partner CA in the bundle is accepted")
    func secondPartnerCA() async throws {
        let partner = try PKI.TestPKI(consortium: "demo")
        let bundle = pki.trustBundle.merged(with: partner.trustBundle)
        let beta = try partner.credentials(for: "beta")
        #expect(code(await verifier(bundle: bundle).verify(chain: beta.chain)) == nil)
    }
}
