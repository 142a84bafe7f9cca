import CohortCore
import ArgumentParser
import CohortAudit
import CohortNode
import CohortStore
import Foundation

/// The documented exit statuses of `cohort` (README, "Exit codes"). Stable: scripts may rely on them.
enum CLIExitStatus: Int32, CaseIterable, Sendable {
    /// The command did what it was asked.
    case success = 0
    /// The command ran and the action failed (a study failed, a log is broken, an I/O error).
    case failed = 1
    /// Bad arguments or options; the usage is printed.
    case usage = 64
    /// The named node, study, customer, entry or file does not exist.
    case notFound = 66
    /// The command needs a running node and none answers on the node's admin socket.
    case unavailable = 69
    /// The node's policy or state refuses the action (budget, a stopped node needed, already imported).
    case refused = 77

    /// The status for an error thrown by a command, or nil to let ArgumentParser decide
    /// (usage errors: 64, `ExitCode`: its own value, anything else: 1).
    static func of(_ error: any Error) -> CLIExitStatus? {
        switch error {
        case let error as CLIError:
            return error.status
        case let error as NodeError:
            switch error.code {
            case .adminUnavailable: return .unavailable
            case .unknownStudy: return .notFound
            case .budgetExceeded, .contributionRefused, .directoryNotEmpty: return .refused
            case .invalidArgument: return .usage
            default: return .failed
            }
        case let error as StoreError:
            switch error.code {
            case .notANode, .unknownCustomer: return .notFound
            case .invalidArgument: return .usage
            case .alreadyImported, .directoryNotEmpty: return .refused
            default: return .failed
            }
        case is CoreError:
            return .usage
        case let error as AuditError:
            switch error.code {
            case .unknownSubject, .outOfRange: return .notFound
            case .logLocked: return .refused
            default: return .failed
            }
        default:
            return nil
        }
    }
}

/// An error of the CLI itself with the exit status it maps to (see ``CLIExitStatus``).
struct CLIError: Error, CustomStringConvertible, Sendable {
    /// The exit status.
    var status: CLIExitStatus
    /// What went wrong, naming what and where.
    var message: String

    /// Something named does not exist (exit 66).
    static func notFound(_ message: String) -> CLIError { CLIError(status: .notFound, message: message) }
    /// The node refuses (exit 77).
    static func refused(_ message: String) -> CLIError { CLIError(status: .refused, message: message) }
    /// The action failed (exit 1).
    static func failed(_ message: String) -> CLIError { CLIError(status: .failed, message: message) }

    var description: String { message }
}
