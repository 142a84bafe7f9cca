import CohortStudy
import CohortCore
public import CohortAudit
import Crypto
import Foundation

extension StudyAuditEvent {
    /// The `study.proposed` details that say what was agreed: `spec_sha256` (SHA-256 hex of the
    /// spec's canonical JSON), `kind`, `epsilon`, `delta` (decimal text), `as_of`, `dimensions`
    /// and `parties` (lead first, then the participants; comma-separated). Throws
    /// `.invalidMessage` when the event carries no spec: a proposal is never recorded without
    /// its terms. O(spec size).
    public func proposalDetails() throws -> [String: Audit.Value] {
        guard let spec else {
            throw NodeError(.invalidMessage, "study.proposed for \(study) needs the spec to record what was proposed")
        }
        let digest = SHA256.hash(data: try spec.canonicalJSON()).map { String(format: "%02x", $0) }.joined()
        return [
            "spec_sha256": .string(digest),
            "kind": .string(spec.kind.rawValue),
            "epsilon": .string(String(spec.privacy.epsilon)),
            "delta": .string(String(spec.privacy.delta)),
            "as_of": .string(spec.asOf.description),
            "dimensions": .string(spec.dimensions.map(\.rawValue).joined(separator: ",")),
            "parties": .string(([lead] + spec.participants.filter { $0 != lead }).joined(separator: ",")),
        ]
    }
}
