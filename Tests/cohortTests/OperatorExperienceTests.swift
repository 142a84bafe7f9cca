import CohortNet
import CohortStudy
import CohortCore
import CohortAudit
@testable import CohortNode
import CohortPrivacy
import CohortScenario
import CohortStore
import CohortNetTestSupport
import CohortTestSupport
import CohortProcess
import Foundation
import Testing
import Yams
@testable import cohort

/// Issue 17 items 4, 6, 7 and 8 through the `cohort` binary: local analytics while the node
/// runs, a legible budget and a privacy plan, outputs a script can rely on (exit codes, one
/// JSON key style, integers, `--version`, a limited `audit show`, human numbers in generated
/// configs) and shell completions.
@Suite(.serialized) struct OperatorExperienceTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built `cohort` binary; stdout and stderr separately (bounded by the process).
    static func cohort(_ args: [String]) async throws -> Run {
        let p = Process()
        p.executableURL = try BuiltProducts.cohortExecutable()
        p.arguments = args
        let base = NSTemporaryDirectory() + "cohort-ox-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        p.standardOutput = FileHandle(forWritingAtPath: base + ".out")
        p.standardError = FileHandle(forWritingAtPath: base + ".err")
        try await ProcessLauncher.launch(p)
        _ = await ChildProcess.waitForExit(p)
        return Run(
            status: p.terminationStatus,
            stdout: (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? "")
    }

    /// Every object key in a JSON document, recursively.
    static func keys(_ value: Any) -> [String] {
        if let object = value as? [String: Any] {
            return object.keys.map { $0 } + object.values.flatMap(keys)
        }
        if let array = value as? [Any] { return array.flatMap(keys) }
        return []
    }

    /// Expects `text` to be JSON whose every key is snake_case (`^[a-z][a-z0-9_]*$`).
    static func expectSnakeCase(_ text: String, _ what: String) throws {
        let document = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        let keys = keys(document)
        #expect(!keys.isEmpty, "\(what): no keys")
        let bad = keys.filter { key in
            !(key.first.map { $0 >= "a" && $0 <= "z" } ?? false)
                || !key.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }
        }
        #expect(bad.isEmpty, "\(what): keys not in snake_case: \(Set(bad).sorted())")
    }

    static let asOf = "2026-06-30"

    /// One prepared node (`alpha`, retail, 300 customers) on loopback.
    static func makeNode(_ temp: TemporaryDirectory) async throws -> LocalCluster {
        let pki = try PKI.TestPKI(consortium: "demo")
        let member = LocalCluster.Member(
            name: "alpha", profile: .retail, customers: 300, material: try pki.material(for: "alpha"), configure: { _ in })
        return try await LocalCluster.prepare(members: [member], base: temp.url, consortium: "demo", seed: 7, asOf: asOf)
    }

    static let histogramSpec = """
        kind: histogram
        purpose: segmentation
        as_of: 2026-06-30
        dimensions: [rfm_segment]
        privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
        participants: [beta, gamma]
        deadline_seconds: 30
        """

    static let meanSpec = """
        kind: mean
        purpose: benchmarking
        as_of: 2026-06-30
        dimensions: [rfm_segment]
        measure: churn_rate
        lower: 0
        upper: 1
        privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
        participants: [beta]
        deadline_seconds: 30
        """

    // MARK: Item 4 — local analytics while the node runs

    @Test func localAnalyticsWorkWhileTheNodeRunsAndTheNodeAuditsTheAccess() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-ox")
        defer { temp.remove() }
        let cluster = try await Self.makeNode(temp)
        let dir = try cluster.directory("alpha").path
        let processes = try await cluster.start(executable: try BuiltProducts.cohortExecutable())
        defer { for p in processes { p.crash() } }
        let node = try #require(processes.first)
        let before = try Audit.LogReader.open(path: dir + "/audit.sqlite").size()

        let analyze = try await Self.cohort(["analyze", "--node", dir, "--as-of", Self.asOf])
        #expect(analyze.status == 0, "analyze while the node runs: \(analyze.stderr)")
        #expect(analyze.stdout.contains("Segmentation report"))
        #expect(analyze.stdout.contains("majority-class baseline accuracy"))
        #expect(analyze.stdout.contains("chosen on the training split"))
        let analyzeJSON = try await Self.cohort(["analyze", "--node", dir, "--as-of", Self.asOf, "--json"])
        #expect(analyzeJSON.status == 0, "\(analyzeJSON.stderr)")
        try Self.expectSnakeCase(analyzeJSON.stdout, "analyze --json")
        #expect(analyzeJSON.stdout.contains("\"decision_threshold\""))

        let csv = temp.url.appendingPathComponent("features.csv").path
        let features = try await Self.cohort(["data", "features", "--node", dir, "--as-of", Self.asOf, "--out", csv])
        #expect(features.status == 0, "data features while the node runs: \(features.stderr)")
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 301, "a header and one line per customer")
        #expect(features.stdout.contains("Wrote 300 customers' features"))
        let mode = try FileManager.default.attributesOfItem(atPath: csv)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let consent = try await Self.cohort(["consent", "status", "--node", dir, "--json"])
        #expect(consent.status == 0, "consent status while the node runs: \(consent.stderr)")
        try Self.expectSnakeCase(consent.stdout, "consent status --json")
        let consentText = try await Self.cohort(["consent", "status", "--node", dir])
        #expect(consentText.stdout.contains("never-asked"))

        let checkpoint = try await Self.cohort(["audit", "checkpoint", "--node", dir])
        #expect(checkpoint.status == 0, "audit checkpoint while the node runs: \(checkpoint.stderr)")
        #expect(checkpoint.stdout.contains("cohort.audit/alpha"))
        let customer = String(try #require(lines.dropFirst().first?.split(separator: ",").first))
        for args in [["audit", "show", "--node", dir], ["audit", "verify", "--node", dir],
                     ["audit", "export", "--jsonl", "--node", dir], ["audit", "prove", "--node", dir, "--index", "0"],
                     ["audit", "consistency", "--node", dir, "--from", "1", "--to", "2"],
                     ["audit", "subject", "--node", dir, "--customer", customer]] {
            let run = try await Self.cohort(args)
            #expect(run.status == 0, "\(args.joined(separator: " ")) while the node runs: \(run.stderr)")
        }

        let subject = try await Self.cohort(["audit", "subject", "--node", dir, "--customer", customer, "--json"])
        try Self.expectSnakeCase(subject.stdout, "audit subject --json")
        let verify = try await Self.cohort(["audit", "verify", "--node", dir, "--json"])
        try Self.expectSnakeCase(verify.stdout, "audit verify --json")
        let shown = try await Self.cohort(["audit", "show", "--node", dir, "--json", "--all"])
        for line in shown.stdout.split(separator: "\n") { try Self.expectSnakeCase(String(line), "audit show --json") }

        let specPath = temp.url.appendingPathComponent("h.yaml").path
        try Data(Self.histogramSpec.utf8).write(to: URL(fileURLWithPath: specPath))
        let plan = try await Self.cohort(["privacy", "plan", specPath, "--node", dir])
        #expect(plan.status == 0, "privacy plan while the node runs: \(plan.stderr)")
        let fit = try Self.studiesFitting(cap: 4)
        #expect(fit > 4, "zCDP composition admits more than cap/ε studies")
        #expect(plan.stdout.contains("that fit now: \(fit); in an empty period: \(fit)."), "\(plan.stdout)")
        #expect(plan.stdout.contains("standard error per released count = √3 × σ"))

        let status = try await Self.cohort(["node", "status", "--node", dir, "--json", "--no-probe"])
        #expect(status.status == 0)
        try Self.expectSnakeCase(status.stdout, "node status --json")

        #expect(await node.stop() == 0)
        // The running node wrote one data.accessed entry per analysis, with the command.
        let reader = try Audit.LogReader.open(path: dir + "/audit.sqlite")
        let entries = try (before..<reader.size()).map { try reader.entry(at: $0).entry }
        let commands = entries.filter { $0.type == .dataAccessed }.compactMap { entry -> String? in
            if case .string(let c)? = entry.details["command"] { return c }
            return nil
        }
        #expect(commands.sorted() == ["analyze", "analyze", "data features", "privacy plan"])
        guard case .intact = try reader.verify() else {
            Issue.record("the audit log does not verify")
            return
        }
    }

    @Test func localAnalyticsStillWorkWhenTheNodeIsStopped() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-ox")
        defer { temp.remove() }
        let cluster = try await Self.makeNode(temp)
        let dir = try cluster.directory("alpha").path
        let analyze = try await Self.cohort(["analyze", "--node", dir, "--as-of", Self.asOf])
        #expect(analyze.status == 0, "\(analyze.stderr)")
        let specPath = temp.url.appendingPathComponent("m.yaml").path
        try Data(Self.meanSpec.utf8).write(to: URL(fileURLWithPath: specPath))
        let plan = try await Self.cohort(["privacy", "plan", specPath, "--node", dir, "--parties", "2", "--json"])
        #expect(plan.status == 0, "\(plan.stderr)")
        try Self.expectSnakeCase(plan.stdout, "privacy plan --json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        #expect(document["parties"] as? Int == 2)
        let budget = try #require(document["budget"] as? [String: Any])
        #expect(budget["studies_per_period"] as? Int == (try Self.studiesFitting(cap: 4)))
        let checkpoint = try await Self.cohort(["audit", "checkpoint", "--node", dir])
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
    }

    /// The largest k with k studies of ε = 1 (δ = 1e-6) composing, in zCDP, to at most `cap`.
    static func studiesFitting(cap: Double) throws -> Int {
        let rho = try Study.Calibration.rho(epsilon: 1, delta: 1e-6)
        var k = 0
        while k < 1000, Study.Calibration.epsilon(rho: Double(k + 1) * rho, delta: 1e-6) <= cap { k += 1 }
        return k
    }

    /// Adds nothing but reports the planned variance, so that an aggregate of identical
    /// contributions has exactly the noise variance the plan assumes.
    struct PlannedVarianceWithoutNoise: Study.NoiseSource {
        mutating func addNoise(to values: inout [Int64], sigmaSquared: Double) throws -> Study.NoiseReport {
            Study.NoiseReport(mechanism: "none", sigmaSquared: sigmaSquared, simulated: true)
        }
    }

    @Test(arguments: [meanSpec, histogramSpec])
    func planStandardErrorsMatchTheLeadsAggregation(specText: String) async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-ox")
        defer { temp.remove() }
        let cluster = try await Self.makeNode(temp)
        let store = try NodeStore.open(directory: try cluster.directory("alpha").path)
        defer { try? store.close() }
        let spec = try Study.Spec.load(yaml: specText).withID("s")
        let purpose = try #require(Purpose(rawValue: spec.purpose.rawValue))
        let end = try CivilTime.parseArgument(spec.asOf.description, option: "as_of", endOfDay: true)
        let tables = try store.loadAnalyticsTables(purpose: purpose, consentAt: Date(), transactionsUpTo: end)
        let (codes, measures) = try NodeStudyServices.studyInputs(spec: spec, customers: tables.customers, transactions: tables.transactions)
        let exact = try Study.Contribution.compute(spec: spec, codes: codes, measures: measures)
        let parties = ["alpha"] + spec.participants
        let plan = try PrivacyPlan.make(spec: spec, contribution: exact, parties: parties.count, store: store, config: try store.loadConfig(), at: Date())
        let noise = try Study.Calibration.plan(for: spec)
        var contributions: [String: Study.ContributionMessage] = [:]
        for node in parties {
            var source = PlannedVarianceWithoutNoise()
            contributions[node] = try exact.noised(study: "s", round: 0, plan: noise, noise: &source)
        }
        let result = try Study.Aggregation.aggregate(spec: spec, lead: "alpha", contributions: contributions, startedAt: Date(), completedAt: Date())
        #expect(plan.cells.count == result.cells.count)
        for (planned, released) in zip(plan.cells, result.cells) where !released.suppressed {
            #expect(planned.labels == released.labels)
            #expect(abs(planned.countStandardError - (released.countStandardError ?? -1)) < 1e-9)
            if spec.kind == .mean {
                let se = try #require(released.meanStandardError)
                #expect(abs((planned.meanStandardError ?? -1) - se) <= 1e-12 * max(1, se), "\(planned.labels)")
            } else {
                #expect(Double(planned.expectedCount) == released.count)
            }
        }
    }

    // MARK: Item 6 — budget made legible

    @Test func budgetStatusShowsEachStudyAndHowTheyCompose() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-ox")
        defer { temp.remove() }
        let cluster = try await Self.makeNode(temp)
        let dir = try cluster.directory("alpha").path
        let store = try NodeStore.open(directory: dir)
        let config = try store.loadConfig()
        let rho = try Study.Calibration.rho(epsilon: 1, delta: 1e-6)
        let t0 = Date().addingTimeInterval(-3600)
        for (i, study) in ["seg-1111-aaaa-study-one", "seg-2222-bbbb-study-two", "seg-3333-cccc-study-three"].enumerated() {
            let cost = Privacy.Cost.zcdp(.discreteGaussian, rho: rho)
            let spend = Privacy.Ledger.Spend(study: study, at: t0.addingTimeInterval(Double(i)), cost: cost)
            let columns = try spend.columns(delta: 1e-6)
            _ = try store.chargeBudget(purpose: "segmentation", study: study, at: spend.at) { _ in
                BudgetSpendRecord(purpose: "segmentation", study: study, epsilon: columns.epsilon, delta: columns.delta,
                                  rho: columns.rho, mechanism: columns.mechanism, costJSON: columns.costJSON, at: spend.at)
            }
        }
        let lines = try NodeBudget.report(store: store, config: config, at: Date())
        try store.close()
        let segmentation = try #require(lines.first { $0.purpose == "segmentation" })
        #expect(segmentation.studies?.map(\.study) == ["seg-1111-aaaa-study-one", "seg-2222-bbbb-study-two", "seg-3333-cccc-study-three"])
        #expect(abs((segmentation.spentRho ?? 0) - 3 * rho) < 1e-12, "ρ adds up")
        #expect((segmentation.spentEpsilon ?? 9) < 3, "three ε = 1 studies compose to less than ε = 3")
        #expect(abs((segmentation.sumOfStudyEpsilons ?? 0) - 3) < 1e-6)

        let run = try await Self.cohort(["budget", "status", "--node", dir])
        #expect(run.status == 0)
        #expect(run.stdout.contains("seg-3333-cccc-study-three"), "full study ids")
        #expect(run.stdout.contains("How they compose (zCDP): the studies' ρ add up to"))
        #expect(run.stdout.contains("δ = 1e-6"))
        let json = try await Self.cohort(["budget", "status", "--node", dir, "--json"])
        #expect(json.status == 0)
        try Self.expectSnakeCase(json.stdout, "budget status --json")
        #expect(json.stdout.contains("\"spent_rho\""))
    }

    @Test func budgetStatusTextSnapshot() {
        let line = NodeBudget.Line(
            purpose: "segmentation", allowed: true, capEpsilon: 4, studyCapEpsilon: 1, periodDays: 30, delta: 1e-6,
            spentEpsilon: 1.5, remainingEpsilon: 2.5, releases: 2, periodStart: "2026-06-01T00:00:00Z",
            spentRho: 0.0488, sumOfStudyEpsilons: 2,
            studies: [
                .init(study: "s-one", releases: 1, rho: 0.0244, epsilon: 1, lastSpentAt: "2026-06-02T00:00:00Z"),
                .init(study: "s-two", releases: 1, rho: 0.0244, epsilon: 1, lastSpentAt: "2026-06-03T00:00:00Z"),
            ])
        let text = BudgetStatusCommand.text(node: "alpha", delta: 1e-6, lines: [line, NodeBudget.Line(purpose: "benchmarking", allowed: false)])
        #expect(text == """
            Privacy budget of node alpha (δ = 1e-6)
            purpose           cap ε/period  period  cap ε/study   spent ε  remaining ε  releases
            segmentation             4.000    30 d        1.000    1.5000       2.5000         2
            benchmarking     not allowed by the node policy

            segmentation: 2 studies in the current 30-day period
              study  releases   ρ (zCDP)  ε alone
              s-one         1     0.0244   1.0000
              s-two         1     0.0244   1.0000
              total         2     0.0488   1.5000
              How they compose (zCDP): the studies' ρ add up to 0.0488; the spent ε is converted once from that total at δ = 1e-6: ε = 1.5000, less than the 2.0000 that adding each study's own ε would give.

            """)
    }

    @Test func privacyPlanTextSnapshot() {
        let plan = PrivacyPlan(
            kind: "histogram", purpose: "segmentation", dimensions: ["value_tier"], measure: nil, epsilon: 1, delta: 1e-6,
            rho: 0.0244, parties: 3, sigmaPerNode: 4.53, customersInScope: 120,
            cells: [
                .init(labels: ["high"], localCount: 100, expectedCount: 300, countStandardError: 7.85, localMean: nil, meanStandardError: nil),
                .init(labels: ["low"], localCount: 0, expectedCount: 0, countStandardError: 7.85, localMean: nil, meanStandardError: nil),
            ],
            budget: .init(allowed: true, periodCapEpsilon: 4, periodDays: 30, studyCapEpsilon: 1, policyDelta: 1e-6,
                          studyEpsilon: 1, spentEpsilon: 0, studiesFittingNow: 12, studiesPerPeriod: 12, limit: "the next one asks for too much"),
            assumptions: ["a", "b"])
        #expect(plan.text() == """
            Privacy plan: histogram study of value_tier for segmentation
            ε = 1, δ = 1e-6 per node → ρ = 0.0244 (zCDP); each node adds discrete Gaussian noise with σ = 4.53 per count
            3 parties add noise: standard error per released count = √3 × σ = 7.85
            This node has 120 customers consenting to segmentation.

            value_tier  this node  expected total  SE count  relative SE
            ----------  ---------  --------------  --------  -----------
            high              100             300      7.85        2.62%
            low                 0               0      7.85            –

            Budget for segmentation: ε 4 per 30 days at δ = 1e-6, at most ε 1 per study; spent ε 0.0000 in the current period.
            Such studies (ε 1.0000 each at the policy δ) that fit now: 12; in an empty period: 12.
            (zCDP: the studies' ρ add up and the total is converted to ε once at δ, so k studies cost less than k × ε.)
            The next one is refused: the next one asks for too much

            Assumptions: a; b.
            """)
    }

    @Test func consentStatusTextSnapshot() async throws {
        let at = try CivilTime.parseArgument("2026-06-30", option: "t", endOfDay: true)
        let text = ConsentStatusCommand.text(
            [ConsentStatusCounts(purpose: .segmentation, granted: 235, withdrawn: 26, neverAsked: 39)], at: at)
        #expect(text == """
            Consent as of 2026-06-30T23:59:59Z
            purpose            granted  withdrawn  never-asked
            segmentation           235         26           39

            """)
    }

    // MARK: Item 7 — outputs a script can rely on

    @Test func versionAndCompletionScripts() async throws {
        let version = try await Self.cohort(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("cohort \(CohortVersion.release)"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try await Self.cohort(["--generate-completion-script", shell])
            #expect(script.status == 0)
            for word in ["analyze", "privacy", "budget", "audit"] {
                #expect(script.stdout.contains(word), "\(shell) completion knows \(word)")
            }
        }
    }

    @Test(arguments: [
        (["analyze", "--node", "/nonexistent/cohort-node", "--as-of", "2026-06-30"], CLIExitStatus.notFound),
        (["analyze", "--node", "/tmp", "--as-of", "2026-13-40"], CLIExitStatus.usage),
        (["node", "status", "--node", NSTemporaryDirectory()], CLIExitStatus.unavailable),
        (["privacy", "plan", "/nonexistent/spec.yaml", "--node", "/tmp"], CLIExitStatus.notFound),
        (["budget", "status", "--node", "/nonexistent/cohort-node"], CLIExitStatus.notFound),
    ])
    func documentedExitStatuses(args: [String], expected: CLIExitStatus) async throws {
        let run = try await Self.cohort(args)
        #expect(run.status == expected.rawValue, "\(args.joined(separator: " ")): \(run.stderr)")
        #expect(!run.stderr.isEmpty)
        if expected != .usage { #expect(!run.stderr.contains("Usage:"), "no usage line for a \(expected) error") }
    }

    @Test func auditShowLimitsByDefaultAndPrintsFullStudyIDs() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-ox")
        defer { temp.remove() }
        let dir = temp.url.path
        let log = try await Audit.Log.open(nodeDirectory: dir, node: "alpha")
        let study = "segmentation-20260630-0123456789abcdef0123456789abcdef"
        for i in 0..<120 {
            _ = try await log.record(Audit.Event(
                type: .studyAccepted, actor: "t", purpose: "segmentation", study: i == 119 ? study : "s\(i)",
                details: ["lead": .string("alpha")]))
        }
        await log.close()
        let show = try await Self.cohort(["audit", "show", "--node", dir])
        #expect(show.status == 0)
        let rows = show.stdout.split(separator: "\n")
        #expect(rows.count == 1 + OperatorExperienceTests.defaultLimit, "a header and the last 50 entries")
        #expect(rows.last?.contains("study=\(study)") == true, "the full study id: \(rows.last ?? "")")
        #expect(show.stderr.contains("showing the last 50 of 120"))
        #expect(try await Self.cohort(["audit", "show", "--node", dir, "--all"]).stdout.split(separator: "\n").count == 121)
        #expect(try await Self.cohort(["audit", "show", "--node", dir, "--limit", "7", "--json"]).stdout.split(separator: "\n").count == 7)
    }

    static var defaultLimit: Int { AuditShowCommand.defaultLimit }

    @Test func generatedConfigWritesNumbersAsAPersonWould() throws {
        let template = NodeConfigTemplate.text(name: "acme", consortium: "demo")
        let config = try NodeConfig.parse(yaml: template)
        // The defect: Yams writes δ = 1e-6 with 17 significant digits.
        #expect(try YAMLEncoder().encode(config).contains("9.9999999999999995e-07"))
        let yaml = try config.yaml()
        #expect(yaml.contains("delta: 1.0e-6"), "\(yaml)")
        #expect(!yaml.contains("9.9999999999999995e-07"))
        #expect(yaml.contains("period_days: 30"))
        #expect(try NodeConfig.parse(yaml: yaml) == config, "reads back to the same config")
    }

    @Test(arguments: [(1e-6, "1e-6"), (0.5, "0.5"), (4, "4"), (8836, "8836"), (1.5e20, "1.5e20"), (2.5e-7, "2.5e-7")])
    func humanNumbers(value: Double, text: String) {
        #expect(HumanNumber.format(value) == text)
    }

    @Test func jsonOutputUsesSnakeCaseKeys() async throws {
        let bench = try await AuditCommandTests.bench(["run", "--suite", "privacy", "--list"])
        #expect(bench.status == 0, "cohort-bench is built beside cohort: \(bench.output)")
        let cost = try await Self.cohort(["privacy", "cost", "--mechanism", "discrete-gaussian", "--sigma", "5", "--json"])
        #expect(cost.status == 0, "\(cost.stderr)")
        try Self.expectSnakeCase(cost.stdout, "privacy cost --json")
    }
}
