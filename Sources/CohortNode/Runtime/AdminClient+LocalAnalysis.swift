public import CohortCore
public import CohortStore
import CohortWire
public import Foundation
import GRPCCore

extension AdminClient {
    /// Runs a node-local analysis in the running node (which reads the data and audits the
    /// access) and passes each output chunk to `receive`, in order.
    public func localAnalysis(
        _ request: LocalAnalysis.Request, receive: @escaping @Sendable (Data) async throws -> Void
    ) async throws {
        var message = Cohort_Admin_V1_LocalAnalysisRequest()
        message.command = request.command.rawValue
        message.asOf = request.asOf
        message.purpose = request.purpose?.rawValue ?? ""
        message.actor = request.actor
        message.k = Int32(request.k ?? 0)
        message.seed = request.seed
        message.json = request.json
        message.spec = Data((request.spec ?? "").utf8)
        message.parties = Int32(clamping: request.parties ?? 0)
        message.study = request.study ?? ""
        message.top = Int32(clamping: request.top ?? 0)
        try await stub.localAnalysis(message, options: options) { response in
            for try await chunk in response.messages {
                try await receive(chunk.data)
            }
        }
    }

    /// Consent counts per purpose as of `asOf`, read by the running node.
    public func consentStatus(purpose: Purpose?, asOf: Date) async throws -> [ConsentStatusCounts] {
        var request = Cohort_Admin_V1_ConsentStatusRequest()
        request.purpose = purpose?.rawValue ?? ""
        request.asOf = try CivilTime.checkedUnixSeconds(asOf, what: "consent status time (as of)")
        let response = try await stub.consentStatus(request, options: options)
        guard let rows = try? JSONSerialization.jsonObject(with: response.countsJson) as? [[String: Any]] else {
            throw NodeError(.invalidMessage, "ConsentStatus: the node's answer is not a JSON array of objects")
        }
        return try rows.map { row in
            guard let name = row["purpose"] as? String, let purpose = Purpose(rawValue: name),
                  let granted = row["granted"] as? Int, let withdrawn = row["withdrawn"] as? Int,
                  let neverAsked = row["never_asked"] as? Int else {
                throw NodeError(.invalidMessage, "ConsentStatus: malformed row \(row)")
            }
            return ConsentStatusCounts(purpose: purpose, granted: granted, withdrawn: withdrawn, neverAsked: neverAsked)
        }
    }

    /// Asks the running node to sign a checkpoint of its audit log now.
    /// - Returns: the signed checkpoint (C2SP signed-note text).
    public func signCheckpoint() async throws -> String {
        try await stub.signCheckpoint(Cohort_Admin_V1_SignCheckpointRequest(), options: options).checkpoint
    }
}
