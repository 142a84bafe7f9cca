import CohortCore
import CohortAudit
import CohortScenario
import CohortNode
import CohortStore
import CohortTestSupport
import Foundation
import Testing

/// The committed UCI partner files and the compliance officer's audit report, on real nodes
/// (store, importer and audit log as `cohort` uses them).
@Suite(.serialized) struct ReportRealNodeTests {
    /// `scenarios/data` of this source tree.
    static var scenarioData: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scenarios/data")
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "cohort-report-node-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Imports one partner's three files with the real importer (all-or-nothing, so any bad row
    /// would throw) and returns the reports.
    static func importPartner(_ partner: String, into node: String) async throws -> [ImportReport] {
        try await NodeSession.run(directory: node) { store, _, log in
            var reports: [ImportReport] = []
            for kind in [ImportKind.customers, .transactions, .consent] {
                let file = scenarioData.appendingPathComponent("uci-\(partner)-\(kind.rawValue).csv.gz").path
                reports.append(try await store.importCSV(kind, from: file, audit: log))
            }
            return reports
        }
    }

    /// Every committed UCI partner file imports into a fresh node with zero rejects, and the
    /// three partners hold the README's customer and invoice counts.
    @Test(arguments: [("uk", 3950, 19857, 10458), ("eu", 340, 2033, 907), ("world", 82, 300, 211)])
    func uciPartnerFilesImportWithZeroRejects(_ partner: String, _ customers: Int, _ invoices: Int, _ grants: Int) async throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        _ = try await NodeHome.initialize(directory: root + "/\(partner)", name: partner, consortium: "uci")
        let reports = try await Self.importPartner(partner, into: root + "/\(partner)")
        #expect(reports.map(\.rowsRejected) == [0, 0, 0])
        #expect(reports.map(\.rowsAccepted) == [customers, invoices, grants])
        let store = try NodeStore.open(directory: root + "/\(partner)")
        defer { try? store.close() }
        let counts = try store.counts()
        #expect(counts.customers == customers && counts.transactions == invoices && counts.consentEvents == grants)
        #expect(try store.consentingCustomers(purpose: .segmentation, asOf: Date()).count == customers)
    }

    /// Builds the `world` partner's node with an import, a local analysis, a study participation
    /// (entries as the node writes them: proposal, acceptance, budget spend, data access,
    /// release), a consent withdrawal and an erasure.
    static func makeNode() async throws -> (root: String, node: String) {
        let root = try temporaryDirectory()
        let node = root + "/world"
        _ = try await NodeHome.initialize(directory: node, name: "world", consortium: "uci")
        _ = try await importPartner("world", into: node)
        try await NodeSession.run(directory: node) { store, _, log in
            let study = "benchmarking-20261202-0badc0de"
            _ = try await log.record(contentsOf: [
                Audit.Event(type: .studyProposed, actor: "uk", purpose: "benchmarking", study: study, details: [
                    "lead": .string("uk"), "spec_sha256": .string(String(repeating: "1", count: 64)), "kind": .string("mean"),
                    "epsilon": .string("1"), "delta": .string("0.000001"), "as_of": .string("2011-12-09"),
                    "dimensions": .string("rfm_segment"), "parties": .string("uk,eu,world")]),
                Audit.Event(type: .studyAccepted, actor: "system", purpose: "benchmarking", study: study, details: ["lead": .string("uk")]),
                Audit.Event(type: .budgetSpent, actor: "uk", purpose: "benchmarking", study: study, details: [
                    "epsilon": .string("1"), "delta": .string("0.000001"), "rho": .string("0.0244"), "mechanism": .string("discrete-gaussian"),
                    "ledger_id": .integer(1), "round": .integer(1)]),
                Audit.Event(type: .dataAccessed, actor: "uk", purpose: "benchmarking", study: study, details: [
                    "rows": .integer(74), "transactions": .integer(290), "as_of": .string("2011-12-09"), "used": .integer(74), "round": .integer(1)]),
                Audit.Event(type: .resultReleased, actor: "uk", purpose: "benchmarking", study: study, details: [
                    "sha256": .string(String(repeating: "a", count: 64)), "role": .string("participant"), "cells": .integer(11)]),
                Audit.Event(type: .peerRefused, actor: "system", details: [
                    "address": .string("127.0.0.1"), "claimed_name": .string("mallory"), "code": .string("unknown-ca"),
                    "reason": .string("certificate not issued by the consortium CA"), "direction": .string("inbound"), "fingerprint": .string("00")]),
            ])
            try await store.recordConsent(customerID: "12431", purpose: .benchmarking, action: .withdraw, at: Date(), method: "e-mail",
                                          actor: "dpo", audit: log)
            try await store.eraseCustomer(customerID: "12350", actor: "officer", audit: log)
        }
        return (root, node)
    }

    /// The report lists the study's access with purpose and study, the consent withdrawal, the
    /// erasure, the spend, the study's decision and release, and the refusal; the HTML page
    /// carries the same numbers; a period with no entries reports none.
    @Test func auditReportListsAccessesConsentErasuresSpendsOfARealNode() async throws {
        let (root, node) = try await Self.makeNode()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let reader = try Audit.LogReader.open(path: node + "/audit.sqlite")
        let a = try AuditActivity.build(reader: reader)
        let study = "benchmarking-20261202-0badc0de"
        let access = try #require(a.accesses.first { $0.study == study })
        #expect(access.purpose == "benchmarking" && access.rows == 74 && access.actor == "uk" && access.round == 1)
        #expect(a.consentChanges.count == 1)
        #expect(a.consentChanges.first?.action == "withdrawn" && a.consentChanges.first?.actor == "dpo" && a.consentChanges.first?.method == "e-mail")
        #expect(a.consentCounts.contains { $0.purpose == "segmentation" && $0.action == "granted" && $0.source == "import" && $0.count == 82 })
        #expect(a.erasures.count == 1 && a.erasures.first?.actor == "officer")
        #expect(a.imports.map(\.accepted) == [82, 300, 211])
        #expect(a.budgetTotals.count == 1 && a.budgetTotals[0].purpose == "benchmarking" && a.budgetTotals[0].rho == 0.0244)
        let epsilon = try #require(a.budgetTotals[0].epsilon)
        #expect(abs(epsilon - 1) < 0.01)
        #expect(a.studies.first?.decision == "accepted" && a.studies.first?.released == String(repeating: "a", count: 64))
        #expect(a.refusals == ["peer.refused:unknown-ca": 1])
        #expect(a.entriesInPeriod == Int(a.verification.size))
        let summary = ScenarioSummary.AuditSummary.of(node: "world", directory: URL(fileURLWithPath: node))
        #expect(summary.status == .intact && summary.entries == Int(a.verification.size) && summary.root == a.verification.root)
        #expect(summary.refusals == ["peer.refused:unknown-ca": 1] && summary.entriesByType["subject.erased"] == 1)

        let html = AuditActivityHTML.render(a)
        #expect(ReportFixtures.structureProblem(html) == nil)
        let (found, conflicts) = ReportFixtures.metrics(inHTML: html)
        #expect(conflicts.isEmpty)
        #expect(found["access.\(access.index).rows"] == 74)
        #expect(found["budget.benchmarking.rho"] == 0.0244)
        #expect(found["refusals.peer.refused:unknown-ca"] == 1)
        #expect(found["entries_in_period"] == Double(a.entriesInPeriod))
        let markdown = AuditActivityMarkdown.render(a)
        #expect(markdown.contains(study) && markdown.contains("withdrawn") && markdown.contains("officer"))

        // A period before the node existed has no entries.
        let old = try AuditActivity.build(reader: reader, from: Audit.Timestamp.parse("2011-01-01"), until: Audit.Timestamp.parse("2011-02-01"))
        #expect(old.entriesInPeriod == 0 && old.accesses.isEmpty && old.erasures.isEmpty)
    }

    /// An insider edits one stored entry (same length, so the file stays a valid database): the
    /// report refuses with the first bad index instead of describing a falsified history.
    @Test func auditReportRefusesATamperedLog() async throws {
        let (root, node) = try await Self.makeNode()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = node + "/audit.sqlite"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let needle = Data("\"actor\":\"officer\"".utf8)
        let range = try #require(bytes.range(of: needle))
        bytes.replaceSubrange(range, with: Data("\"actor\":\"0fficer\"".utf8))
        try bytes.write(to: URL(fileURLWithPath: path))
        let reader = try Audit.LogReader.open(path: path)
        #expect {
            try AuditActivity.build(reader: reader)
        } throws: { error in
            guard let error = error as? AuditError else { return false }
            return error.code == .proofMismatch && error.message.contains("does not verify") && error.message.contains("no report")
        }
        let summary = ScenarioSummary.AuditSummary.of(node: "world", directory: URL(fileURLWithPath: node))
        #expect(summary.status == .broken)
    }
}
