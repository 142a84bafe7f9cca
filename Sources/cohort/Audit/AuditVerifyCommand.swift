import ArgumentParser
import CohortAudit
import CohortNode
import Foundation

/// `cohort audit verify`: replays the whole log and checks chain, tree, checkpoints, the signing
/// policy and, with `--witnesses`, the checkpoints peers cosigned.
struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Replay every entry, recompute chain and tree, check all checkpoints and witnesses. Exit 0 if intact, 1 if not.",
        discussion: """
            Strict by default: the log must have a signed checkpoint covering every entry, and no checkpoint may be \
            missing from the sequence the node's signing policy implies. --witnesses takes a directory of cosigned \
            checkpoints and witness verifier keys (see `cohort audit witnessed`), or a comma-separated list of peers \
            of the node at --node-dir, asked over the peer service.
            """
    )

    @OptionGroup var location: AuditLocationOptions

    @Option(help: "Verifier key (name+keyid+key, or a file holding it). Default: the key recorded in the log.")
    var key: String?

    @Option(help: "A signed checkpoint kept outside the log (file); the log must be consistent with it.")
    var checkpoint: String?

    @Option(name: .customLong("witnesses"), help: "A directory of cosigned checkpoints and witness keys, or peer names (comma-separated) to ask. Repeatable.")
    var witnesses: [String] = []

    @Option(name: .customLong("witness-key"), help: "A witness's verifier key (or a file holding it). Repeatable.")
    var witnessKeys: [String] = []

    @Flag(help: "Accept entries after the latest checkpoint (a copy of a log that is still being written).")
    var allowUnsignedTail = false

    @Option(help: "Cores to use (default: all). 1 replays on one thread, for a busy machine.")
    var threads: Int?

    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1 (got \(threads))")
        }
    }

    func run() async throws {
        let reader = try location.openReader()
        let verifier = try key.map(loadVerifierKey)
        let external = try checkpoint.map { try Audit.SignedCheckpoint(parsing: readTextFile($0)) }
        var collected = WitnessFiles()
        for k in witnessKeys { collected.keys.append(try loadVerifierKey(k)) }
        for source in witnesses {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue {
                try collected.load(directory: source)
            } else {
                let peers = source.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                guard !peers.isEmpty, !peers.contains(where: { $0.contains("/") }) else {
                    throw ValidationError("--witnesses \(source): not a directory, and not a list of peer names")
                }
                for fetched in try await WitnessCollection.fetch(nodeDirectory: location.nodeDir, peers: peers, origin: reader.origin) {
                    collected.keys.append(try Audit.NoteVerifier(parsing: fetched.witnessKey))
                    for note in fetched.notes { collected.notes.append((source: "peer \(fetched.peer)", note: note)) }
                }
            }
        }
        let witnessed = try collected.witnessed(origin: reader.origin)
        if !witnesses.isEmpty && witnessed.isEmpty {
            throw AuditError(.badSignature, "--witnesses: no cosigned checkpoint of \(reader.origin) was found")
        }
        var policy = allowUnsignedTail ? Audit.VerificationPolicy.allowingUnsignedTail : .strict
        policy.witnessed = witnessed
        if Audit.LogReader.isOpenForWriting(databasePath: location.databasePath) {
            // A running node signs within a second: only its newest entries may be unsigned.
            policy.runningWriterGrace = Audit.VerificationPolicy.defaultMaxCheckpointGap
        }
        let result = try reader.verify(key: verifier, external: external, threads: threads, policy: policy)
        switch result {
        case .intact(let size, let root):
            let names = Set(witnessed.flatMap(\.witnesses)).sorted()
            if json {
                print("{\"result\":\"intact\",\"root\":\"\(root.hex)\",\"size\":\(size),\"witnessed_checkpoints\":\(witnessed.count)}")
            } else {
                print("intact: \(size) entries, root \(root.hex) (origin \(reader.origin))")
                if !witnessed.isEmpty {
                    print("witnessed: \(witnessed.count) cosigned checkpoints (up to size \(witnessed.map(\.checkpoint.size).max() ?? 0)) by \(names.joined(separator: ", "))")
                }
            }
        case .broken(let index, let reason):
            if json {
                let escaped = reason.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                print("{\"index\":\(index),\"reason\":\"\(escaped)\",\"result\":\"broken\"}")
            } else {
                print("BROKEN at index \(index): \(reason)")
            }
            throw ExitCode(1)
        }
    }
}

/// Cosigned checkpoints and witness keys an officer collected.
struct WitnessFiles {
    var notes: [(source: String, note: String)] = []
    var keys: [Audit.NoteVerifier] = []

    /// Reads every regular file of `directory`: a signed note is a cosigned checkpoint, a
    /// one-line verifier key is a witness key; anything else is an error naming the file.
    mutating func load(directory: String) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw AuditError(.fileAccess, "cannot list \(directory): \(error.localizedDescription)")
        }
        for name in names where !name.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(name)
            let text = try readTextFile(path)
            if text.contains("\n\n\u{2014} ") {
                notes.append((source: path, note: text))
            } else {
                do {
                    keys.append(try Audit.NoteVerifier(parsing: text))
                } catch let error as AuditError {
                    throw AuditError(error.code, "\(path) is neither a cosigned checkpoint nor a verifier key: \(error.message)")
                }
            }
        }
    }

    /// The checkpoints of `origin` with at least one valid cosignature by a witness key (not the
    /// log's own key). A note for another origin is skipped; one of this origin without a valid
    /// cosignature is an error naming where it came from.
    func witnessed(origin: String) throws -> [Audit.WitnessedCheckpoint] {
        var out: [Audit.WitnessedCheckpoint] = []
        for (source, text) in notes {
            let note: Audit.SignedCheckpoint
            do {
                note = try Audit.SignedCheckpoint(parsing: text)
            } catch let error as AuditError {
                throw AuditError(error.code, "\(source): \(error.message)")
            }
            guard note.checkpoint.origin == origin else { continue }
            do {
                out.append(try Audit.WitnessedCheckpoint(note: note, keys: keys))
            } catch let error as AuditError {
                throw AuditError(error.code, "\(source): \(error.message)")
            }
        }
        return out
    }
}
