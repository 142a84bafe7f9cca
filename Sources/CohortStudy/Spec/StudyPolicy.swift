public import CohortCore
import Foundation
extension Study {
    /// A participant node's policy for accepting studies (from its `cohort.yaml` privacy and
    /// studies sections). ``decide(_:remainingPeriodEpsilon:consentingCustomers:)`` is pure: the
    /// caller supplies the remaining budget (from the ledger) and the consenting-customer count
    /// (metadata only — no customer rows are read before a study is accepted).
    public struct Policy: Sendable, Hashable {
        /// Allowed purposes and their per-study ε cap. A purpose not listed is refused.
        public var epsilonPerStudy: [Purpose: Double]
        /// Largest δ the node accepts.
        public var maxDelta: Double
        /// Fewest consenting customers (for the study's purpose, as of its start) to take part.
        public var minConsentingCustomers: Int
        /// Accept automatically when every check passes; otherwise queue for the operator.
        public var autoApprove: Bool
        /// The node's custom category attributes (config `data.attributes`): name → declared
        /// categories. A study with an `attribute:<name>` dimension the node lacks (or whose
        /// categories it does not declare) is refused at proposal.
        public var categoryAttributes: [String: [String]] = [:]
        /// The node's custom integer and boolean attributes (config `data.attributes`), usable
        /// as `attribute:<name>` mean measures. A study averaging one the node lacks is refused.
        public var numericAttributes: Set<String> = []
        /// The node's reporting currency (`data.reporting_currency`), ISO 4217; nil when unset.
        /// A study of a money measure in another currency, or on a node without one, is refused.
        public var reportingCurrency: String? = nil

        /// Creates a policy.
        public init(
            epsilonPerStudy: [Purpose: Double], maxDelta: Double, minConsentingCustomers: Int,
            autoApprove: Bool
        ) {
            self.epsilonPerStudy = epsilonPerStudy
            self.maxDelta = maxDelta
            self.minConsentingCustomers = minConsentingCustomers
            self.autoApprove = autoApprove
        }

        /// The outcome of a policy check.
        public enum Decision: Sendable, Hashable {
            /// Take part.
            case accept
            /// Refuse, with the reason sent back to the lead.
            case reject(Rejection)
            /// Every check passed but the operator must approve (auto-approve is off).
            case queue
        }

        /// Why a study was refused.
        public enum Rejection: Sendable, Hashable, Codable, CustomStringConvertible {
            /// The node does not take part in studies of this purpose.
            case purposeNotAllowed(Purpose)
            /// The study asks for more ε than the per-study cap.
            case epsilonAboveStudyCap(requested: Double, cap: Double)
            /// The study's δ is larger than the node accepts.
            case deltaAbovePolicy(requested: Double, maximum: Double)
            /// The remaining ε of the purpose's period is smaller than the study's ε.
            case insufficientBudget(requested: Double, remaining: Double)
            /// Too few customers consented to the purpose. `available` is exact and stays on the
            /// node: ``description`` (sent to the lead) does not state it.
            case tooFewConsentingCustomers(available: Int, required: Int)
            /// The operator refused the study.
            case operatorRejected(String)
            /// The spec uses a custom attribute this node does not have as a category, or
            /// categories this node does not declare (the reason).
            case attributeUnavailable(String)
            /// The proposal itself is not acceptable to this node (not listed, reused id, …).
            case invalidProposal(String)
            /// The study's money measure is in a currency this node does not report in.
            case currencyMismatch(String)

            /// A sentence for the lead and the audit log. It never states a data-dependent figure
            /// (such as the exact number of consenting customers).
            public var description: String {
                switch self {
                case .purposeNotAllowed(let p): return "purpose \(p.rawValue) is not allowed by this node's policy"
                case .epsilonAboveStudyCap(let r, let c):
                    return "ε \(Self.figure(r)) exceeds the per-study cap \(Self.figure(c))"
                case .deltaAbovePolicy(let r, let m): return "δ \(Self.figure(r)) exceeds the node's maximum \(Self.figure(m))"
                case .insufficientBudget(let r, let rem):
                    return "ε \(Self.figure(r)) exceeds the remaining period budget \(Self.figure(rem))"
                case .tooFewConsentingCustomers(_, let r):
                    return "fewer consenting customers than this node's minimum of \(r)"
                case .operatorRejected(let reason): return "rejected by the operator: \(reason)"
                case .attributeUnavailable(let reason): return reason
                case .invalidProposal(let reason): return "invalid proposal: \(reason)"
                case .currencyMismatch(let reason): return reason
                }
            }

            /// A budget figure as a person writes it: at most 6 significant digits, so that
            /// ledger arithmetic (0.19999999999999996) reads as 0.2.
            static func figure(_ value: Double) -> String {
                guard value.isFinite else { return "\(value)" }
                let rounded = Double(String(format: "%.6g", value)) ?? value
                return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(format: "%.1f", rounded) : "\(rounded)"
            }
        }

        /// Decides on a study: purpose allowed, ε ≤ per-study cap, δ ≤ maximum, ε ≤ remaining
        /// period budget, enough consenting customers; then accept (auto-approve) or queue.
        public func decide(_ spec: Spec, remainingPeriodEpsilon: Double, consentingCustomers: Int) -> Decision {
            guard let cap = epsilonPerStudy[spec.purpose] else {
                return .reject(.purposeNotAllowed(spec.purpose))
            }
            if let name = spec.mean?.measure.attributeName, !numericAttributes.contains(name) {
                return .reject(.attributeUnavailable(
                    "the study averages the custom attribute '\(name)', which this node does not have as an integer or boolean attribute (data.attributes in its cohort.yaml)"))
            }
            for name in spec.attributeNames {
                guard let declared = categoryAttributes[name] else {
                    return .reject(.attributeUnavailable(
                        "the study uses the custom attribute '\(name)', which this node does not have as a category attribute (data.attributes in its cohort.yaml)"))
                }
                let missing = (spec.attributeValues[name] ?? []).filter { !declared.contains($0) }
                guard missing.isEmpty else {
                    return .reject(.attributeUnavailable(
                        "the study's categories \(missing.joined(separator: ", ")) of attribute '\(name)' are not declared by this node (it has: \(declared.joined(separator: ", ")))"))
                }
            }
            if let currency = spec.mean?.currency {
                guard let reporting = reportingCurrency else {
                    return .reject(.currencyMismatch(
                        "the study's amounts are in \(currency), and this node has no reporting currency (data.reporting_currency in its cohort.yaml)"))
                }
                guard reporting == currency else {
                    return .reject(.currencyMismatch(
                        "the study's amounts are in \(currency), and this node reports in \(reporting); amounts in different currencies are never summed"))
                }
            }
            let epsilon = spec.privacy.epsilon
            guard epsilon <= cap else { return .reject(.epsilonAboveStudyCap(requested: epsilon, cap: cap)) }
            guard spec.privacy.delta <= maxDelta else {
                return .reject(.deltaAbovePolicy(requested: spec.privacy.delta, maximum: maxDelta))
            }
            guard remainingPeriodEpsilon.isFinite, epsilon <= remainingPeriodEpsilon else {
                return .reject(.insufficientBudget(requested: epsilon, remaining: remainingPeriodEpsilon))
            }
            guard consentingCustomers >= minConsentingCustomers else {
                return .reject(.tooFewConsentingCustomers(available: consentingCustomers, required: minConsentingCustomers))
            }
            return autoApprove ? .accept : .queue
        }
    }
}
