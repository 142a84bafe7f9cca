import CohortCore
import CohortAudit
import CohortStore
public import CohortWire
import Foundation
public import GRPCCore

/// The admin RPCs that let the node-local commands (`analyze`, `data features`, `privacy plan`,
/// `study apply`, `consent status`, `audit checkpoint`) work while the node runs: the node reads its own data
/// and writes the audit entries, because it is the audit log's one writer.
extension AdminService {
    /// Runs a local analysis on the node's data (audited by the node) and streams its output.
    public func localAnalysis(
        request: Cohort_Admin_V1_LocalAnalysisRequest, response: RPCWriter<Cohort_Admin_V1_LocalAnalysisChunk>,
        context: ServerContext
    ) async throws {
        let local = try Self.localRequest(request)
        do {
            let config = try store.loadConfig()
            try await LocalAnalysis.run(local, store: store, config: config, audit: audit) { data in
                var chunk = Cohort_Admin_V1_LocalAnalysisChunk()
                chunk.data = data
                try await response.write(chunk)
            }
        } catch let error as NodeError {
            // An unknown study is `notFound`, which the CLI reports as its own (exit 66).
            throw RPCError(code: error.code == .unknownStudy ? .notFound : .invalidArgument, message: error.message)
        } catch let error as StoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as CoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
    }

    /// Consent counts per purpose as of the requested time. Read-only, not audited (no customer rows).
    public func consentStatus(request: Cohort_Admin_V1_ConsentStatusRequest, context: ServerContext) async throws -> Cohort_Admin_V1_ConsentStatusResponse {
        do {
            let purpose = try request.purpose.isEmpty ? nil : Purpose.parse(request.purpose)
            let at = try CivilTime.checkedDate(unixSeconds: request.asOf, what: "ConsentStatus.as_of")
            let rows = try store.consentStatus(purpose: purpose, asOf: at)
            var response = Cohort_Admin_V1_ConsentStatusResponse()
            response.countsJson = try JSONSerialization.data(withJSONObject: rows.map {
                ["purpose": $0.purpose.rawValue, "granted": $0.granted, "withdrawn": $0.withdrawn, "never_asked": $0.neverAsked] as [String: Any]
            }, options: [.sortedKeys])
            return response
        } catch let error as StoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as CoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
    }

    /// Signs a checkpoint of the node's audit log now.
    public func signCheckpoint(request: Cohort_Admin_V1_SignCheckpointRequest, context: ServerContext) async throws -> Cohort_Admin_V1_SignCheckpointResponse {
        guard let log = audit as? Audit.Log else {
            throw RPCError(code: .unimplemented, message: "this node's audit recorder cannot sign checkpoints")
        }
        var response = Cohort_Admin_V1_SignCheckpointResponse()
        response.checkpoint = try await log.signCheckpoint().serialized
        return response
    }

    /// The wire request as a ``LocalAnalysis/Request``, or `invalidArgument`.
    static func localRequest(_ request: Cohort_Admin_V1_LocalAnalysisRequest) throws -> LocalAnalysis.Request {
        guard let command = LocalAnalysis.Command(rawValue: request.command) else {
            throw RPCError(code: .invalidArgument, message: "unknown local analysis '\(request.command)'; known: \(LocalAnalysis.Command.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let purpose: Purpose?
        do {
            purpose = try request.purpose.isEmpty ? nil : Purpose.parse(request.purpose)
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(error)")
        }
        guard (0...50).contains(request.k) else {
            throw RPCError(code: .invalidArgument, message: "k \(request.k) must be in 1…50 (0: automatic)")
        }
        guard request.parties >= 0, request.parties <= 1000 else {
            throw RPCError(code: .invalidArgument, message: "parties \(request.parties) must be in 1…1000 (0: from the spec)")
        }
        guard request.top >= 0 else {
            throw RPCError(code: .invalidArgument, message: "top \(request.top) must be at least 1 (0: every customer)")
        }
        return LocalAnalysis.Request(
            command: command, asOf: request.asOf, purpose: purpose,
            actor: request.actor.isEmpty ? "operator" : request.actor, k: request.k == 0 ? nil : Int(request.k),
            seed: request.seed, json: request.json,
            spec: request.spec.isEmpty ? nil : String(decoding: request.spec, as: UTF8.self),
            parties: request.parties == 0 ? nil : Int(request.parties),
            study: request.study.isEmpty ? nil : request.study, top: request.top == 0 ? nil : Int(request.top))
    }
}
