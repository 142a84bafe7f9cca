import CohortAudit
import Testing

/// Issue 11: every audit event is made by one factory per type (`AuditEvent+*.swift`); each
/// factory's output must match its type's schema, and the factories must write the same details
/// as the inline constructions they replaced (existing logs keep verifying, tools keep reading).
@Suite struct EventFactoryTests {
    static let root = Audit.Hash(hex: String(repeating: "ab", count: 32))!
    static let other = Audit.Hash(hex: String(repeating: "cd", count: 32))!
    static let pseudonym = String(repeating: "0f", count: 16)
    static let count = Audit.EventCount(
        count: 12, firstSeen: "2026-03-01T10:00:00.000Z", lastSeen: "2026-03-01T10:00:59.000Z", windowSeconds: 60)
    static let terms = Audit.StudyTerms(
        specSHA256: String(repeating: "1", count: 64), kind: "rfm", epsilon: 0.5, delta: 1e-9, asOf: "2026-03-31",
        dimensions: ["region", "segment"], parties: ["acme", "globex"])

    /// One output of every factory, each optional argument both absent and present.
    static let outputs: [Audit.Event] = [
        .nodeInitialized(actor: "operator", consortium: "retail", schema: "v7"),
        .nodeStarted(peerPort: 7443, pid: 4242, mode: "production"),
        .nodeStopped(reason: "shutdown"),
        .dataImported(actor: "operator", kind: "customers", file: "c.csv", sha256: "aa", accepted: 10, rejected: 1, importID: 3),
        .dataImported(actor: "operator", kind: "consent", file: "c.csv", sha256: "aa", accepted: 10, rejected: 0, importID: 4,
                      duplicateOf: 3),
        .importCommitted(actor: "operator", importID: 3, reconciled: false),
        .importRolledBack(actor: "system", importID: 3, reason: "stopped", reconciled: true),
        .consent(granted: true, actor: "operator", pseudonym: pseudonym, purpose: "segmentation",
                 at: "2026-03-01T10:00:00Z", source: .cli),
        .consent(granted: false, actor: "operator", pseudonym: pseudonym, purpose: "benchmarking",
                 at: "2026-03-01T10:00:00Z", source: .import(id: 9), method: "web", policyVersion: "2"),
        .subjectErased(actor: "operator", pseudonym: pseudonym, transactions: 5, consentEvents: 2),
        .studyProposed(actor: "acme", purpose: "segmentation", study: "s1", lead: "acme", terms: terms),
        .studyAccepted(actor: "policy", purpose: "segmentation", study: "s1", lead: "acme"),
        .studyRejected(actor: "policy", purpose: "segmentation", study: "s1", lead: "acme", reason: "budget"),
        .studyRejected(actor: "system", purpose: "", study: "", lead: "acme", reason: "flood", count: 40),
        .studyEnded(actor: "system", purpose: "segmentation", study: "s1", lead: "acme", outcome: "failed", reason: "timeout"),
        .studyEnded(actor: "system", purpose: "segmentation", study: "s1", lead: "acme", outcome: "aborted", reason: "lead",
                    rounds: 2),
        .studyAggregated(actor: "acme", purpose: "segmentation", study: "s1", lead: "acme", round: 0, role: "lead",
                         parties: ["acme", "globex", "initech"], survivors: ["acme", "initech"], dropouts: ["globex"]),
        .studyDataAccessed(study: "s1", purpose: "segmentation", rows: 100, transactions: 900, used: 95, asOf: "2026-03-31",
                           round: 0),
        .localDataAccessed(actor: "operator", purpose: nil, command: "rfm", rows: 100, transactions: 900, asOf: "2026-03-31"),
        .localDataAccessed(actor: "operator", purpose: "segmentation", study: "local", command: "rfm", rows: 1,
                           transactions: 0, asOf: ""),
        .budgetSpent(study: "s1", purpose: "segmentation", epsilon: 0.5, delta: 1e-9, rho: 0.01, mechanism: "gaussian",
                     ledgerID: 7, round: 0),
        .budgetRefunded(study: "s1", purpose: "segmentation", ledgerID: 7, round: 0, reason: "failed"),
        .resultReleased(actor: "acme", purpose: "segmentation", study: "s1", sha256: "bb", role: "lead", cells: 12),
        .peerConnected(peer: "globex", address: "10.0.0.7", direction: "inbound", fingerprint: "cc"),
        .peerConnected(peer: "globex", address: "*", direction: "inbound", fingerprint: "", summary: count),
        .peerRefused(address: "10.0.0.9", claimedName: "x", code: "unknown-peer", reason: "not a member", direction: "inbound",
                     fingerprint: "dd"),
        .peerRefused(address: "*", claimedName: "", code: "*", reason: "12 further refusals", direction: "*", fingerprint: "",
                     summary: count),
        .tlsKeyRotated(actor: "operator", oldSHA256: "a1", newSHA256: "b2", backup: "/srv/keys.old", identity: "cohort://acme"),
        .auditKeyRotated(actor: "operator", oldSHA256: "a1", newSHA256: "b2", oldVerifier: "acme+1+x", newVerifier: "acme+2+y"),
        .checkpointSigned(size: 12, root: root, witnesses: 2),
        .checkpointCosigned(actor: "globex", origin: "cohort/globex", size: 12, root: root),
        .checkpointRefused(actor: "globex", origin: "cohort/globex", size: 12, root: root, reason: "fork", witnessedSize: 12,
                           witnessedRoot: other),
        .logAlert(reason: "root differs", size: 13, root: root, expectedSize: 12, expectedRoot: other),
    ]

    @Test(arguments: outputs)
    func factoryOutputMatchesItsSchema(_ event: Audit.Event) throws {
        try Audit.EventSchema.check(event.type, details: event.details)
        try event.validate()
    }

    @Test func everyEventTypeHasAFactory() {
        let made = Set(Self.outputs.map(\.type))
        #expect(made == Set(Audit.EventType.allCases), "types without a factory: \(Set(Audit.EventType.allCases).subtracting(made))")
    }

    /// The factories write exactly what the inline constructions wrote (value kinds and number
    /// formatting included): these are the replaced literals.
    @Test func factoriesWriteTheDetailsTheInlineConstructionsWrote() {
        #expect(Audit.Event.budgetSpent(
            study: "s1", purpose: "segmentation", epsilon: 0.1, delta: 1e-9, rho: 0.005, mechanism: "gaussian", ledgerID: 7,
            round: 2) == Audit.Event(
                type: .budgetSpent, actor: "study:s1", purpose: "segmentation", study: "s1",
                details: ["epsilon": .string("0.1"), "delta": .string("1e-09"), "rho": .string("0.005"),
                          "mechanism": .string("gaussian"), "ledger_id": .integer(7), "round": .integer(2)]))
        #expect(Audit.Event.consent(
            granted: true, actor: "importer", pseudonym: Self.pseudonym, purpose: "segmentation", at: "2026-03-01T10:00:00Z",
            source: .import(id: 9), method: "web") == Audit.Event(
                type: .consentGranted, actor: "importer", subject: Self.pseudonym, purpose: "segmentation",
                details: ["at": .string("2026-03-01T10:00:00Z"), "source": .string("import"), "import_id": .integer(9),
                          "method": .string("web")]))
        #expect(Audit.Event.peerConnected(
            peer: "globex", address: "*", direction: "inbound", fingerprint: "", summary: Self.count) == Audit.Event(
                type: .peerConnected, actor: "globex",
                details: ["address": .string("*"), "direction": .string("inbound"), "fingerprint": .string(""),
                          "count": .integer(12), "first_seen": .string("2026-03-01T10:00:00.000Z"),
                          "last_seen": .string("2026-03-01T10:00:59.000Z"), "window_seconds": .integer(60)]))
        #expect(Audit.Event.studyProposed(
            actor: "acme", purpose: "segmentation", study: "s1", lead: "acme", terms: Self.terms) == Audit.Event(
                type: .studyProposed, actor: "acme", purpose: "segmentation", study: "s1",
                details: ["lead": .string("acme"), "spec_sha256": .string(String(repeating: "1", count: 64)),
                          "kind": .string("rfm"), "epsilon": .string("0.5"), "delta": .string("1e-09"),
                          "as_of": .string("2026-03-31"), "dimensions": .string("region,segment"),
                          "parties": .string("acme,globex")]))
        #expect(Audit.Event.importRolledBack(actor: "system", importID: 3, reason: "r", reconciled: true) == Audit.Event(
            type: .importRolledBack, actor: "system",
            details: ["import_id": .integer(3), "reason": .string("r"), "reconciled": .integer(1)]))
        #expect(Audit.Event.checkpointSigned(size: 12, root: Self.root, witnesses: 2) == Audit.Event(
            type: .checkpointSigned, actor: "system",
            details: ["size": .integer(12), "root": .string(String(repeating: "ab", count: 32)), "witnesses": .integer(2)]))
    }
}
