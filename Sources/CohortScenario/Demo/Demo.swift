public import CohortWire
public import CohortNet
public import CohortStudy
public import CohortAudit
public import CohortNode
public import CohortStore
public import Foundation

/// `cohort demo`: a three-party federated study on loopback, end to end, with real node
/// processes, the development PKI, and the centralized truth beside the federated answer.
public enum Demo {
    /// One partner of the demo.
    public struct Party: Sendable {
        /// Node name.
        public var name: String
        /// Data profile.
        public var profile: Synthetic.Profile
        /// Number of customers.
        public var customers: Int
    }

    /// How to run the demo.
    public struct Options: Sendable {
        /// Where to put the node directories; a fresh temporary directory when nil.
        public var directory: URL?
        /// Keep the directory afterwards.
        public var keep: Bool
        /// Multiplies the default party sizes (retail 60k, telecom 40k, bank 20k).
        public var scale: Double
        /// Seed of the synthetic data.
        public var seed: UInt64
        /// ε per node per study.
        public var epsilon: Double
        /// The `cohort` executable that runs the node processes.
        public var executable: URL
        /// Where the development PKI lives (`certs/dev`); a fresh one is made when nil or absent.
        public var devPKI: URL?

        /// Creates options.
        public init(
            directory: URL? = nil, keep: Bool = false, scale: Double = 1, seed: UInt64 = 20_261_122,
            epsilon: Double = 1.0, executable: URL, devPKI: URL? = nil
        ) {
            self.directory = directory
            self.keep = keep
            self.scale = scale
            self.seed = seed
            self.epsilon = epsilon
            self.executable = executable
            self.devPKI = devPKI
        }
    }

    /// The demo's consortium name (the dev PKI's).
    public static let consortium = "demo"
    /// The as-of date of the demo's data and studies.
    public static let asOf = "2026-06-30"

    /// The default parties before scaling.
    public static let defaultParties: [Party] = [
        Party(name: "alpha", profile: .retail, customers: 60_000),
        Party(name: "beta", profile: .telecom, customers: 40_000),
        Party(name: "gamma", profile: .bank, customers: 20_000),
    ]

    /// What the demo found.
    public struct Report: Sendable {
        /// The demo directory.
        public var directory: URL
        /// One comparison per study.
        public var studies: [StudyComparison]
        /// Audit verification per node (`intact …` or the failure).
        public var audits: [String: String]
        /// Whether every audit log verified.
        public var allAuditsIntact: Bool
        /// Seconds from start to end.
        public var seconds: Double
    }

    /// Runs the whole demo, printing progress through `say`.
    public static func run(_ options: Options, say: @escaping @Sendable (String) -> Void) async throws -> Report {
        let clock = ContinuousClock()
        let start = clock.now
        let base = try options.directory ?? makeTemporaryDirectory()
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        say("Demo directory: \(base.path)")
        let parties = defaultParties.map {
            Party(name: $0.name, profile: $0.profile, customers: max(200, Int((Double($0.customers) * options.scale).rounded())))
        }
        var processes: [NodeProcess] = []
        do {
            let pki = try DevPKI.load(from: options.devPKI, nodes: parties.map(\.name), say: say)
            let members = try parties.map {
                LocalCluster.Member(name: $0.name, profile: $0.profile, customers: $0.customers, material: try pki.material(for: $0.name))
            }
            let cluster = try await LocalCluster.prepare(
                members: members, base: base, consortium: consortium, seed: options.seed, asOf: asOf, say: say)
            let directories = cluster.directories
            say(String(format: "Prepared %d nodes in %.1f s", parties.count, seconds(since: start, clock)))

            // 2. Real node processes.
            processes = try await cluster.start(executable: options.executable, say: say)

            // 3. The studies, led by the first party.
            let lead = parties[0].name
            let others = parties.dropFirst().map(\.name)
            var comparisons: [StudyComparison] = []
            for spec in studySpecs(participants: Array(others), epsilon: options.epsilon) {
                say("\nProposing study '\(spec.title)' from \(lead) …")
                let response = try await AdminClient.withConnection(nodeDirectory: directories[lead]!.path, timeout: .seconds(120)) {
                    try await $0.propose(spec: spec.yaml)
                }
                guard response.state == "completed" else {
                    throw ScenarioError(.studyFailed, "study '\(spec.title)' failed: \(response.reason)")
                }
                let result = try Study.Result.decode(json: response.resultJson)
                let truth = try Centralized.answer(
                    spec: result.spec, nodeDirectories: parties.map { directories[$0.name]! })
                let comparison = StudyComparison(title: spec.title, result: result, truth: truth)
                say(comparison.render())
                comparisons.append(comparison)
            }

            // 4. Budgets as the nodes see them.
            say("\nBudget spent per node (ε at each node's δ):")
            for party in parties {
                let store = try NodeStore.open(directory: directories[party.name]!.path)
                let config = try store.loadConfig()
                let lines = try NodeBudget.report(store: store, config: config, at: Date())
                try store.close()
                let text = lines.filter(\.allowed).map {
                    "\($0.purpose) \(String(format: "%.3f", $0.spentEpsilon ?? 0))/\(String(format: "%.1f", $0.capEpsilon ?? 0))"
                }.joined(separator: ", ")
                say("  \(party.name): \(text)")
            }

            // 5. Shut down, then verify every audit log.
            for process in processes {
                let status = await process.stop()
                if status != 0 { say("Node \(process.name) exited with status \(status); log:\n\(process.logTail())") }
            }
            processes.removeAll()
            var audits: [String: String] = [:]
            var intact = true
            say("\nAudit logs:")
            for party in parties {
                let dir = directories[party.name]!
                let verdict: String
                do {
                    let reader = try Audit.LogReader.open(path: dir.appendingPathComponent("audit.sqlite").path)
                    let key = try Audit.NoteVerifier(parsing: String(
                        contentsOf: dir.appendingPathComponent("audit-verifier.txt"), encoding: .utf8)
                        .trimmingCharacters(in: .whitespacesAndNewlines))
                    switch try reader.verify(key: key) {
                    case .intact(let size, let root):
                        verdict = "intact: \(size) entries, root \(root.hex.prefix(16))…, every checkpoint signature valid"
                    case .broken(let index, let reason):
                        intact = false
                        verdict = "BROKEN at entry \(index): \(reason)"
                    }
                } catch {
                    intact = false
                    verdict = "cannot verify: \(error)"
                }
                audits[party.name] = verdict
                say("  \(party.name): \(verdict)")
            }
            let elapsed = seconds(since: start, clock)
            say(String(format: "\nDemo finished in %.1f s.", elapsed))
            if options.keep || options.directory != nil {
                say("Node directories kept in \(base.path)")
            } else {
                try? FileManager.default.removeItem(at: base)
            }
            return Report(directory: base, studies: comparisons, audits: audits, allAuditsIntact: intact, seconds: elapsed)
        } catch {
            for process in processes {
                say("Log of \(process.name):\n\(process.logTail(lines: 15))")
                await process.stop(grace: .seconds(5))
            }
            if !options.keep && options.directory == nil { try? FileManager.default.removeItem(at: base) }
            throw error
        }
    }

    /// The two demo studies.
    static func studySpecs(participants: [String], epsilon: Double) -> [(title: String, yaml: String)] {
        let list = participants.joined(separator: ", ")
        return [
            ("Customers per RFM segment (segmentation)", """
                kind: histogram
                purpose: segmentation
                as_of: \(asOf)
                dimensions: [rfm_segment]
                privacy: { epsilon: \(epsilon), delta: 1.0e-6, min_count: 20 }
                participants: [\(list)]
                deadline_seconds: 120
                """),
            ("Churn rate by RFM segment (benchmarking)", """
                kind: mean
                purpose: benchmarking
                as_of: \(asOf)
                dimensions: [rfm_segment]
                measure: churn_rate
                lower: 0
                upper: 1
                privacy: { epsilon: \(epsilon), delta: 1.0e-6, min_count: 20 }
                participants: [\(list)]
                deadline_seconds: 120
                """),
        ]
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cohort-demo-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func seconds(since start: ContinuousClock.Instant, _ clock: ContinuousClock) -> Double {
        let d = clock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
