import Crypto

extension Audit {
    /// RFC 9162 §2.1 Merkle tree hashing, proofs and their verification.
    public enum Merkle {}
}

extension Audit.Merkle {
    /// The root of the empty tree: SHA-256 of the empty string.
    public static let emptyRoot = Audit.Hash(SHA256.hash(data: [UInt8]()))

    /// Leaf hash `SHA-256(0x00 ‖ entry)` (RFC 9162 §2.1.1). O(entry length).
    public static func leafHash(_ entry: UnsafeRawBufferPointer) -> Audit.Hash {
        sha256(prefix: 0, entry)
    }

    /// Leaf hash of a byte array.
    public static func leafHash(_ entry: [UInt8]) -> Audit.Hash {
        entry.withUnsafeBytes { leafHash($0) }
    }

    /// Interior node hash `SHA-256(0x01 ‖ left ‖ right)` (RFC 9162 §2.1.1).
    public static func nodeHash(_ left: Audit.Hash, _ right: Audit.Hash) -> Audit.Hash {
        // 65 bytes in one contiguous update.
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buffer in
            buffer[0] = 1
            buffer.storeBytes(of: left.storage, toByteOffset: 1, as: SIMD4<UInt64>.self)
            buffer.storeBytes(of: right.storage, toByteOffset: 33, as: SIMD4<UInt64>.self)
            return sha256(UnsafeRawBufferPointer(buffer))
        }
    }

    /// The largest power of two strictly less than `n` (n ≥ 2).
    
    static func splitPoint(_ n: UInt64) -> UInt64 {
        UInt64(1) << (63 - UInt64((n - 1).leadingZeroBitCount))
    }

    /// Root of a list of leaf hashes by the RFC 9162 recursive definition (MTH). O(n) hashes, O(n)
    /// memory: the naive reference used in tests and for small trees.
    public static func rootByDefinition(_ leaves: ArraySlice<Audit.Hash>) -> Audit.Hash {
        if leaves.isEmpty { return emptyRoot }
        if leaves.count == 1 { return leaves[leaves.startIndex] }
        let k = Int(splitPoint(UInt64(leaves.count)))
        let mid = leaves.startIndex + k
        return nodeHash(rootByDefinition(leaves[leaves.startIndex..<mid]), rootByDefinition(leaves[mid...]))
    }
}
