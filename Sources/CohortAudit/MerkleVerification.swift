extension Audit.Merkle {
    /// RFC 9162 §2.1.3.2: the root implied by an inclusion proof, or `nil` if the proof has the
    /// wrong shape for (index, size). O(proof length).
    public static func rootFromInclusionProof(index: UInt64, size: UInt64, leafHash: Audit.Hash, proof: [Audit.Hash]) -> Audit.Hash? {
        guard index < size else { return nil }
        var fn = index
        var sn = size - 1
        var r = leafHash
        for p in proof {
            if sn == 0 { return nil }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    /// RFC 9162 §2.1.3.2 inclusion verification.
    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: Audit.Hash, proof: [Audit.Hash], root: Audit.Hash) -> Bool {
        rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof) == root
    }

    /// RFC 9162 §2.1.4.2 consistency verification between tree heads (`from`, `fromRoot`) and
    /// (`to`, `toRoot`). Sizes 0 and equal sizes follow the usual conventions: from 0 anything is
    /// consistent with an empty proof; equal sizes need equal roots and an empty proof.
    public static func verifyConsistency(from: UInt64, to: UInt64, fromRoot: Audit.Hash, toRoot: Audit.Hash, proof: [Audit.Hash]) -> Bool {
        if from > to { return false }
        if from == to { return proof.isEmpty && fromRoot == toRoot }
        if from == 0 { return proof.isEmpty }
        if proof.isEmpty { return false }
        var path = proof
        if from & (from - 1) == 0 { path.insert(fromRoot, at: 0) }
        var fn = from - 1
        var sn = to - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == fromRoot && sr == toRoot && sn == 0
    }
}
