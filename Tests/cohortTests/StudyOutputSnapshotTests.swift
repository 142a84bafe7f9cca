import CohortCore
import CohortStudy
import CohortNode
import CohortStore
import Foundation
import Testing
@testable import cohort

/// Snapshot tests of the human-readable outputs of `study show|status|list|validate` and the
/// progress line of `study propose`, and schema tests of their `--json` outputs (issue 17).
///
/// Snapshots live in `Tests/cohortTests/Snapshots/<name>.txt`; run with
/// `COHORT_RECORD_SNAPSHOTS=1` to write missing ones (then review them).
@Suite struct StudyOutputSnapshotTests {
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    static func assertSnapshot(_ name: String, _ actual: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = snapshots.appendingPathComponent(name + ".txt")
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            if ProcessInfo.processInfo.environment["COHORT_RECORD_SNAPSHOTS"] == "1" {
                try Data((actual + "\n").utf8).write(to: url)
                return
            }
            Issue.record("no snapshot \(url.path); record it with COHORT_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            return
        }
        #expect(actual + "\n" == expected, "snapshot \(name) differs:\n\(actual)", sourceLocation: sourceLocation)
    }

    static let spec: Study.Spec = {
        let yaml = """
            id: segmentation-20261202-0a1b2c3d
            kind: mean
            purpose: benchmarking
            as_of: 2026-06-30
            dimensions: [rfm_segment]
            measure: churn_rate
            lower: 0
            upper: 1
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 20 }
            participants: [beta, gamma]
            deadline_seconds: 120
            deadline_at: 2026-12-02T08:02:00Z
            """
        return try! Study.Spec.load(yaml: yaml)
    }()

    static let budget = StudyBudgetPreview(
        purpose: "benchmarking", allowed: true, policyDelta: 1e-6, costEpsilon: 1, spentEpsilon: 2.384_912,
        remainingEpsilon: 1.615_088, remainingAfterEpsilon: 0.934_1, capEpsilon: 4, studyCapEpsilon: 2,
        consentingCustomers: 14_097)

    /// What gamma sees while its operator has not decided.
    static let participantDetail = StudyDetail(
        id: spec.id!, role: .participant, lead: "alpha", parties: ["alpha", "beta", "gamma"], spec: spec,
        state: "awaitingApproval", reason: nil, since: "2026-12-02T08:00:01Z", ageSeconds: 25,
        deadline: "2026-12-02T08:02:00Z", secondsToDeadline: 94, waitingFor: ["operator@gamma"],
        waitingReason: "this node's operator: `cohort study approve segmentation-20261202-0a1b2c3d` or `cohort study reject segmentation-20261202-0a1b2c3d` before 2026-12-02T08:02:00Z",
        round: nil,
        progress: [PartyProgress(node: "alpha", stage: "leading"), PartyProgress(node: "gamma", stage: "awaiting_approval")],
        budget: budget)

    /// What the lead sees while beta is unreachable and gamma awaits approval.
    static let leadDetail = StudyDetail(
        id: spec.id!, role: .lead, lead: "alpha", parties: ["alpha", "beta", "gamma"], spec: spec,
        state: "proposing", reason: nil, since: "2026-12-02T08:00:00Z", ageSeconds: 12,
        deadline: "2026-12-02T08:02:00Z", secondsToDeadline: 108, waitingFor: ["beta", "gamma"],
        waitingReason: "answers to the proposal from beta, gamma", round: nil,
        progress: [
            PartyProgress(node: "alpha", stage: "accepted"),
            PartyProgress(node: "beta", stage: "unreachable", attempts: 3,
                          error: "peer beta at 127.0.0.1:4100: unavailable: connection refused",
                          nextAttempt: "2026-12-02T08:00:14Z"),
            PartyProgress(node: "gamma", stage: "awaiting_approval", attempts: 1),
        ],
        budget: StudyBudgetPreview(purpose: "benchmarking", allowed: true, policyDelta: 1e-6, costEpsilon: 1,
                                   spentEpsilon: 0, remainingEpsilon: 4, remainingAfterEpsilon: 3, capEpsilon: 4,
                                   studyCapEpsilon: 2, consentingCustomers: 36_207))

    static let collectingDetail: StudyDetail = {
        var d = leadDetail
        d.state = "collecting"
        d.waitingFor = ["gamma"]
        d.waitingReason = "contributions from gamma"
        d.round = StudyDetail.Round(number: 1, of: 1, received: 2, expected: 3)
        d.progress = [
            PartyProgress(node: "alpha", stage: "contributed"), PartyProgress(node: "beta", stage: "contributed"),
            PartyProgress(node: "gamma", stage: "contributing"),
        ]
        return d
    }()

    @Test func studyShowOnAParticipantAwaitingApproval() throws {
        try Self.assertSnapshot("study-show-participant", StudyRendering.show(Self.participantDetail, node: "gamma"))
    }

    @Test func studyShowOnTheLeadWithAnUnreachableParticipant() throws {
        try Self.assertSnapshot("study-show-lead", StudyRendering.show(Self.leadDetail, node: "alpha"))
    }

    @Test func studyShowWhenThePolicyDoesNotAllowThePurpose() throws {
        var d = Self.participantDetail
        d.budget = StudyBudgetPreview(purpose: "benchmarking", allowed: false, consentingCustomers: 0)
        try Self.assertSnapshot("study-show-not-allowed", StudyRendering.show(d, node: "gamma"))
    }

    @Test func studyStatusWhileCollecting() throws {
        try Self.assertSnapshot("study-status-collecting", StudyRendering.status(Self.collectingDetail, node: "alpha"))
    }

    @Test func studyStatusOfAnExpiredStudy() throws {
        var d = Self.participantDetail
        d.state = "expired"
        d.reason = "the lead's deadline passed"
        d.waitingFor = []
        d.waitingReason = nil
        d.secondsToDeadline = -30
        d.progress = [PartyProgress(node: "alpha", stage: "leading"), PartyProgress(node: "gamma", stage: "expired")]
        try Self.assertSnapshot("study-status-expired", StudyRendering.status(d, node: "gamma"))
    }

    @Test func proposeProgressLines() throws {
        let lines = [Self.leadDetail, Self.collectingDetail].map(StudyRendering.progressLine)
        try Self.assertSnapshot("study-propose-progress", lines.joined(separator: "\n"))
    }

    @Test func studyList() throws {
        let studies = [
            StudySummary(id: "benchmarking-20261202-00c0ffee", role: .participant, lead: "alpha", purpose: "benchmarking",
                         kind: "mean", state: "awaitingApproval", epsilon: 0.5, ageSeconds: 25, deadline: nil),
            StudySummary(id: "segmentation-20261202-0a1b2c3d", role: .lead, lead: "gamma", purpose: "segmentation",
                         kind: "histogram", state: "failed: participant beta rejected the study: ε 2 exceeds the per-study cap 1",
                         epsilon: 2, ageSeconds: 400, deadline: nil),
        ]
        let results = [
            StoredStudyResult(
                study: "segmentation-20261201-deadbeef", role: "participant", lead: "alpha", purpose: "segmentation",
                kind: "histogram", resultJSON: Data(), digestHex: String(repeating: "ab", count: 32),
                storedAt: Date(timeIntervalSince1970: 1_800_000_000)),
        ]
        try Self.assertSnapshot("study-list", StudyRendering.list(studies: studies, results: results))
        try Self.assertSnapshot("study-list-stopped", StudyRendering.list(studies: nil, results: []))
    }

    @Test func studyValidateOnAValidSpec() throws {
        try Self.assertSnapshot("study-validate-valid", StudyRendering.valid(Self.spec, file: "study.yaml"))
    }

    @Test func studyValidateOnAMissingKey() throws {
        let yaml = """
            kind: histogram
            purpose: segmentation
            as_of: 2026-06-30
            dimensions: [rfm_segment]
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            participants: [globex]
            """
        do {
            _ = try Study.Spec.check(yaml: yaml, file: "study.yaml")
            Issue.record("expected a diagnostic")
        } catch let diagnostic as Study.SpecDiagnostic {
            try Self.assertSnapshot("study-validate-missing-key", diagnostic.description)
        }
    }

    // MARK: JSON schemas

    /// Every key of a JSON document, as dotted paths (array items as `[]`).
    static func keys(_ value: Any, prefix: String = "") -> Set<String> {
        var out = Set<String>()
        if let object = value as? [String: Any] {
            for (key, child) in object {
                let path = prefix.isEmpty ? key : prefix + "." + key
                out.insert(path)
                out.formUnion(keys(child, prefix: path))
            }
        } else if let array = value as? [Any] {
            for child in array { out.formUnion(keys(child, prefix: prefix + "[]")) }
        }
        return out
    }

    static func isSnakeCase(_ path: String) -> Bool {
        path.split(separator: ".").allSatisfy { component in
            let name = component.replacingOccurrences(of: "[]", with: "")
            return !name.isEmpty && name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }
        }
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static let detailKeys: Set<String> = [
        "id", "role", "lead", "parties", "spec", "state", "since", "age_seconds", "deadline", "seconds_to_deadline",
        "waiting_for", "waiting_reason", "progress", "budget", "round", "reason",
    ]

    @Test func studyShowJSONHasTheDocumentedSnakeCaseKeys() throws {
        var d = Self.collectingDetail
        d.reason = "none"
        let json = try Self.object(try JSONOutput.text(d))
        let all = Self.keys(json)
        #expect(all.allSatisfy(Self.isSnakeCase), "not snake_case: \(all.filter { !Self.isSnakeCase($0) })")
        #expect(Set(json.keys) == Self.detailKeys)
        #expect(Set((json["budget"] as? [String: Any])?.keys.map { $0 } ?? []) == [
            "purpose", "allowed", "policy_delta", "cost_epsilon", "spent_epsilon", "remaining_epsilon",
            "remaining_after_epsilon", "cap_epsilon", "study_cap_epsilon", "consenting_customers", "charged",
        ])
        #expect(Set(((json["progress"] as? [[String: Any]])?.first?.keys).map { Array($0) } ?? []) == ["node", "stage", "attempts"])
        #expect(Set((json["round"] as? [String: Any])?.keys.map { $0 } ?? []) == ["number", "of", "received", "expected"])
        #expect(all.contains("spec.privacy.min_count") && all.contains("spec.deadline_at") && all.contains("spec.as_of"))
        // The CLI decodes what the node encodes.
        #expect(try JSONDecoder().decode(StudyDetail.self, from: try StudyDetail.encoder.encode(d)) == d)
    }

    @Test func studyListJSONHasTheDocumentedSnakeCaseKeys() throws {
        let document = StudyListCommand.Document(
            running: true,
            studies: [StudySummary(id: "s", role: .lead, lead: "a", purpose: "segmentation", kind: "histogram",
                                   state: "collecting", epsilon: 1, ageSeconds: 3, deadline: "2026-12-02T08:02:00Z")],
            results: [.init(study: "s", role: "lead", lead: "a", kind: "histogram", purpose: "segmentation",
                            sha256: "00", storedAt: "2026-12-02T08:02:00Z")])
        let json = try Self.object(try JSONOutput.text(document))
        let all = Self.keys(json)
        #expect(all.allSatisfy(Self.isSnakeCase), "\(all)")
        #expect(all == [
            "running", "studies", "results",
            "studies[].id", "studies[].role", "studies[].lead", "studies[].purpose", "studies[].kind", "studies[].state",
            "studies[].epsilon", "studies[].age_seconds", "studies[].deadline",
            "results[].study", "results[].role", "results[].lead", "results[].kind", "results[].purpose",
            "results[].sha256", "results[].stored_at",
        ])
    }

    @Test func studyValidateJSONHasTheDocumentedSnakeCaseKeys() throws {
        let valid = try Self.object(try JSONOutput.text(StudyValidateCommand.Document(
            file: "study.yaml", valid: true, spec: Self.spec, cells: 11, rho: 0.0244, sigma: 4.5)))
        #expect(Set(valid.keys) == ["file", "valid", "spec", "cells", "rho", "sigma"])
        let diagnostic = Study.SpecDiagnostic(
            file: "study.yaml", line: 1, column: 1, key: "deadline_seconds", code: "missingKey",
            message: "the required key `deadline_seconds` is missing", fix: "add `deadline_seconds: 120`")
        let invalid = try Self.object(try JSONOutput.text(StudyValidateCommand.Document(
            file: "study.yaml", valid: false, error: diagnostic)))
        #expect(Set(invalid.keys) == ["file", "valid", "error"])
        #expect(Set((invalid["error"] as? [String: Any])?.keys.map { $0 } ?? []) == [
            "file", "line", "column", "key", "code", "message", "fix",
        ])
        #expect(Self.keys(valid).union(Self.keys(invalid)).allSatisfy(Self.isSnakeCase))
    }
}
