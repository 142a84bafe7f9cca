@testable import CohortAudit
import Crypto
import Testing

/// RFC 6962/9162 reference vectors as used by transparency-dev/merkle (testonly/constants.go,
/// proof/verify_test.go) and certificate-transparency-go.
@Suite struct MerkleVectorTests {
    static let leafInputs: [[UInt8]] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(hexBytes)

    static let roots = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    static var leafHashes: [Audit.Hash] { leafInputs.map { Audit.Merkle.leafHash($0) } }

    @Test(arguments: 0...8)
    func rootsMatchReference(size: Int) throws {
        let leaves = Array(Self.leafHashes.prefix(size))
        #expect(Audit.Merkle.rootByDefinition(leaves[...]).hex == Self.roots[size])
        var frontier = Audit.Merkle.Frontier()
        for l in leaves { frontier.append(l) }
        #expect(frontier.root.hex == Self.roots[size])
        #expect(try Audit.Merkle.root(size: UInt64(size), nodes: Audit.Merkle.InMemoryNodes(leaves: leaves)).hex == Self.roots[size])
    }

    @Test func leafAndNodeHashesMatchReference() {
        let expectedLeaves = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        ]
        #expect(Self.leafHashes.map(\.hex) == expectedLeaves)
        var completed: [String: String] = [:]
        var frontier = Audit.Merkle.Frontier()
        for l in Self.leafHashes { frontier.append(l) { completed["\($0.level)/\($0.index)"] = $0.hash.hex } }
        #expect(completed["1/0"] == "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
        #expect(completed["1/3"] == "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0")
        #expect(completed["2/1"] == "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")
        #expect(completed["3/0"] == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
        #expect(completed.count == 7)
    }

    /// The leaf and node hashes go straight to BoringSSL on Linux; they must equal swift-crypto's
    /// `SHA256` over `prefix ‖ bytes` at every length around the 64-byte block and 55/56-byte
    /// padding boundaries, and for entries larger than any the log writes today.
    @Test(arguments: [0, 1, 54, 55, 56, 63, 64, 65, 118, 119, 120, 127, 128, 299, 300, 301, 1023, 1024, 4097])
    func hashingMatchesSwiftCrypto(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        func reference(_ prefix: UInt8?) -> String {
            var h = SHA256()
            if let prefix { h.update(data: [prefix]) }
            h.update(data: bytes)
            return HexDigits.encode(Array(h.finalize()))
        }
        #expect(Audit.Merkle.leafHash(bytes).hex == reference(0))
        #expect(bytes.withUnsafeBytes { Audit.Merkle.sha256($0) }.hex == reference(nil))
        if length == 64 {
            let node = Audit.Merkle.nodeHash(Audit.Hash(bytes: bytes[0..<32])!, Audit.Hash(bytes: bytes[32..<64])!)
            #expect(node.hex == reference(1))
        }
    }

    struct ProofVector: Sendable, CustomTestStringConvertible {
        var a: UInt64
        var b: UInt64
        var proof: [String]
        var testDescription: String { "(\(a), \(b))" }
    }

    /// Inclusion vectors (0-based leaf index, tree size).
    static let inclusion: [ProofVector] = [
        .init(a: 0, b: 1, proof: []),
        .init(a: 0, b: 8, proof: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        .init(a: 5, b: 8, proof: ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        .init(a: 2, b: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        .init(a: 1, b: 5, proof: ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    ]

    static let consistency: [ProofVector] = [
        .init(a: 1, b: 1, proof: []),
        .init(a: 1, b: 8, proof: ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        .init(a: 6, b: 8, proof: ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        .init(a: 2, b: 5, proof: ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        .init(a: 6, b: 7, proof: ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ]

    @Test(arguments: inclusion)
    func inclusionVectors(_ v: ProofVector) throws {
        let nodes = Audit.Merkle.InMemoryNodes(leaves: Self.leafHashes)
        let proof = try Audit.Merkle.inclusionProof(index: v.a, size: v.b, nodes: nodes)
        #expect(proof.map(\.hex) == v.proof)
        let root = try #require(Audit.Hash(hex: Self.roots[Int(v.b)]))
        let leaf = Self.leafHashes[Int(v.a)]
        #expect(Audit.Merkle.verifyInclusion(index: v.a, size: v.b, leafHash: leaf, proof: proof, root: root))
        // Corruptions from the reference suite must all fail.
        #expect(!Audit.Merkle.verifyInclusion(index: v.a + 1, size: v.b, leafHash: leaf, proof: proof, root: root))
        #expect(!Audit.Merkle.verifyInclusion(index: v.a, size: v.b * 2, leafHash: leaf, proof: proof, root: root))
        #expect(!Audit.Merkle.verifyInclusion(index: v.a, size: v.b, leafHash: Audit.Merkle.emptyRoot, proof: proof, root: root))
        #expect(!Audit.Merkle.verifyInclusion(index: v.a, size: v.b, leafHash: leaf, proof: proof + [root], root: root))
        #expect(!Audit.Merkle.verifyInclusion(index: v.a, size: v.b, leafHash: leaf, proof: [root] + proof, root: root))
        if !proof.isEmpty {
            #expect(!Audit.Merkle.verifyInclusion(index: v.a, size: v.b, leafHash: leaf, proof: Array(proof.dropLast()), root: root))
            var flipped = proof[0].bytes
            flipped[0] ^= 8
            #expect(!Audit.Merkle.verifyInclusion(index: v.a, size: v.b, leafHash: leaf, proof: [Audit.Hash(bytes: flipped)!] + proof.dropFirst(), root: root))
        }
    }

    @Test(arguments: consistency)
    func consistencyVectors(_ v: ProofVector) throws {
        let nodes = Audit.Merkle.InMemoryNodes(leaves: Self.leafHashes)
        let proof = try Audit.Merkle.consistencyProof(from: v.a, to: v.b, nodes: nodes)
        #expect(proof.map(\.hex) == v.proof)
        let r1 = try #require(Audit.Hash(hex: Self.roots[Int(v.a)]))
        let r2 = try #require(Audit.Hash(hex: Self.roots[Int(v.b)]))
        #expect(Audit.Merkle.verifyConsistency(from: v.a, to: v.b, fromRoot: r1, toRoot: r2, proof: proof))
        if !proof.isEmpty {
            #expect(!Audit.Merkle.verifyConsistency(from: v.a, to: v.b, fromRoot: r2, toRoot: r1, proof: proof))
            #expect(!Audit.Merkle.verifyConsistency(from: v.a + 1, to: v.b, fromRoot: r1, toRoot: r2, proof: proof))
            #expect(!Audit.Merkle.verifyConsistency(from: v.a, to: v.b, fromRoot: r1, toRoot: r2, proof: []))
            #expect(!Audit.Merkle.verifyConsistency(from: v.a, to: v.b, fromRoot: r1, toRoot: r2, proof: Array(proof.dropLast())))
            #expect(!Audit.Merkle.verifyConsistency(from: v.a, to: v.b, fromRoot: r1, toRoot: r2, proof: proof + [r1]))
        }
    }

    @Test func consistencyEdgeCases() {
        let r = Audit.Merkle.emptyRoot
        let other = Audit.Merkle.leafHash([1])
        #expect(Audit.Merkle.verifyConsistency(from: 0, to: 0, fromRoot: r, toRoot: r, proof: []))
        #expect(!Audit.Merkle.verifyConsistency(from: 1, to: 1, fromRoot: r, toRoot: other, proof: []))
        #expect(!Audit.Merkle.verifyConsistency(from: 2, to: 1, fromRoot: r, toRoot: other, proof: []))
        #expect(!Audit.Merkle.verifyConsistency(from: 1, to: 1, fromRoot: r, toRoot: r, proof: [r]))
        #expect(throws: AuditError.self) { try Audit.Merkle.inclusionProof(index: 8, size: 8, nodes: Audit.Merkle.InMemoryNodes(leaves: Self.leafHashes)) }
    }

    /// Randomized: every proof for every (index, size) up to 70 leaves matches a naive
    /// recomputation and verifies; the frontier's root matches the definition at every size.
    @Test func randomizedAgainstNaive() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let leaves = (0..<70).map { _ in Audit.Merkle.leafHash((0..<Int(next() % 40)).map { _ in next() }) }
        let nodes = Audit.Merkle.InMemoryNodes(leaves: leaves)
        var frontier = Audit.Merkle.Frontier()
        var roots = [Audit.Merkle.emptyRoot]
        for l in leaves {
            frontier.append(l)
            roots.append(frontier.root)
            #expect(frontier.root == Audit.Merkle.rootByDefinition(leaves[0..<Int(frontier.size)]))
        }
        for size in 1...UInt64(leaves.count) {
            for index in 0..<size {
                let proof = try Audit.Merkle.inclusionProof(index: index, size: size, nodes: nodes)
                #expect(Audit.Merkle.verifyInclusion(index: index, size: size, leafHash: leaves[Int(index)], proof: proof, root: roots[Int(size)]))
                #expect(proof.count <= 64 - (size - 1).leadingZeroBitCount + 1)
            }
            for from in 0...size {
                let proof = try Audit.Merkle.consistencyProof(from: from, to: size, nodes: nodes)
                #expect(Audit.Merkle.verifyConsistency(from: from, to: size, fromRoot: roots[Int(from)], toRoot: roots[Int(size)], proof: proof))
                if from > 0 && from < size {
                    #expect(!Audit.Merkle.verifyConsistency(from: from, to: size, fromRoot: roots[Int(from) - 1], toRoot: roots[Int(size)], proof: proof))
                }
            }
        }
    }

    /// Stitching: the frontier of `a` leaves (a multiple of 2^h) plus the subtrees of the next
    /// `b ≤ 2^h` leaves equals the frontier of all `a + b` leaves, for every such split up to 70.
    @Test(arguments: 0...4)
    func frontierStitchingMatchesAppending(height: Int) {
        let leaves = (0..<70).map { Audit.Merkle.leafHash(Array("leaf \($0)".utf8)) }
        let chunk = 1 << height
        for a in stride(from: 0, to: 70, by: chunk) {
            for b in 0...min(chunk, 70 - a) {
                var left = Audit.Merkle.Frontier()
                for l in leaves[0..<a] { left.append(l) }
                var right = Audit.Merkle.Frontier()
                for l in leaves[a..<(a + b)] { right.append(l) }
                left.append(subtreesOf: right)
                #expect(left.size == UInt64(a + b))
                #expect(left.root == Audit.Merkle.rootByDefinition(leaves[0..<(a + b)]))
                var whole = Audit.Merkle.Frontier()
                for l in leaves[0..<(a + b)] { whole.append(l) }
                #expect(left == whole)
            }
        }
    }
}

func hexBytes(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    var it = s.utf8.makeIterator()
    while let a = it.next(), let b = it.next() {
        out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16) ?? 0)
    }
    return out
}
