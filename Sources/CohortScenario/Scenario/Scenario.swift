import CohortCore
import CohortNet
import CohortNode
import CohortStore
public import Foundation

/// Scenario files (`scenarios/*.yaml`): a simulated multi-party study — the parties and their
/// data, the studies in order, the faults injected on the way and the expectations checked at
/// the end. ``Scenario/load(text:file:baseDirectory:)`` parses and validates one;
/// ``ScenarioRunner`` runs it with real node processes. The format is documented in the README
/// ("Scenarios").
public enum Scenario {
    /// A validated scenario.
    public struct Definition: Sendable {
        /// The scenario's name (`name:`), used in reports and study ids.
        public var name: String
        /// A sentence for the report (`description:`).
        public var description: String
        /// Consortium name of the fresh PKI and every node.
        public var consortium: String
        /// As-of date of the synthetic data (`YYYY-MM-DD`).
        public var asOf: String
        /// The parties, in file order.
        public var parties: [Party]
        /// The studies, in the order they run.
        public var studies: [StudyPlan]
        /// The injected events, in file order.
        public var events: [Event]
        /// What must hold at the end.
        public var expectations: [Expectation]
        /// The directory relative data paths are resolved against (the file's folder).
        public var baseDirectory: URL

        /// The party named `name`.
        public func party(_ name: String) -> Party? { parties.first { $0.name == name } }

        /// The study (or over-budget probe) named `name`.
        public func study(_ name: String) -> StudyPlan? { studies.first { $0.name == name } }

        /// Names of everything an expectation may name as a study: the studies and the
        /// over-budget probes of the events.
        public var studyNames: [String] {
            studies.map(\.name) + events.compactMap {
                if case .overBudget(let probe) = $0.action { return probe.name }
                return nil
            }
        }
    }

    /// The purposes a study or consent rate may name.
    static let purposes = Purpose.allCases.map(\.rawValue)
}
