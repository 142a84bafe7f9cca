import CohortCore
import CohortLearning
import CohortScenario

/// The demo's partners as learning inputs (``CohortScenario/Synthetic/LearningParties``).
enum DemoParties {
    static func make(scale: Double, purpose: Purpose, seed: UInt64 = 7) throws -> [Learning.Customers] {
        try Synthetic.LearningParties.make(scale: scale, purpose: purpose, seed: seed)
    }

    /// Quarter-scale parties, generated once per test process.
    static let quarterSegmentation: [Learning.Customers] = (try? make(scale: 0.25, purpose: .segmentation)) ?? []
    /// Quarter-scale parties for model training.
    static let quarterTraining: [Learning.Customers] = (try? make(scale: 0.25, purpose: .modelTraining)) ?? []
}
