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

        /// Appends the perfect subtrees of `other`, a frontier built from the leaves that follow
        /// this one's: afterwards this frontier is the one of both leaf ranges together. Needs
        /// `size` to be a multiple of `other`'s largest subtree (so the subtrees line up).
        /// O(log n) hashes.
        public mutating func append(subtreesOf other: Frontier) {
            precondition(other.size == 0 || size % (UInt64(1) << UInt64(63 - other.size.leadingZeroBitCount)) == 0,
                         "frontier of size \(other.size) does not line up after \(size) leaves")
            var height = 63
            var next = 0
            while height >= 0 {
                if other.size & (UInt64(1) << UInt64(height)) != 0 {
                    appendSubtree(other.roots[next], height: height)
                    next += 1
                }
                height -= 1
            }
        }

        /// Appends a perfect subtree of 2^`height` leaves; `size` must be a multiple of 2^`height`.
        mutating func appendSubtree(_ subtree: Audit.Hash, height: Int) {
            var hash = subtree
            var level = height
            let old = size
            while (old >> UInt64(level)) & 1 == 1 {
                hash = Audit.Merkle.nodeHash(roots.removeLast(), hash)
                level += 1
            }
            roots.append(hash)
            size = old + (UInt64(1) << UInt64(height))
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
