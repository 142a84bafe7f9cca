#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes rejected rows as CSV `line,column,reason,row` (RFC 4180; `row` is the record's
/// original bytes, quoted). Buffered; ``finish()`` flushes and fsyncs.
///
/// Written by hand rather than with CSV.swift's `CSVWriter`, which writes to an
/// `OutputStream` one byte per call and cannot pass through the original (possibly invalid
/// UTF-8) bytes of a rejected record.
final class ImportRejectsWriter {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []

    /// Creates the rejects file exclusively (`O_EXCL`, mode 0600 whatever the umask) and
    /// writes the header. An existing file is an error, unless `replaceExisting`, which first
    /// removes it (never truncates it in place: a truncated file could be one another
    /// process holds open). ``RejectsPathPolicy`` has checked the path before.
    init(path: String, replaceExisting: Bool = false) throws {
        self.fd = try NodeFilePermissions.createExclusive(path, what: "rejects file", replaceExisting: replaceExisting)
        self.path = path
        buffer.reserveCapacity(1 << 16)
        buffer.append(contentsOf: "line,column,reason,row\n".utf8)
    }

    deinit { close(fd) }

    private func appendQuoted<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        buffer.append(0x22)
        for b in bytes {
            if b == 0x22 { buffer.append(0x22) }
            buffer.append(b)
        }
        buffer.append(0x22)
    }

    /// Appends one reject.
    func write(line: Int, column: String, reason: String, row: UnsafeBufferPointer<UInt8>) throws {
        buffer.append(contentsOf: String(line).utf8)
        buffer.append(0x2C)
        appendQuoted(column.utf8)
        buffer.append(0x2C)
        appendQuoted(reason.utf8)
        buffer.append(0x2C)
        appendQuoted(row)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StoreError(.io, "cannot write rejects file: \(String(cString: strerror(errno)))", file: path)
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and fsyncs.
    func finish() throws {
        try flush()
        guard fsync(fd) == 0 else {
            throw StoreError(.io, "cannot sync rejects file: \(String(cString: strerror(errno)))", file: path)
        }
    }
}

/// `write(2)` (named so that methods called `write` do not shadow it).
private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
