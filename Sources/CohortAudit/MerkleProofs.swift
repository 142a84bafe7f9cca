/// Anything that can return the hash of the perfect subtree at (level, index): level 0 are the
/// leaf hashes. Proof generation asks only for subtrees complete within the requested size.
public protocol MerkleNodeSource {
    /// Hash of the perfect subtree covering leaves `[index·2^level, (index+1)·2^level)`.
    func hash(level: Int, index: UInt64) throws -> Audit.Hash
}

extension Audit.Merkle {
    /// An in-memory node source over all leaf hashes (tests, small trees). Interior subtrees are
    /// computed on request: O(2^level) per call.
    public struct InMemoryNodes: MerkleNodeSource, Sendable {
        /// The leaf hashes.
        public var leaves: [Audit.Hash]

        /// Creates a source over `leaves`.
        public init(leaves: [Audit.Hash]) { self.leaves = leaves }

        /// Hash of the perfect subtree at (level, index).
        public func hash(level: Int, index: UInt64) throws -> Audit.Hash {
            let start = Int(index) << level
            let end = start + (1 << level)
            guard end <= leaves.count else {
                throw AuditError(.outOfRange, "subtree (level \(level), index \(index)) is beyond \(leaves.count) leaves")
            }
            return Audit.Merkle.rootByDefinition(leaves[start..<end])
        }
    }

    /// MTH(D[start:end]) from stored perfect subtrees; `start` must be aligned as in the RFC
    /// recursion. O(log n) lookups.
    static func subtreeHash(_ source: some MerkleNodeSource, start: UInt64, end: UInt64) throws -> Audit.Hash {
        let n = end - start
        if n & (n - 1) == 0 {
            let level = n.trailingZeroBitCount
            return try source.hash(level: level, index: start >> UInt64(level))
        }
        let k = splitPoint(n)
        let left = try subtreeHash(source, start: start, end: start + k)
        let right = try subtreeHash(source, start: start + k, end: end)
        return nodeHash(left, right)
    }

    /// The RFC 9162 §2.1.3.1 inclusion proof PATH(index, D[0:size]), leaf-to-root order.
    /// O(log n) node lookups. Throws `.outOfRange` unless `index < size`.
    public static func inclusionProof(index: UInt64, size: UInt64, nodes: some MerkleNodeSource) throws -> [Audit.Hash] {
        guard index < size else {
            throw AuditError(.outOfRange, "no inclusion proof for index \(index) in a tree of size \(size)")
        }
        var proof: [Audit.Hash] = []
        try path(index, start: 0, end: size, nodes: nodes, into: &proof)
        return proof
    }

    private static func path(_ m: UInt64, start: UInt64, end: UInt64, nodes: some MerkleNodeSource, into proof: inout [Audit.Hash]) throws {
        let n = end - start
        if n == 1 { return }
        let k = splitPoint(n)
        if m < k {
            try path(m, start: start, end: start + k, nodes: nodes, into: &proof)
            proof.append(try subtreeHash(nodes, start: start + k, end: end))
        } else {
            try path(m - k, start: start + k, end: end, nodes: nodes, into: &proof)
            proof.append(try subtreeHash(nodes, start: start, end: start + k))
        }
    }

    /// The RFC 9162 §2.1.4.1 consistency proof PROOF(from, D[0:to]). Empty when `from == 0` or
    /// `from == to`. O(log n) node lookups. Throws `.outOfRange` unless `from ≤ to`.
    public static func consistencyProof(from: UInt64, to: UInt64, nodes: some MerkleNodeSource) throws -> [Audit.Hash] {
        guard from <= to else {
            throw AuditError(.outOfRange, "no consistency proof from size \(from) to smaller size \(to)")
        }
        if from == 0 || from == to { return [] }
        var proof: [Audit.Hash] = []
        try subproof(from, start: 0, end: to, complete: true, nodes: nodes, into: &proof)
        return proof
    }

    private static func subproof(_ m: UInt64, start: UInt64, end: UInt64, complete: Bool, nodes: some MerkleNodeSource, into proof: inout [Audit.Hash]) throws {
        let n = end - start
        if m == n {
            if !complete { proof.append(try subtreeHash(nodes, start: start, end: end)) }
            return
        }
        let k = splitPoint(n)
        if m <= k {
            try subproof(m, start: start, end: start + k, complete: complete, nodes: nodes, into: &proof)
            proof.append(try subtreeHash(nodes, start: start + k, end: end))
        } else {
            try subproof(m - k, start: start + k, end: end, complete: false, nodes: nodes, into: &proof)
            proof.append(try subtreeHash(nodes, start: start, end: start + k))
        }
    }

    /// Tree head for `size` leaves from stored subtrees. O(log n) lookups.
    public static func root(size: UInt64, nodes: some MerkleNodeSource) throws -> Audit.Hash {
        if size == 0 { return emptyRoot }
        return try subtreeHash(nodes, start: 0, end: size)
    }
}
