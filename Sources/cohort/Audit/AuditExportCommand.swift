import FoundationEssentials
import ArgumentParser
import CohortAudit

/// `cohort audit export --jsonl`: every entry with its index and leaf hash.
struct AuditExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export entries as JSON lines: {\"entry\":<stored entry>,\"index\":N,\"leaf_hash\":\"…\"}."
    )

    @OptionGroup var location: AuditLocationOptions

    @Flag(help: "JSON lines (the only format).")
    var jsonl = false

    @Option(name: .shortAndLong, help: "Output file (default: standard output).")
    var output: String?

    func run() throws {
        let reader = try location.openReader()
        var out = ""
        var sink = StandardOutputSink(path: output)
        try reader.forEachEntry { index, bytes, leaf in
            out.removeAll(keepingCapacity: true)
            out += "{\"entry\":"
            out += String(decoding: bytes, as: UTF8.self)
            out += ",\"index\":\(index),\"leaf_hash\":\""
            out += (Audit.Hash(raw: leaf)?.hex ?? "")
            out += "\"}\n"
            try sink.write(out)
            return true
        }
        try sink.finish()
    }
}

/// Buffered writer to a file or standard output.
struct StandardOutputSink {
    var path: String?
    var buffer = ""

    init(path: String?) {
        self.path = path == "-" ? nil : path
        if let p = self.path { _ = try? "".write(toFile: p, atomically: false, encoding: .utf8) }
    }

    mutating func write(_ s: String) throws {
        buffer += s
        if buffer.utf8.count > 1 << 16 { try flush() }
    }

    mutating func flush() throws {
        if let path {
            guard let handle = FileHandleWriter(path: path) else { throw AuditError(.fileAccess, "cannot write \(path)") }
            try handle.append(buffer)
        } else {
            print(buffer, terminator: "")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func finish() throws { try flush() }
}
