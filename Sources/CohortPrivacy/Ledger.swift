public import Foundation

extension Privacy {
    /// Pure budget-ledger logic: a node's per-purpose policy, and the grant/refuse decision for a
    /// new spend given the purpose's history. Persistence (one IMMEDIATE write transaction per
    /// decision) is the store's job: call ``decide(policy:history:request:)`` inside
    /// `chargeBudget(purpose:study:at:decide:)` and insert the granted spend.
    ///
    /// Composition across spends is done on the costs (ρ's and RDP curves add, then one
    /// conversion to ε at the policy δ), never by adding ε's of approximate-DP releases.
    public enum Ledger {
        /// The caps for one purpose (e.g. `segmentation`).
        public struct PurposePolicy: Sendable, Hashable, Codable {
            /// Cap on the composed ε (nats) of all spends within a rolling window of `periodDays`.
            public var epsilonPerPeriod: Double
            /// Length of the rolling window, in days.
            public var periodDays: Int
            /// Cap on the composed ε (nats) of all spends of one study (any time).
            public var epsilonPerStudy: Double
            /// The δ at which composed costs are converted to ε (the total δ allowed).
            public var delta: Double

            /// Creates a policy.
            /// - Throws: `invalidParameter`/`nonFiniteParameter` for ε ≤ 0, days < 1, δ ∉ (0,1).
            public init(epsilonPerPeriod: Double, periodDays: Int, epsilonPerStudy: Double, delta: Double) throws {
                self.epsilonPerPeriod = epsilonPerPeriod
                self.periodDays = periodDays
                self.epsilonPerStudy = epsilonPerStudy
                self.delta = delta
                try validate()
            }

            /// Re-checks all fields (e.g. after decoding from a config file).
            public func validate() throws {
                try PrivacyError.requirePositive(epsilonPerPeriod, "epsilon_per_period")
                try PrivacyError.requirePositive(epsilonPerStudy, "epsilon_per_study")
                guard periodDays >= 1 else {
                    throw PrivacyError(.invalidParameter, "period_days must be ≥ 1, got \(periodDays)")
                }
                try PrivacyError.requireDelta(delta, "delta")
            }
        }

        /// One recorded spend (what the store persists in `budget_spends`).
        public struct Spend: Sendable, Hashable, Codable {
            /// The study that spent.
            public var study: String
            /// When it was charged.
            public var at: Date
            /// What it cost (store its ``Cost/jsonString()`` in `cost_json`).
            public var cost: Cost

            /// Creates a spend record.
            public init(study: String, at: Date, cost: Cost) {
                self.study = study
                self.at = at
                self.cost = cost
            }

            /// This spend's own ε at `delta` (for the `epsilon` column; composition uses `cost`).
            public func epsilon(delta: Double) throws -> Double { try cost.epsilon(delta: delta) }

            /// Rebuilds a spend from the store's row (`cost_json` as written by ``columns(delta:)``).
            /// - Throws: `invalidEncoding` for a malformed cost.
            public init(study: String, at: Date, costJSON: String) throws {
                self.init(study: study, at: at, cost: try Cost(jsonString: costJSON))
            }

            /// The values of a `budget_spends` row: standalone ε at the policy δ, δ, ρ (if any),
            /// mechanism name and the stable cost JSON. Composition always uses `costJSON`.
            public func columns(delta: Double) throws -> Columns {
                Columns(epsilon: try cost.epsilon(delta: delta), delta: delta, rho: cost.rho,
                        mechanism: cost.mechanism.rawValue, costJSON: try cost.jsonString())
            }
        }

        /// The scalar columns the store keeps next to each spend (for queries and audit details).
        public struct Columns: Sendable, Hashable, Codable {
            /// This spend's own ε (nats) at `delta`.
            public var epsilon: Double
            /// The δ the ε is stated at (the policy δ).
            public var delta: Double
            /// ρ (zCDP, nats) where it applies.
            public var rho: Double?
            /// Mechanism name (`discrete-gaussian`, …).
            public var mechanism: String
            /// ``Cost/jsonString()`` — the authoritative record used for composition.
            public var costJSON: String
        }

        /// Why a request was refused.
        public enum RefusalReason: String, Sendable, Hashable, Codable {
            /// The rolling-period cap would be exceeded.
            case periodCapExceeded = "period-cap-exceeded"
            /// The per-study cap would be exceeded.
            case studyCapExceeded = "study-cap-exceeded"
            /// The policy, the request or a recorded cost is invalid (see the message).
            case invalid
        }

        /// Remaining budget (ε, nats) before the request, for the refusal message and status.
        public struct Remaining: Sendable, Hashable, Codable {
            /// Period cap minus the composed ε of the spends in the current window (≥ 0).
            public var period: Double
            /// Study cap minus the composed ε of the study's spends (≥ 0).
            public var study: Double
        }

        /// A refusal: reason, remaining budget and a sentence for the operator.
        public struct Refusal: Sendable, Hashable {
            /// Why.
            public var reason: RefusalReason
            /// What is left (ε).
            public var remaining: Remaining
            /// ε the request alone would cost at the policy δ (`nil` if it could not be computed).
            public var requestedEpsilon: Double?
            /// Human-readable explanation.
            public var message: String
        }

        /// The outcome of a charge request.
        public enum Decision: Sendable, Hashable {
            /// Record `spend` (and audit it) before releasing anything.
            case granted(Spend)
            /// Write nothing.
            case refused(Refusal)

            /// The granted spend, or `nil` when refused (the shape `chargeBudget`'s closure returns).
            public var grantedSpend: Spend? {
                if case .granted(let s) = self { return s }
                return nil
            }
        }

        /// Decides whether `request` fits the policy given `history` (all spends of the purpose).
        ///
        /// The period window is `(request.at − periodDays, request.at]` plus any spends dated
        /// after `request.at` (counted conservatively). Complexity: O(history × orders).
        public static func decide(policy: PurposePolicy, history: [Spend], request: Spend) -> Decision {
            do {
                try policy.validate()
            } catch {
                return .refused(Refusal(reason: .invalid, remaining: Remaining(period: 0, study: 0), requestedEpsilon: nil, message: "invalid purpose policy: \(error)"))
            }
            let windowStart = request.at.addingTimeInterval(-Double(policy.periodDays) * 86_400)
            let inWindow = history.filter { $0.at > windowStart }
            let ofStudy = history.filter { $0.study == request.study }
            do {
                let requested = try request.cost.epsilon(delta: policy.delta)
                let periodBefore = try Cost.composition(inWindow.map(\.cost)).epsilon(delta: policy.delta)
                let studyBefore = try Cost.composition(ofStudy.map(\.cost)).epsilon(delta: policy.delta)
                let remaining = Remaining(
                    period: Swift.max(0, policy.epsilonPerPeriod - periodBefore),
                    study: Swift.max(0, policy.epsilonPerStudy - studyBefore))
                let periodAfter = try Cost.composition(inWindow.map(\.cost) + [request.cost]).epsilon(delta: policy.delta)
                if periodAfter > policy.epsilonPerPeriod {
                    return .refused(Refusal(reason: .periodCapExceeded, remaining: remaining, requestedEpsilon: requested,
                        message: "study \(request.study) asks for ε = \(format(requested)) (δ = \(policy.delta)); the \(policy.periodDays)-day window would reach ε = \(format(periodAfter)) > cap \(format(policy.epsilonPerPeriod)); remaining ε = \(format(remaining.period))"))
                }
                let studyAfter = try Cost.composition(ofStudy.map(\.cost) + [request.cost]).epsilon(delta: policy.delta)
                if studyAfter > policy.epsilonPerStudy {
                    return .refused(Refusal(reason: .studyCapExceeded, remaining: remaining, requestedEpsilon: requested,
                        message: "study \(request.study) asks for ε = \(format(requested)) (δ = \(policy.delta)); the study would reach ε = \(format(studyAfter)) > per-study cap \(format(policy.epsilonPerStudy)); remaining ε = \(format(remaining.study))"))
                }
                return .granted(request)
            } catch {
                return .refused(Refusal(reason: .invalid, remaining: Remaining(period: 0, study: 0), requestedEpsilon: nil, message: "cannot account for the request: \(error)"))
            }
        }

        /// Spent and remaining ε for one purpose in the current rolling window.
        public struct Status: Sendable, Hashable, Codable {
            /// Start of the window (exclusive).
            public var windowStart: Date
            /// End of the window (`at`).
            public var windowEnd: Date
            /// Number of spends in the window.
            public var spends: Int
            /// Composed ε of the spends in the window at the policy δ.
            public var spentEpsilon: Double
            /// Period cap minus spent (≥ 0).
            public var remainingEpsilon: Double
            /// The cap.
            public var capEpsilon: Double
            /// The δ used.
            public var delta: Double
            /// Composed ρ of the window when every spend has one.
            public var spentRho: Double?
        }

        /// The status of a purpose at time `at`. O(history × orders).
        /// - Throws: invalid policy or incompatible recorded costs.
        public static func status(policy: PurposePolicy, history: [Spend], at: Date) throws -> Status {
            try policy.validate()
            let windowStart = at.addingTimeInterval(-Double(policy.periodDays) * 86_400)
            let inWindow = history.filter { $0.at > windowStart }
            let composed = try Cost.composition(inWindow.map(\.cost))
            let spent = try composed.epsilon(delta: policy.delta)
            return Status(windowStart: windowStart, windowEnd: at, spends: inWindow.count, spentEpsilon: spent,
                          remainingEpsilon: Swift.max(0, policy.epsilonPerPeriod - spent), capEpsilon: policy.epsilonPerPeriod,
                          delta: policy.delta, spentRho: composed.rho)
        }

        static func format(_ x: Double) -> String {
            let r = (x * 10_000).rounded() / 10_000
            return "\(r)"
        }
    }
}
