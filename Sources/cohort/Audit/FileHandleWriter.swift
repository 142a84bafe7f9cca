import Foundation

/// Appends text to a file.
struct FileHandleWriter {
    let handle: FileHandle

    init?(path: String) {
        guard let h = FileHandle(forWritingAtPath: path) else { return nil }
        handle = h
    }

    func append(_ text: String) throws {
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }
}
