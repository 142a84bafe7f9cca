import CohortLearning
public import CohortStore
public import CohortStudy
import Foundation

extension NodeStudyServices {
    /// The lead resolves an `evaluation` spec's `learning.model_study` from this node's store.
    public func resolveProposal(_ spec: Study.Spec) async throws -> Study.Spec {
        try Self.resolveModelStudy(spec, store: store)
    }

    /// A participant checks an `evaluation` spec's model against this node's store.
    public func checkProposal(_ spec: Study.Spec) async throws {
        try Self.checkEvaluationModel(spec, store: store)
    }

    /// `spec` with an `evaluation`'s `learning.model_study` replaced by the model that study
    /// released, read from this node's stored result (every clip bound and region written out,
    /// `model.study` naming the study), and — unless the spec gives `holdout_share` — that
    /// study's holdout share and seed, so that its training customers are never scored. Any
    /// other spec is returned unchanged. O(result size).
    /// - Throws: ``StudyError`` at `learning.model_study` when this node stores no result of the
    ///   study or the study is not a `logistic-regression` study.
    public static func resolveModelStudy(_ spec: Study.Spec, store: NodeStore) throws -> Study.Spec {
        guard spec.kind == .evaluation, var learning = spec.learning, let study = learning.modelStudy else { return spec }
        guard let stored = try store.studyResult(study: study) else {
            throw StudyError(.invalidValue, key: "learning.model_study",
                             "study \(study) has no published result on this node (`cohort study list` shows the stored results); the lead takes the model from its own copy")
        }
        let result = try Study.Result.decode(json: stored.resultJSON)
        guard case .logisticRegression(let released)? = result.learning?.model else {
            throw StudyError(.invalidValue, key: "learning.model_study",
                             "study \(study) is a \(result.spec.kind.rawValue) study, not a logistic-regression study: it released no churn model")
        }
        learning.model = Study.LearningModel(released.model, study: study)
        learning.modelStudy = nil
        if learning.holdoutShare == nil, let holdout = try Study.LearningAlgorithm(spec: result.spec).holdout {
            guard let seed = Int(exactly: holdout.seed) else {
                throw StudyError(.invalidValue, key: "learning.model_study", "study \(study)'s holdout seed \(holdout.seed) is out of range")
            }
            learning.holdoutShare = holdout.share
            learning.seed = seed
        }
        return try spec.withLearning(learning)
    }

    /// Refuses an `evaluation` spec whose model names a study (`learning.model.study`) this node
    /// stores a result of, unless the model equals that result's model exactly (features, clip
    /// bounds, regions, weights, intercept). A node without that study accepts the model as
    /// given; any other spec passes. O(result size).
    /// - Throws: ``NodeError`` (`invalidMessage`) naming the key and the study.
    public static func checkEvaluationModel(_ spec: Study.Spec, store: NodeStore) throws {
        guard spec.kind == .evaluation, let model = spec.learning?.model, let study = model.study,
              let stored = try store.studyResult(study: study) else { return }
        let result = try Study.Result.decode(json: stored.resultJSON)
        guard case .logisticRegression(let released)? = result.learning?.model else {
            throw NodeError(.invalidMessage, "learning.model.study: study \(study) is a \(result.spec.kind.rawValue) study on this node, not a logistic-regression study")
        }
        guard try model.logisticModel() == released.model else {
            throw NodeError(.invalidMessage, "learning.model: the model differs from this node's published result of study \(study) (weights, intercept, features or clip bounds); refusing to evaluate it under that study's name")
        }
    }
}
