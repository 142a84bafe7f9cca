import CohortAudit
import Foundation

/// Benchmark workloads for the audit log (run with a release build).
enum AuditBench {
    /// Each workload returns one measured figure.
    static func workloads() -> [BenchWorkload] {
        [
            BenchWorkload(name: "audit.append.8-writers-x64-inflight", unit: "appends/s", target: 50_000, higherIsBetter: true) {
                try await appendThroughput(writers: 8, inFlight: 64, total: 200_000)
            },
            // The target is for 8 concurrent appenders (above). Here each of the 8 waits
            // for its own fsync before the next append, so a commit carries at most 8 entries and
            // the figure is bounded by 8 / (commit latency): for information.
            BenchWorkload(name: "audit.append.8-writers-sequential", unit: "appends/s", target: nil, higherIsBetter: true) {
                try await appendThroughput(writers: 8, inFlight: 1, total: 20_000)
            },
            BenchWorkload(name: "audit.verify.300B-entries", unit: "entries/s", target: 1_000_000, higherIsBetter: true) {
                try await verifyThroughput(entries: 1_000_000)
            },
            BenchWorkload(name: "audit.inclusion-proof.10M", unit: "ms", target: 1, higherIsBetter: false) {
                try await proofLatency(entries: benchProofSize())
            },
        ]
    }

    static func benchProofSize() -> UInt64 {
        ProcessInfo.processInfo.environment["COHORT_BENCH_AUDIT_PROOF_SIZE"].flatMap(UInt64.init) ?? 10_000_000
    }

    static func scratchDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "cohort-audit-bench-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A study `data.accessed` event of 311–320 bytes as stored (the "~300-byte entries"),
    /// made like the node makes it (actor `study:<id>`; the 8-character ids keep the size).
    static func event(_ i: Int) -> Audit.Event {
        .studyDataAccessed(
            study: "rfm-\(1000 + i % 97)", purpose: "segmentation", rows: 1000 + i % 5000, transactions: i % 90_000,
            used: 900 + i % 4000, asOf: "2026-03-31", round: i % 10)
    }

    /// `writers` tasks, each keeping `inFlight` single-event appends outstanding.
    static func appendThroughput(writers: Int, inFlight: Int, total: Int) async throws -> Double {
        let dir = try scratchDirectory("append")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try await Audit.Log.open(nodeDirectory: dir, node: "bench")
        let perWriter = total / writers
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    try await withThrowingTaskGroup(of: Void.self) { inner in
                        for lane in 0..<inFlight {
                            inner.addTask {
                                var i = lane
                                while i < perWriter {
                                    _ = try await log.record(event(w * perWriter + i))
                                    i += inFlight
                                }
                            }
                        }
                        try await inner.waitForAll()
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - start
        await log.close()
        return Double(perWriter * writers) / seconds(elapsed)
    }

    /// Verification of a log of `entries` ~300-byte entries: the median of three runs (entries
    /// per second). The log is built once and kept in the temporary directory for reruns.
    static func verifyThroughput(entries: Int) async throws -> Double {
        let dir = NSTemporaryDirectory() + "cohort-audit-bench-verify-300B-\(entries)"
        let path = dir + "/audit.sqlite"
        if (try? Audit.LogReader.open(path: path).size()) != UInt64(entries) {
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let log = try await Audit.Log.open(nodeDirectory: dir, node: "bench")
            var i = 0
            while i < entries {
                let n = min(10_000, entries - i)
                _ = try await log.record(contentsOf: (i..<(i + n)).map(event))
                i += n
            }
            await log.close()
        }
        let reader = try Audit.LogReader.open(path: path)
        let clock = ContinuousClock()
        var rates: [Double] = []
        for _ in 0..<3 {
            let start = clock.now
            let result = try reader.verify()
            let elapsed = clock.now - start
            guard case .intact(let size, _) = result, size == UInt64(entries) else {
                throw AuditError(.proofMismatch, "benchmark log did not verify: \(result)")
            }
            rates.append(Double(entries) / seconds(elapsed))
        }
        return rates.sorted()[1]
    }

    /// Mean time of an inclusion proof (random index, whole tree) in a log of `entries` entries.
    /// The log is built once and kept in the temporary directory for reruns.
    static func proofLatency(entries: UInt64) async throws -> Double {
        let dir = NSTemporaryDirectory() + "cohort-audit-bench-proof-\(entries)"
        let path = dir + "/audit.sqlite"
        let existing = try? Audit.LogReader.open(path: path).size()
        if existing != entries {
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let log = try await Audit.Log.open(nodeDirectory: dir, node: "bench")
            var i: UInt64 = 0
            while i < entries {
                let n = min(20_000, entries - i)
                _ = try await log.record(contentsOf: (0..<n).map { event(Int(i + $0)) })
                i += n
            }
            await log.close()
        }
        let reader = try Audit.LogReader.open(path: path)
        let head = try reader.treeHead()
        var rng = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        let rounds = 2000
        var total = Duration.zero
        for _ in 0..<rounds {
            let index = UInt64.random(in: 0..<head.size, using: &rng)
            let start = clock.now
            let proof = try reader.inclusionProof(index: index, size: head.size)
            total += clock.now - start
            let leaf = try reader.entry(at: index).leaf
            guard Audit.Merkle.verifyInclusion(index: index, size: head.size, leafHash: leaf, proof: proof, root: head.root) else {
                throw AuditError(.proofMismatch, "benchmark proof for \(index) did not verify")
            }
        }
        return seconds(total) * 1000 / Double(rounds)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
