import CohortStudy
import CohortCore
public import CohortAudit
import Crypto
import Foundation

extension StudyAuditEvent {
    /// The terms `study.proposed` records as agreed: the SHA-256 hex of the spec's canonical
    /// JSON, its kind, ε, δ, as-of date and dimensions, and the parties (lead first, then the
    /// participants). Throws `.invalidMessage` when the event carries no spec: a proposal is
    /// never recorded without its terms. O(spec size).
    public func proposalTerms() throws -> Audit.StudyTerms {
        guard let spec else {
            throw NodeError(.invalidMessage, "study.proposed for \(study) needs the spec to record what was proposed")
        }
        let digest = SHA256.hash(data: try spec.canonicalJSON()).map { String(format: "%02x", $0) }.joined()
        return Audit.StudyTerms(
            specSHA256: digest, kind: spec.kind.rawValue, epsilon: spec.privacy.epsilon, delta: spec.privacy.delta,
            asOf: spec.asOf.description, dimensions: spec.dimensions.map(\.rawValue),
            parties: [lead] + spec.participants.filter { $0 != lead })
    }
}
