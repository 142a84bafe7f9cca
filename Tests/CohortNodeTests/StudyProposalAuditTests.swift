import CohortTestSupport
import CohortStudy
import CohortCore
import CohortAudit
import CohortNode
import CohortStore
import Crypto
import Foundation
import Testing

/// Issue 15: `study.proposed` had only `lead`, so an officer could not see what was agreed.
@Suite struct StudyProposalAuditTests {
    @Test func proposalRecordsTheSpecDigestAndItsTerms() async throws {
        let fixture = try await NodeStudyServicesTests.Fixture.make()
        let services = try NodeStudyServices(
            store: fixture.store, config: NodeStudyServicesTests.config(), audit: fixture.log, randomness: .seeded(7))
        let spec = try NodeStudyServicesTests.spec(id: "terms")
        try await services.auditStudy(StudyAuditEvent(
            kind: .proposed, study: "terms", purpose: spec.purpose.rawValue, lead: "acme", actor: "operator", spec: spec))
        let dir = fixture.temp.appending("node").path
        await fixture.log.close()
        let reader = try Audit.LogReader.open(path: NodeDirectory(dir).auditDatabasePath)
        let entry = try #require(try (0..<reader.size()).map { try reader.entry(at: $0).entry }.last { $0.type == .studyProposed })
        let digest = SHA256.hash(data: try spec.canonicalJSON()).map { String(format: "%02x", $0) }.joined()
        #expect(entry.details["spec_sha256"] == .string(digest))
        #expect(entry.details["kind"] == .string(spec.kind.rawValue))
        #expect(entry.details["epsilon"] == .string(String(spec.privacy.epsilon)))
        #expect(entry.details["delta"] == .string(String(spec.privacy.delta)))
        #expect(entry.details["as_of"] == .string(spec.asOf.description))
        #expect(entry.details["dimensions"] == .string(spec.dimensions.map(\.rawValue).joined(separator: ",")))
        #expect(entry.details["parties"] == .string((["acme"] + spec.participants.filter { $0 != "acme" }).joined(separator: ",")))
        #expect(entry.purpose == spec.purpose.rawValue)
        let verdict = try reader.verify()
        await fixture.close()
        guard case .intact = verdict else {
            Issue.record("the log with the proposal must verify (schema included): \(verdict)")
            return
        }
    }

    /// A proposal without its spec is not recorded (and so not made).
    @Test func proposalWithoutSpecIsRefused() async throws {
        let fixture = try await NodeStudyServicesTests.Fixture.make()
        let services = try NodeStudyServices(
            store: fixture.store, config: NodeStudyServicesTests.config(), audit: fixture.log, randomness: .seeded(7))
        await #expect(throws: NodeError.self) {
            try await services.auditStudy(StudyAuditEvent(kind: .proposed, study: "x", purpose: "segmentation", lead: "acme", actor: "operator"))
        }
        await fixture.close()
    }
}
