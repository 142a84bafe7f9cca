extension Audit.Merkle {
    /// A perfect subtree completed by an append: level ≥ 1 (2^level leaves), index within the level.
    public struct CompletedNode: Sendable, Hashable {
        /// Height of the subtree (1 = two leaves).
        public var level: Int
        /// Position of the subtree among subtrees of this level, from the left.
        public var index: UInt64
        /// The subtree's hash.
        public var hash: Audit.Hash
    }

    /// The compact range `[0, size)`: the roots of the perfect subtrees that make up the tree,
    /// largest first. O(log n) memory; appending is amortized O(1) hashes.
    public struct Frontier: Sendable, Hashable {
        /// Number of leaves.
        public private(set) var size: UInt64
        /// Perfect subtree roots, leftmost (largest) first; one per set bit of `size`.
        public private(set) var roots: [Audit.Hash]

        /// The empty tree.
        public init() {
            size = 0
            roots = []
        }

        /// Restores a frontier from its subtree roots (leftmost first); fails unless
        /// `roots.count == size.nonzeroBitCount`.
        public init(size: UInt64, roots: [Audit.Hash]) throws {
            guard roots.count == size.nonzeroBitCount else {
                throw AuditError(.corruptDatabase, "frontier for size \(size) needs \(size.nonzeroBitCount) subtree roots, got \(roots.count)")
            }
            self.size = size
            self.roots = roots
        }

        /// The (level, index) of each perfect subtree making up `[0, size)`, leftmost first.
        public static func subtrees(ofSize size: UInt64) -> [(level: Int, index: UInt64)] {
            var out: [(level: Int, index: UInt64)] = []
            var start: UInt64 = 0
            var level = 63
            while level >= 0 {
                if size & (UInt64(1) << UInt64(level)) != 0 {
                    out.append((level, start >> UInt64(level)))
                    start += UInt64(1) << UInt64(level)
                }
                level -= 1
            }
            return out
        }

        /// Appends a leaf hash; calls `completed` for every interior perfect subtree it completes
        /// (lowest first). Amortized O(1), worst case O(log n).
        
        public mutating func append(_ leaf: Audit.Hash, completed: (CompletedNode) -> Void = { _ in }) {
            var hash = leaf
            var level = 0
            let old = size
            while (old >> UInt64(level)) & 1 == 1 {
                hash = Audit.Merkle.nodeHash(roots.removeLast(), hash)
                level += 1
                completed(CompletedNode(level: level, index: old >> UInt64(level), hash: hash))
            }
            roots.append(hash)
            size = old + 1
        }

        /// The tree head (root hash) for `size` leaves. O(log n).
        public var root: Audit.Hash {
            guard var r = roots.last else { return Audit.Merkle.emptyRoot }
            var i = roots.count - 2
            while i >= 0 {
                r = Audit.Merkle.nodeHash(roots[i], r)
                i -= 1
            }
            return r
        }
    }
}
