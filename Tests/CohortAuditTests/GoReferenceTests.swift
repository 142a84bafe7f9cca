import CohortAudit
import CohortTestSupport
import CohortProcess
import Foundation
import Testing

/// Issue 15, "an outside verifier agrees": witness cosignatures and consistency proofs checked by
/// the Go reference code of the formats (`golang.org/x/mod/sumdb/note`, `…/sumdb/tlog`).
///
/// Runs only where `go` and the x/mod sources are installed (Debian: `golang-go`,
/// `golang-golang-x-mod-dev`, found under `/usr/share/gocode`, or `$COHORT_GO_XMOD_GOPATH`);
/// elsewhere it is skipped, because the Go toolchain is not part of the build. It needs no
/// network (GOPATH mode, `GO111MODULE=off`).
@Suite struct GoReferenceTests {
    static let goPath: String? = {
        let candidates = [ProcessInfo.processInfo.environment["COHORT_GO_XMOD_GOPATH"], "/usr/share/gocode"].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/src/golang.org/x/mod/sumdb/note/note.go") }
    }()

    static let go: String? = ["/usr/bin/go", "/usr/local/go/bin/go", "/usr/lib/go/bin/go"].first { FileManager.default.isExecutableFile(atPath: $0) }

    static var available: Bool { goPath != nil && go != nil }

    static let program = """
        package main

        import (
        \t"encoding/hex"
        \t"fmt"
        \t"os"
        \t"strconv"

        \t"golang.org/x/mod/sumdb/note"
        \t"golang.org/x/mod/sumdb/tlog"
        )

        func hash(s string) tlog.Hash {
        \tvar h tlog.Hash
        \tb, err := hex.DecodeString(s)
        \tif err != nil || len(b) != 32 { fmt.Println("bad hash", s); os.Exit(2) }
        \tcopy(h[:], b)
        \treturn h
        }

        func main() {
        \tswitch os.Args[1] {
        \tcase "note":
        \t\tmsg, _ := os.ReadFile(os.Args[2])
        \t\tvar vs []note.Verifier
        \t\tfor _, k := range os.Args[3:] {
        \t\t\tv, err := note.NewVerifier(k)
        \t\t\tif err != nil { fmt.Println("bad key:", err); os.Exit(2) }
        \t\t\tvs = append(vs, v)
        \t\t}
        \t\tn, err := note.Open(msg, note.VerifierList(vs...))
        \t\tif err != nil { fmt.Println("open:", err); os.Exit(1) }
        \t\tfor _, s := range n.Sigs { fmt.Println("verified", s.Name) }
        \tcase "tree":
        \t\tn, _ := strconv.ParseInt(os.Args[2], 10, 64)
        \t\told, _ := strconv.ParseInt(os.Args[4], 10, 64)
        \t\tvar proof tlog.TreeProof
        \t\tfor _, p := range os.Args[6:] { proof = append(proof, hash(p)) }
        \t\tif err := tlog.CheckTree(proof, n, hash(os.Args[3]), old, hash(os.Args[5])); err != nil { fmt.Println("tree:", err); os.Exit(1) }
        \t\tfmt.Println("consistent")
        \t}
        }
        """

    /// Builds the checker once per test; returns its path.
    static func build(in dir: String) async throws -> String {
        try FileManager.default.createDirectory(atPath: dir + "/src/check", withIntermediateDirectories: true)
        try program.write(toFile: dir + "/src/check/main.go", atomically: true, encoding: .utf8)
        let out = try await run(go!, ["build", "-o", dir + "/check", "."], cwd: dir + "/src/check", env: [
            "GO111MODULE": "off", "GOPATH": goPath!, "GOCACHE": dir + "/cache", "HOME": dir, "GOFLAGS": "",
        ])
        guard out.status == 0 else { throw AuditError(.fileAccess, "go build failed: \(out.output)") }
        return dir + "/check"
    }

    static func run(_ exe: String, _ args: [String], cwd: String? = nil, env: [String: String]? = nil) async throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        if let env { p.environment = ProcessInfo.processInfo.environment.merging(env) { _, new in new } }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try await ProcessLauncher.launch(p)
        let data = await ChildProcess.readToEnd(pipe.fileHandleForReading)
        _ = await ChildProcess.waitForExit(p)
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: GoReferenceTests.available, "needs go and golang.org/x/mod sources (Debian golang-go, golang-golang-x-mod-dev)"))
    func witnessCosignaturesAndProofsVerifyWithTheGoReference() async throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let checker = try await Self.build(in: dir.path + "/go")
        let acme = try await Audit.Log.open(nodeDirectory: dir.path + "/acme", node: "acme")
        let beta = try await Audit.Log.open(nodeDirectory: dir.path + "/beta", node: "beta")
        for i in 0..<7 { _ = try await acme.record(sampleEvent(i)) }
        let first = try await acme.signCheckpoint()
        guard case .cosigned = try await beta.witness(note: first.serialized, peerKey: acme.verifier, oldSize: 0, proof: []) else {
            Issue.record("not cosigned")
            return
        }
        for i in 7..<19 { _ = try await acme.record(sampleEvent(i)) }
        let second = try await acme.signCheckpoint()
        let proof = try acme.reader().consistencyProof(from: first.checkpoint.size, to: second.checkpoint.size)
        guard case .cosigned(let cosigned) = try await beta.witness(note: second.serialized, peerKey: acme.verifier, oldSize: first.checkpoint.size, proof: proof) else {
            Issue.record("not cosigned")
            return
        }
        let stored = try acme.storeCosignature(from: cosigned.serialized, peer: "beta", witness: beta.verifier)
        try stored.serialized.write(toFile: dir.path + "/note", atomically: true, encoding: .utf8)

        let both = try await Self.run(checker, ["note", dir.path + "/note", acme.verifier.text, beta.verifier.text])
        #expect(both.status == 0, "\(both.output)")
        #expect(both.output.contains("verified cohort.audit/acme") && both.output.contains("verified cohort.audit/beta"), "\(both.output)")
        // The witness's key alone verifies the cosignature (sumdb/note needs one known signer).
        let witnessOnly = try await Self.run(checker, ["note", dir.path + "/note", beta.verifier.text])
        #expect(witnessOnly.status == 0 && witnessOnly.output == "verified cohort.audit/beta\n", "\(witnessOnly.output)")
        // A tampered note does not verify.
        try stored.serialized.replacingOccurrences(of: "\n19\n", with: "\n18\n").write(toFile: dir.path + "/bad", atomically: true, encoding: .utf8)
        #expect(try await Self.run(checker, ["note", dir.path + "/bad", beta.verifier.text]).status == 1)

        let tree = try await Self.run(checker, ["tree", "\(second.checkpoint.size)", second.checkpoint.root.hex,
                                          "\(first.checkpoint.size)", first.checkpoint.root.hex] + proof.map(\.hex))
        #expect(tree.status == 0 && tree.output == "consistent\n", "\(tree.output)")
        await acme.close()
        await beta.close()
    }
}
