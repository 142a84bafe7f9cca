public import CohortCore
import CohortStore
import Foundation

extension Scenario {
    /// Something injected at a named point of the scenario.
    public struct Event: Sendable {
        /// When it happens.
        public var point: Point
        /// What happens.
        public var action: Action
        /// Its line in the file (for the timeline).
        public var line: Int?
    }

    /// A named point of a scenario.
    public enum Point: Sendable, Hashable, CustomStringConvertible {
        /// Before the named study is proposed.
        case before(String)
        /// After the named study has ended (published or failed).
        case after(String)
        /// While round `round` (1-based) of the named study runs: round 1 as soon as the lead
        /// knows the study (from its proposal on, while the participants decide and
        /// contribute), a later round once the lead reports it. On a fast study the round may
        /// already be over when the event lands; it then runs right after the study and the
        /// report says so.
        case during(String, round: Int)

        /// The study the point refers to.
        public var study: String {
            switch self {
            case .before(let s), .after(let s), .during(let s, _): return s
            }
        }

        /// `before segments`, `after segments`, `round 1 of segments`.
        public var description: String {
            switch self {
            case .before(let s): return "before \(s)"
            case .after(let s): return "after \(s)"
            case .during(let s, let r): return "round \(r) of \(s)"
            }
        }
    }

    /// A certificate a hostile peer presents.
    public enum BadCertificate: String, Sendable, CaseIterable {
        /// Issued by the consortium CA for a configured peer, expired an hour ago.
        case expired
        /// Issued by a CA outside the trust bundle.
        case unknownCA = "unknown-ca"
        /// Issued by the consortium CA for a configured peer, listed in the target's revocation list.
        case revoked
        /// Issued by the consortium CA for a node that is not one of the target's peers.
        case wrongName = "wrong-name"

        /// The refusal code the target records for it (`peer.refused` `code`).
        public var refusalCode: String {
            switch self {
            case .expired: return "expired"
            case .unknownCA: return "unknown-authority"
            case .revoked: return "revoked"
            case .wrongName: return "unknown-peer"
            }
        }
    }

    /// What a malformed burst sends on each connection.
    public enum MalformedKind: String, Sendable, CaseIterable {
        /// Random bytes that are not TLS.
        case garbage
        /// A TLS record header declaring a record far above the 16 KiB TLS limit, then filler.
        case oversized
    }

    /// A study proposed to exceed one party's remaining budget.
    public struct OverBudgetProbe: Sendable, Hashable {
        /// Name of the probe (expectations refer to it like a study).
        public var name: String
        /// The party whose budget it exceeds.
        public var party: String
        /// The party that proposes it.
        public var lead: String
        /// The purpose charged.
        public var purpose: Purpose
    }

    /// What an event does.
    public enum Action: Sendable, Hashable, CustomStringConvertible {
        /// `kill -9` the party's node; restart it after `restartAfter` seconds when set.
        case kill(party: String, restartAfter: Double?)
        /// SIGSTOP the node, SIGCONT it `seconds` later (at most 120).
        case pause(party: String, seconds: Double)
        /// Withdraw consent for `purpose` of `share` (0…1] of the party's consenting customers.
        case withdrawConsent(party: String, purpose: Purpose, share: Double)
        /// Erase `customers` of the party's customers (chosen by the run's seed).
        case erase(party: String, customers: Int)
        /// Connect to `target`'s peer port presenting each certificate.
        case badCertificates(target: String, kinds: [BadCertificate])
        /// Open `connections` connections to `target`'s peer port and send `bytes` of junk on each.
        case malformedBurst(target: String, kind: MalformedKind, connections: Int, bytes: Int)
        /// Propose a study costing more than the party's remaining budget.
        case overBudget(OverBudgetProbe)

        /// A short description for the timeline.
        public var description: String {
            switch self {
            case .kill(let p, let r): return "kill -9 \(p)" + (r.map { String(format: ", restart after %.1f s", $0) } ?? "")
            case .pause(let p, let s): return String(format: "pause %@ (SIGSTOP) for %.1f s", p, s)
            case .withdrawConsent(let p, let purpose, let share):
                return String(format: "%@: %.0f%% of consenting customers withdraw %@", p, share * 100, purpose.rawValue)
            case .erase(let p, let n): return "\(p): erase \(n) customers"
            case .badCertificates(let t, let kinds): return "hostile peer presents \(kinds.map(\.rawValue).joined(separator: ", ")) certificates to \(t)"
            case .malformedBurst(let t, let k, let n, let b): return "\(n) \(k.rawValue) connections of \(b) bytes to \(t)"
            case .overBudget(let probe): return "\(probe.lead) proposes '\(probe.name)' over \(probe.party)'s \(probe.purpose.rawValue) budget"
            }
        }

        /// The party the action is aimed at.
        public var party: String {
            switch self {
            case .kill(let p, _), .pause(let p, _), .withdrawConsent(let p, _, _), .erase(let p, _): return p
            case .badCertificates(let t, _), .malformedBurst(let t, _, _, _): return t
            case .overBudget(let probe): return probe.party
            }
        }
    }
}
