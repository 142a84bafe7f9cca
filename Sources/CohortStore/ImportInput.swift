import CZlib
import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of an import file, for ``CSVRecordReader``: read as they are, or decompressed with
/// zlib when the file starts with the gzip magic bytes `1f 8b` (any file name; concatenated gzip
/// members are read one after the other).
///
/// The SHA-256 (``digestHex()``) is always over the bytes *as stored* (the compressed bytes for
/// a gzip file), so the import record identifies the file the operator gave.
///
/// A gzip file that ends inside a compressed member (cut short by a copy or download) is not an
/// ordinary end of file: ``read(into:count:)`` returns 0 and ``truncation`` says so; the reader
/// then reports it at the line where the data stops. Memory: two fixed buffers (256 KiB input,
/// zlib's 32 KiB window), independent of the file size.
final class ImportInput {
    /// Why the input cannot be read.
    struct Failure: Error {
        /// The reason, for messages.
        var reason: String
    }

    private let fd: Int32
    private var digest = SHA256()
    /// Whether the file is gzip-compressed.
    let isGzip: Bool
    private var stream: UnsafeMutablePointer<z_stream>?
    private let compressed: UnsafeMutablePointer<UInt8>
    private let compressedCapacity = 1 << 18
    private var rawEOF = false
    private var memberEnded = false
    /// Compressed bytes read from the file so far.
    private(set) var rawBytes = 0
    /// Set when a gzip file ends inside a compressed member: the reason, for the error message.
    private(set) var truncation: String?
    /// Bytes already read while sniffing the magic, handed out first (plain files only).
    private var pending: [UInt8] = []

    /// Opens `path`; detects gzip from the first two bytes.
    init(path: String) throws(Failure) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Failure(reason: "cannot open file: \(String(cString: strerror(errno)))") }
        self.fd = fd
        compressed = .allocate(capacity: compressedCapacity)
        var head = [UInt8](repeating: 0, count: 2)
        var got = 0
        while got < 2 {
            let n = head.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + got, 2 - got) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                compressed.deallocate()
                throw Failure(reason: "read failed: \(reason)")
            }
            if n == 0 { break }
            got += n
        }
        head.removeLast(2 - got)
        digest.update(data: head)
        rawBytes = got
        if got == 2 && head[0] == 0x1F && head[1] == 0x8B {
            isGzip = true
            compressed[0] = 0x1F
            compressed[1] = 0x8B
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            stream.pointee.next_in = compressed
            stream.pointee.avail_in = 2
            // 15 + 16: a 32 KiB window, gzip wrapper only.
            let code = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard code == Z_OK else {
                stream.deallocate()
                close(fd)
                compressed.deallocate()
                throw Failure(reason: "cannot start gzip decompression (zlib code \(code))")
            }
            self.stream = stream
        } else {
            isGzip = false
            pending = head
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
        compressed.deallocate()
        close(fd)
    }

    /// SHA-256 of the file's bytes as stored, lowercase hex. Call after the last read.
    func digestHex() -> String {
        digest.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Reads raw bytes from the file into `buffer`, hashing them. 0 at the end of the file.
    private func readRaw(_ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) throws(Failure) -> Int {
        while true {
            let n = systemRead(fd, buffer, count)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: "read failed: \(String(cString: strerror(errno)))")
            }
            if n > 0 {
                digest.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: n))
                rawBytes += n
            }
            return n
        }
    }

    /// Reads up to `count` (decompressed) bytes into `buffer`; returns how many, 0 at the end.
    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws(Failure) -> Int {
        guard let stream else {
            if !pending.isEmpty {
                let n = min(count, pending.count)
                for i in 0..<n { buffer[i] = pending[i] }
                pending.removeFirst(n)
                return n
            }
            return try readRaw(buffer, count)
        }
        stream.pointee.next_out = buffer
        stream.pointee.avail_out = UInt32(min(count, Int(UInt32.max)))
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && !rawEOF {
                let n = try readRaw(compressed, compressedCapacity)
                if n == 0 { rawEOF = true } else {
                    stream.pointee.next_in = compressed
                    stream.pointee.avail_in = UInt32(n)
                }
            }
            if stream.pointee.avail_in == 0 && rawEOF {
                if !memberEnded && truncation == nil {
                    truncation = "the gzip file is cut short: its compressed data ends after \(rawBytes) bytes, before the end of the stream"
                }
                break
            }
            if memberEnded {
                // More data after a complete member: another gzip member follows.
                inflateReset(stream)
                memberEnded = false
            }
            let code = inflate(stream, Z_NO_FLUSH)
            switch code {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                memberEnded = true
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib code \(code)"
                throw Failure(reason: "the gzip data is corrupt after \(rawBytes) compressed bytes: \(message)")
            }
        }
        return count - Int(stream.pointee.avail_out)
    }
}

/// `read(2)` (the name `read` is taken by ``ImportInput/read(into:count:)`` inside the class).
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
