import Foundation

extension Synthetic {
    /// Appends bytes to a new file through a large in-memory buffer (flushed every 8 MiB).
    struct BufferedFileWriter {
        let url: URL
        private let handle: FileHandle
        private var buffer: [UInt8] = []
        private static let flushThreshold = 8 << 20

        /// Creates (or truncates) the file at `url`.
        init(url: URL) throws {
            self.url = url
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ScenarioError(.io, "cannot create file \(url.path)")
            }
            do {
                handle = try FileHandle(forWritingTo: url)
            } catch {
                throw ScenarioError(.io, "cannot open \(url.path) for writing: \(error)")
            }
            buffer.reserveCapacity(Self.flushThreshold + (1 << 20))
        }

        mutating func write(_ bytes: [UInt8]) throws {
            buffer.append(contentsOf: bytes)
            if buffer.count >= Self.flushThreshold { try flush() }
        }

        mutating func write(_ text: String) throws { try write(Array(text.utf8)) }

        mutating func flush() throws {
            guard !buffer.isEmpty else { return }
            do {
                try handle.write(contentsOf: buffer)
            } catch {
                throw ScenarioError(.io, "cannot write \(url.path): \(error)")
            }
            buffer.removeAll(keepingCapacity: true)
        }

        /// Flushes and closes the file.
        mutating func close() throws {
            try flush()
            do {
                try handle.close()
            } catch {
                throw ScenarioError(.io, "cannot close \(url.path): \(error)")
            }
        }
    }
}
