import CohortStudy
import CohortCore
public import CohortAudit
public import CohortStore
public import CohortWire
import Foundation
public import GRPCCore

/// The operator's control surface of a running node, served on the admin Unix socket.
public struct AdminService: Cohort_Admin_V1_AdminService.SimpleServiceProtocol {
    /// The node's study engine.
    public let engine: StudyEngine
    /// Renders the status document (identity, peers, studies, budget).
    public let status: @Sendable (_ probePeers: Bool) async throws -> NodeStatus
    /// The node's store, for consent changes and erasures while it runs.
    public let store: NodeStore
    /// The node's audit log (the running node is its one writer).
    public let audit: any AuditRecording

    /// Creates the service.
    public init(
        engine: StudyEngine, store: NodeStore, audit: any AuditRecording,
        status: @escaping @Sendable (_ probePeers: Bool) async throws -> NodeStatus
    ) {
        self.engine = engine
        self.store = store
        self.audit = audit
        self.status = status
    }

    public func recordConsent(request: Cohort_Admin_V1_RecordConsentRequest, context: ServerContext) async throws -> Cohort_Admin_V1_RecordConsentResponse {
        do {
            let purpose = try Purpose.parse(request.purpose)
            guard let action = ConsentAction(rawValue: request.action) else {
                throw RPCError(code: .invalidArgument, message: "action '\(request.action)' must be grant or withdraw")
            }
            let at = try CivilTime.checkedDate(unixSeconds: request.at, what: "RecordConsent.at")
            let event = try await store.recordConsent(
                customerID: request.customerID, purpose: purpose, action: action, at: at,
                method: request.method.isEmpty ? nil : request.method,
                policyVersion: request.policyVersion.isEmpty ? nil : request.policyVersion,
                actor: request.actor.isEmpty ? "operator" : request.actor, audit: audit)
            var response = Cohort_Admin_V1_RecordConsentResponse()
            response.eventJson = try JSONSerialization.data(withJSONObject: [
                "customer_id": event.customerID, "purpose": event.purpose.rawValue, "action": event.action.rawValue,
                "at": CivilTime.unixSeconds(event.at),
            ], options: [.sortedKeys])
            return response
        } catch let error as StoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as CoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
    }

    public func eraseCustomer(request: Cohort_Admin_V1_EraseCustomerRequest, context: ServerContext) async throws -> Cohort_Admin_V1_EraseCustomerResponse {
        do {
            let report = try await store.eraseCustomer(
                customerID: request.customerID, actor: request.actor.isEmpty ? "operator" : request.actor, audit: audit)
            var response = Cohort_Admin_V1_EraseCustomerResponse()
            response.pseudonym = report.pseudonym
            response.transactionsDeleted = Int64(report.transactionsDeleted)
            response.consentEventsDeleted = Int64(report.consentEventsDeleted)
            return response
        } catch let error as StoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        } catch let error as CoreError {
            throw RPCError(code: .invalidArgument, message: error.description)
        }
    }

    public func status(request: Cohort_Admin_V1_StatusRequest, context: ServerContext) async throws -> Cohort_Admin_V1_StatusResponse {
        var response = Cohort_Admin_V1_StatusResponse()
        response.statusJson = try NodeStatus.encoder.encode(try await status(request.probePeers))
        return response
    }

    public func proposeStudy(request: Cohort_Admin_V1_AdminProposeRequest, context: ServerContext) async throws -> Cohort_Admin_V1_AdminProposeResponse {
        let spec: Study.Spec
        do {
            spec = try Study.Spec.load(yaml: String(decoding: request.spec, as: UTF8.self))
        } catch {
            throw RPCError(code: .invalidArgument, message: "invalid study spec: \(error)")
        }
        var response = Cohort_Admin_V1_AdminProposeResponse()
        switch await engine.lead(spec) {
        case .completed(let result, let json, _):
            response.studyID = result.study
            response.state = "completed"
            response.resultJson = json
        case .failed(let study, let reason):
            response.studyID = study
            response.state = "failed"
            response.reason = reason
        }
        return response
    }

    public func decideStudy(request: Cohort_Admin_V1_DecideStudyRequest, context: ServerContext) async throws -> Cohort_Admin_V1_DecideStudyResponse {
        do {
            var response = Cohort_Admin_V1_DecideStudyResponse()
            response.state = try await engine.decide(
                study: request.studyID, approve: request.approve,
                reason: request.reason.isEmpty ? "no reason given" : request.reason)
            return response
        } catch let error as NodeError {
            throw RPCError(code: error.code == .unknownStudy ? .notFound : .failedPrecondition, message: error.message)
        }
    }

    public func listStudies(request: Cohort_Admin_V1_ListStudiesRequest, context: ServerContext) async throws -> Cohort_Admin_V1_ListStudiesResponse {
        var response = Cohort_Admin_V1_ListStudiesResponse()
        response.studiesJson = try NodeStatus.encoder.encode(await engine.studies())
        return response
    }

    public func showStudy(request: Cohort_Admin_V1_ShowStudyRequest, context: ServerContext) async throws -> Cohort_Admin_V1_ShowStudyResponse {
        var response = Cohort_Admin_V1_ShowStudyResponse()
        if let detail = await engine.detail(study: request.studyID) {
            response.found = true
            response.detailJson = try StudyDetail.encoder.encode(detail)
        }
        return response
    }
}

/// What `cohort node status` shows.
public struct NodeStatus: Codable, Sendable {
    /// Node name.
    public var node: String
    /// Consortium name.
    public var consortium: String
    /// `production` or `simulation`.
    public var mode: String
    /// Process id of the running node.
    public var pid: Int32
    /// Bound peer port.
    public var peerPort: Int
    /// Configured peers and whether they answered Hello.
    public var peers: [Peer]
    /// Studies known to this node.
    public var studies: [StudySummary]
    /// Budget per purpose.
    public var budget: [NodeBudget.Line]
    /// Audit log size (entries).
    public var auditEntries: UInt64?
    /// Set when the audit writer found entries it did not write (or another mismatch between the
    /// database and its own tree): it then signs nothing more and refuses every append, so every
    /// audited action stops until an operator investigates. Nil while the log is sound.
    public var auditAlert: String? = nil

    /// One configured peer.
    public struct Peer: Codable, Sendable {
        /// Peer name.
        public var name: String
        /// Configured address.
        public var address: String
        /// Whether it answered Hello (nil when not probed).
        public var reachable: Bool?
        /// Why not, when unreachable.
        public var error: String?
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}
