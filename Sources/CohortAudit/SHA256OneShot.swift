#if canImport(CCryptoBoringSSL)
internal import CCryptoBoringSSL
#else
import Crypto
#endif

extension Audit.Merkle {
    /// SHA-256 of one contiguous buffer. O(length).
    ///
    /// On Linux this calls the one-shot `SHA256()` of the BoringSSL that swift-crypto builds and
    /// links (its `CCryptoBoringSSL` module), writing the digest straight into the result. The
    /// same code through swift-crypto's `SHA256` struct allocates and zeroes a heap context for
    /// each hash and copies it again in `finalize()`; verification computes two hashes per
    /// entry, and that overhead measured as half of all hashing time (see docs/audit.md,
    /// "Verification speed"). Where the module is not visible (Apple platforms, where swift-crypto
    /// uses CryptoKit) the struct is used; both give the same bytes, which the RFC vectors check.
    @inline(__always)
    static func sha256(_ bytes: UnsafeRawBufferPointer) -> Audit.Hash {
        #if canImport(CCryptoBoringSSL)
        var storage = SIMD4<UInt64>(repeating: 0)
        withUnsafeMutableBytes(of: &storage) { out in
            let input = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            _ = CCryptoBoringSSL_SHA256(input, bytes.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        return Audit.Hash(storage: storage)
        #else
        var h = SHA256()
        h.update(bufferPointer: bytes)
        return Audit.Hash(h.finalize())
        #endif
    }

    /// SHA-256 of one domain-separation byte followed by `bytes` (the RFC 9162 leaf form).
    /// O(length); no copy of `bytes` and no heap allocation on Linux (the context is on the stack).
    /// The context is not zeroed afterwards: entries and tree nodes are not secret.
    @inline(__always)
    static func sha256(prefix: UInt8, _ bytes: UnsafeRawBufferPointer) -> Audit.Hash {
        #if canImport(CCryptoBoringSSL)
        var context = SHA256_CTX()
        var storage = SIMD4<UInt64>(repeating: 0)
        CCryptoBoringSSL_SHA256_Init(&context)
        withUnsafeBytes(of: prefix) { _ = CCryptoBoringSSL_SHA256_Update(&context, $0.baseAddress, 1) }
        if let base = bytes.baseAddress { _ = CCryptoBoringSSL_SHA256_Update(&context, base, bytes.count) }
        withUnsafeMutableBytes(of: &storage) { out in
            _ = CCryptoBoringSSL_SHA256_Final(out.baseAddress!.assumingMemoryBound(to: UInt8.self), &context)
        }
        return Audit.Hash(storage: storage)
        #else
        var h = SHA256()
        withUnsafeBytes(of: prefix) { h.update(bufferPointer: $0) }
        h.update(bufferPointer: bytes)
        return Audit.Hash(h.finalize())
        #endif
    }
}
