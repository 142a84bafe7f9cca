import CohortStore
public import CohortWire
public import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

#if canImport(Glibc)
import Glibc
#endif

/// The `cohort` CLI's connection to a running node's admin socket.
public struct AdminClient: Sendable {
    let stub: Cohort_Admin_V1_AdminService.Client<HTTP2ClientTransport.Posix>
    private let timeout: Duration

    /// The admin socket of a node directory: `<dir>/run/admin.sock`.
    public static func socketPath(nodeDirectory: String) -> String {
        URL(fileURLWithPath: nodeDirectory).appendingPathComponent("run").appendingPathComponent("admin.sock").path
    }

    /// Connects to the node running in `nodeDirectory`, runs `body`, and disconnects.
    /// - Parameter timeout: the deadline of each call (a study proposal runs to completion
    ///   within this time).
    /// - Throws: ``NodeError`` (`adminUnavailable`) when no node is running there.
    public static func withConnection<T: Sendable>(
        nodeDirectory: String, timeout: Duration = .seconds(3600), _ body: (AdminClient) async throws -> T
    ) async throws -> T {
        let path = socketPath(nodeDirectory: nodeDirectory)
        guard FileManager.default.fileExists(atPath: path) else {
            throw NodeError(.adminUnavailable,
                "no node is running in \(nodeDirectory) (no admin socket at \(path)); start it with `cohort node run --node \(nodeDirectory)`")
        }
        let transport = try HTTP2ClientTransport.Posix(target: .unixDomainSocket(path: path), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in
            let admin = AdminClient(stub: Cohort_Admin_V1_AdminService.Client(wrapping: client), timeout: timeout)
            do {
                return try await body(admin)
            } catch let error as RPCError {
                if error.code == .unavailable {
                    throw NodeError(.adminUnavailable, "the node in \(nodeDirectory) does not answer on \(path): \(error.message)")
                }
                if error.code == .notFound { throw NodeError(.unknownStudy, error.message) }
                if error.code == .failedPrecondition { throw NodeError(.refused, error.message) }
                throw NodeError(.invalidMessage, error.message)
            }
        }
    }

    /// The run info of the node serving `nodeDirectory`, or nil when none is running there
    /// (no `run/node.json`, or its process is gone).
    public static func runningNode(nodeDirectory: String) -> NodeRunInfo? {
        guard let info = try? NodeRunInfo.read(from: URL(fileURLWithPath: nodeDirectory)),
              kill(info.pid, 0) == 0,
              FileManager.default.fileExists(atPath: socketPath(nodeDirectory: nodeDirectory)) else { return nil }
        return info
    }

    /// Records a consent change in the running node's store and audit log.
    /// - Returns: the stored event as JSON text.
    public func recordConsent(
        customerID: String, purpose: String, action: String, at: Date, method: String?, policyVersion: String?,
        actor: String
    ) async throws -> String {
        var request = Cohort_Admin_V1_RecordConsentRequest()
        request.customerID = customerID
        request.purpose = purpose
        request.action = action
        request.at = try CivilTime.checkedUnixSeconds(at, what: "consent time (at)")
        request.method = method ?? ""
        request.policyVersion = policyVersion ?? ""
        request.actor = actor
        let response = try await stub.recordConsent(request, options: options)
        return String(decoding: response.eventJson, as: UTF8.self)
    }

    /// Erases a customer through the running node.
    /// - Returns: the pseudonym and the counts of deleted rows.
    public func eraseCustomer(customerID: String, actor: String) async throws -> (pseudonym: String, transactions: Int, consentEvents: Int) {
        var request = Cohort_Admin_V1_EraseCustomerRequest()
        request.customerID = customerID
        request.actor = actor
        let response = try await stub.eraseCustomer(request, options: options)
        return (response.pseudonym, Int(response.transactionsDeleted), Int(response.consentEventsDeleted))
    }

    var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }

    /// The node's status document.
    public func status(probePeers: Bool) async throws -> NodeStatus {
        var request = Cohort_Admin_V1_StatusRequest()
        request.probePeers = probePeers
        let response = try await stub.status(request, options: options)
        return try JSONDecoder().decode(NodeStatus.self, from: response.statusJson)
    }

    /// Proposes a study (YAML or JSON text) with the node as lead; waits for the outcome.
    public func propose(spec: String) async throws -> Cohort_Admin_V1_AdminProposeResponse {
        var request = Cohort_Admin_V1_AdminProposeRequest()
        request.spec = Data(spec.utf8)
        return try await stub.proposeStudy(request, options: options)
    }

    /// Approves or rejects a queued study; returns its state afterwards.
    public func decide(study: String, approve: Bool, reason: String) async throws -> String {
        var request = Cohort_Admin_V1_DecideStudyRequest()
        request.studyID = study
        request.approve = approve
        request.reason = reason
        return try await stub.decideStudy(request, options: options).state
    }

    /// Everything the running node knows about study `study`, or nil when it does not know it.
    public func study(_ study: String) async throws -> StudyDetail? {
        var request = Cohort_Admin_V1_ShowStudyRequest()
        request.studyID = study
        let response = try await stub.showStudy(request, options: options)
        guard response.found else { return nil }
        return try JSONDecoder().decode(StudyDetail.self, from: response.detailJson)
    }

    /// The studies the node knows.
    public func studies() async throws -> [StudySummary] {
        let response = try await stub.listStudies(Cohort_Admin_V1_ListStudiesRequest(), options: options)
        return try JSONDecoder().decode([StudySummary].self, from: response.studiesJson)
    }
}
