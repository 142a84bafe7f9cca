public import CohortAudit
import Foundation
public import Logging
public import ServiceLifecycle

/// Sends this node's latest checkpoint to every configured peer for witnessing (C2SP
/// tlog-witness), at least every `interval` while running and once more at graceful shutdown:
/// each peer gets the consistency proof from the size it cosigned last, verifies and cosigns;
/// the cosignature comes back and is stored beside the checkpoint (`checkpoints` table), and
/// the size is remembered per peer. A conflict (the peer cosigned another size than this node
/// remembers) is retried once with a proof from the peer's size. A refusal (the peer found a
/// fork or a rollback) is logged as an error; the peer keeps the evidence.
///
/// A checkpoint of a new size is recorded as `checkpoint.signed` when first published. To keep
/// an idle consortium's logs from growing forever (each witnessing writes entries that would
/// make a new checkpoint to witness), a round publishes a new checkpoint only when the entries
/// since the last published one include more than witnessing and connection bookkeeping
/// (`checkpoint.*`, `peer.connected`); otherwise it sends the last published one again.
public struct WitnessingService: Service {
    /// The node's audit log.
    public let audit: Audit.Log
    /// The peers to send to.
    public let peers: [String]
    /// Outbound calls.
    public let directory: PeerDirectory
    /// Time between rounds (at most a minute).
    public let interval: Duration
    /// Logger.
    public let logger: Logger

    /// Creates the service.
    public init(audit: Audit.Log, peers: [String], directory: PeerDirectory, interval: Duration = .seconds(60), logger: Logger) {
        self.audit = audit
        self.peers = peers
        self.directory = directory
        self.interval = min(interval, .seconds(60))
        self.logger = logger
    }

    /// Rounds until graceful shutdown, then a final round.
    public func run() async throws {
        let state = WitnessingState()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await round(state)
                try? await Task.sleep(for: interval)
            }
        }
        await round(state)
    }

    /// One round: pick the checkpoint to publish and send it to every peer. Never throws.
    func round(_ state: WitnessingState) async {
        if let alert = audit.alert {
            // The log found entries it did not write: nothing is signed, so nothing new is sent.
            logger.critical("audit log alert: the log stopped writing", metadata: ["reason": "\(alert)"])
        }
        guard !peers.isEmpty else { return }
        let checkpoint: Audit.SignedCheckpoint
        do {
            checkpoint = try await publishable(state)
        } catch {
            logger.error("witnessing: no checkpoint to send", metadata: ["error": "\(error)"])
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for peer in peers {
                group.addTask { await send(checkpoint, to: peer) }
            }
        }
    }

    /// The checkpoint to send: a fresh one if there is more than bookkeeping since the last one
    /// published (recording `checkpoint.signed`), else the last published one.
    func publishable(_ state: WitnessingState) async throws -> Audit.SignedCheckpoint {
        let latest = try await audit.signCheckpoint()
        if let last = await state.published, last.checkpoint.size < latest.checkpoint.size || last.checkpoint == latest.checkpoint {
            let reader = audit.reader()
            var substantive = false
            var index = last.checkpoint.size
            while index < latest.checkpoint.size && !substantive {
                let type = try reader.entry(at: index).entry.type
                substantive = !WitnessingService.bookkeeping.contains(type)
                index += 1
            }
            if !substantive { return last }
        }
        _ = try await audit.record(.checkpointSigned(
            size: latest.checkpoint.size, root: latest.checkpoint.root, witnesses: peers.count))
        await state.setPublished(latest)
        return latest
    }

    /// Entry types that do not by themselves call for a new witnessed checkpoint.
    static let bookkeeping: Set<Audit.EventType> = [.checkpointSigned, .checkpointCosigned, .checkpointRefused, .peerConnected]

    /// Sends `checkpoint` to `peer` with the proof from the size it cosigned last and stores the
    /// cosignature. Logs failures.
    func send(_ checkpoint: Audit.SignedCheckpoint, to peer: String) async {
        do {
            var old = try audit.witnessedSize(by: peer)
            if old > checkpoint.checkpoint.size { old = 0 }
            var reply = try await ask(peer, checkpoint, old: old)
            if let size = reply.conflictSize, size <= checkpoint.checkpoint.size {
                reply = try await ask(peer, checkpoint, old: size)
            }
            guard reply.conflictSize == nil else {
                logger.error("witnessing: the peer keeps reporting another witnessed size", metadata: [
                    "peer": "\(peer)", "size": "\(reply.conflictSize ?? 0)"])
                return
            }
            let key = try audit.pinPeerKey(peer, Audit.NoteVerifier(parsing: reply.witnessKey))
            _ = try audit.storeCosignature(from: reply.cosignedNote, peer: peer, witness: key)
            logger.debug("witnessing: cosigned", metadata: ["peer": "\(peer)", "size": "\(checkpoint.checkpoint.size)"])
        } catch {
            logger.error("witnessing: the peer did not cosign", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    private func ask(_ peer: String, _ checkpoint: Audit.SignedCheckpoint, old: UInt64) async throws -> WitnessReply {
        let proof = old == 0 || old == checkpoint.checkpoint.size
            ? [] : try audit.reader().consistencyProof(from: old, to: checkpoint.checkpoint.size)
        return try await directory.cosign(
            peer: peer, note: checkpoint.serialized, oldSize: old, proof: proof, logKey: audit.verifier.text)
    }
}

/// The checkpoint published last (in memory: after a restart the first round publishes anew).
actor WitnessingState {
    var published: Audit.SignedCheckpoint?

    func setPublished(_ checkpoint: Audit.SignedCheckpoint) { published = checkpoint }
}

extension WitnessingService {
    /// The round interval: `COHORT_WITNESS_INTERVAL` (whole seconds, 1–60; tests use it to
    /// witness quickly), else 60 s. A value that is not a number in range is ignored.
    public static func interval(environment: [String: String]) -> Duration {
        guard let text = environment["COHORT_WITNESS_INTERVAL"], let seconds = Int(text), (1...60).contains(seconds) else {
            return .seconds(60)
        }
        return .seconds(seconds)
    }
}
