public import CohortStudy
import CohortNode
import Foundation

extension Scenario {
    /// One study of a scenario: who leads it, who takes part, and its spec.
    public struct StudyPlan: Sendable {
        /// The study's name in the scenario (events and expectations refer to it).
        public var name: String
        /// A title for the report (default: the name).
        public var title: String
        /// The lead party.
        public var lead: String
        /// The other parties (every other party by default).
        public var participants: [String]
        /// The validated spec (participants filled in, no id: the runner assigns one per run).
        public var spec: Study.Spec

        /// Number of protocol rounds of the spec's kind.
        public var rounds: Int { spec.rounds }
    }

    /// Study kinds the scenario format reserves: a scenario may name them, and validation says
    /// the runner does not support them yet (`evaluation` runs on the nodes, but the runner
    /// cannot yet name an earlier scenario study's per-run id as its `model_study`).
    public static let reservedStudyKinds = ["evaluation"]

    /// Spec keys the scenario format reserves for what is not built yet: validation says they
    /// are not supported by this node yet. None at present (`secure_aggregation` runs).
    public static let reservedSpecKeys: [String] = []
}
