import CohortCore
import CohortLearning
import CohortStore
import CohortStudy
import CohortTestSupport
import Foundation
import Testing
@testable import CohortNode

/// `kind: evaluation` between real node services and engines over the in-memory mesh: the lead
/// resolves `model_study` into the model, participants check it against their own copy, and
/// with noise off the release equals the central evaluation on the nodes' holdouts.
@Suite struct EvaluationStudyEngineTests {
    static func spec(participants: [String], learning: String, epsilon: Double = 1, secure: Bool = false) throws -> Study.Spec {
        try Study.Spec.load(yaml: """
            kind: evaluation
            purpose: model-training
            as_of: 2024-12-31
            learning: \(learning)
            privacy: { epsilon: \(epsilon), delta: 1.0e-6 }
            participants: [\(participants.joined(separator: ", "))]
            deadline_seconds: 120
            secure_aggregation: \(secure)
            """)
    }

    /// Trains a churn model led by acme with `participants`; returns its result.
    static func train(_ mesh: StudyEngineTests.Mesh, participants: [String]) async throws -> Study.Result {
        let spec = try Study.Spec.load(yaml: """
            kind: logistic-regression
            purpose: model-training
            as_of: 2024-12-31
            learning: { rounds: 4, features: [log_recency, log_frequency, log_monetary, region], regions: [north, south, east, west], holdout_share: 0.4, seed: 5 }
            privacy: { epsilon: 2, delta: 1.0e-6 }
            participants: [\(participants.joined(separator: ", "))]
            deadline_seconds: 120
            """)
        guard case .completed(let result, _, _) = await mesh.engines["acme"]!.lead(spec) else {
            throw StudyError(.invalidContribution, "the training study failed")
        }
        return result
    }

    /// The central evaluation: every node's holdout customers scored with `model` directly,
    /// binned, and reported with the study's aggregate noise SD.
    static func central(
        model: Learning.LogisticModel, holdout: Learning.Holdout?, bins: Int, parties: [Learning.Customers], noiseSD: Double
    ) throws -> Learning.EvaluationReport {
        var negatives = [Double](repeating: 0, count: bins), positives = [Double](repeating: 0, count: bins)
        for customers in parties {
            let rows = holdout?.split(customers).holdout ?? (0..<customers.count).filter { customers.churned[$0] != nil }
            for i in rows {
                guard let label = customers.churned[i] else { continue }
                let b = min(max(Int((model.probability(customers, row: i) * Double(bins)).rounded(.down)), 0), bins - 1)
                if label { positives[b] += 1 } else { negatives[b] += 1 }
            }
        }
        return try Learning.EvaluationReport(negatives: negatives, positives: positives, noiseSD: noiseSD)
    }

    /// Noise off: a churn model is trained, then an evaluation names it by `model_study`. The
    /// lead proposes the model itself and the training study's holdout; the release equals the
    /// central evaluation of that model on every node's holdout (and, as the customers have
    /// not changed, the training study's own holdout AUC).
    /// With secure aggregation too (issue 13): the unmasked sum is the same.
    @Test(arguments: [false, true])
    func noiselessEvaluationOfAPublishedModelEqualsTheCentralEvaluationOnTheHoldouts(secure: Bool) async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-evaluation")
        defer { temp.remove() }
        let (mesh, nodes) = try await LearningStudyEngineTests.cluster(temp: temp)
        let trained = try await Self.train(mesh, participants: ["globex", "initech"])
        guard case .logisticRegression(let released)? = trained.learning?.model else {
            Issue.record("no churn model released")
            return
        }
        let spec = try Self.spec(participants: ["globex", "initech"], learning: "{ model_study: \(trained.study), bins: 50 }", secure: secure)
        guard case .completed(let result, _, _) = await mesh.engines["acme"]!.lead(spec) else {
            Issue.record("the evaluation study failed")
            return
        }
        // The spec that ran carries the model and the training study's holdout.
        let ran = try #require(result.spec.learning)
        #expect(ran.modelStudy == nil)
        #expect(ran.model?.study == trained.study)
        #expect(try ran.model?.logisticModel() == released.model)
        #expect(ran.holdoutShare == 0.4 && ran.seed == 5)
        let algorithm = try Study.LearningAlgorithm(spec: result.spec)
        #expect(algorithm.holdout == (try Learning.Holdout(share: 0.4, seed: 5)))
        let parties = try LearningStudyEngineTests.names.map {
            try LearningStudyEngineTests.customers(nodes[$0]!.store, purpose: .modelTraining, asOf: spec.asOf)
        }
        let sd = try algorithm.roundNoise(for: try algorithm.firstPayload()).aggregateStandardDeviation(parties: 3)
        let expected = try Self.central(model: released.model, holdout: algorithm.holdout, bins: 50, parties: parties, noiseSD: sd)
        #expect(result.learning == Study.LearningRelease(rounds: 1, model: .evaluation(expected)))
        let everyone = try Self.central(model: released.model, holdout: nil, bins: 50, parties: parties, noiseSD: sd)
        #expect(expected.positives.value + expected.negatives.value < everyone.positives.value + everyone.negatives.value,
                "only the holdout is scored")
        guard case .evaluation(let report)? = result.learning?.model else {
            Issue.record("no evaluation released")
            return
        }
        let auc = try #require(report.auc?.value)
        let trainedAUC = try #require(released.evaluation.auc?.value)
        // 50 bins here against 100 in training: the binned AUCs agree to the binning error.
        #expect(abs(auc - trainedAUC) < 0.02, "\(auc) vs \(trainedAUC)")
        for name in LearningStudyEngineTests.names {
            #expect(try nodes[name]!.store.budgetSpends(purpose: "model-training").count == 2, "\(name) paid for both studies")
        }
    }

    /// A participant that stores the named study refuses a model that differs from its copy;
    /// one without the study accepts the model in the spec; the lead refuses to propose a model
    /// that contradicts its own copy, or a `model_study` it has not published.
    @Test func participantsCheckTheModelAgainstTheirOwnCopy() async throws {
        let temp = try TemporaryDirectory(prefix: "cohort-evaluation")
        defer { temp.remove() }
        let (mesh, _) = try await LearningStudyEngineTests.cluster(temp: temp)
        // initech does not take part in training: it stores no copy of the model.
        let trained = try await Self.train(mesh, participants: ["globex"])
        guard case .logisticRegression(let released)? = trained.learning?.model else {
            Issue.record("no churn model released")
            return
        }
        // acme resolves the reference; globex's copy equals it; initech has none and accepts.
        let good = try Self.spec(participants: ["globex", "initech"], learning: "{ model_study: \(trained.study) }")
        guard case .completed = await mesh.engines["acme"]!.lead(good) else {
            Issue.record("the evaluation with the published model failed")
            return
        }
        // The same model with one weight changed, still named after the study.
        var form = Study.LearningModel(released.model, study: trained.study)
        form.coefficients["log_recency"]! += 0.5
        let base = try Self.spec(participants: ["acme", "globex"], learning: "{ model_study: \(trained.study) }")
        var learning = try #require(base.learning)
        learning.modelStudy = nil
        learning.model = form
        let mismatched = try base.withLearning(learning)
        guard case .failed(_, let reason) = await mesh.engines["initech"]!.lead(mismatched) else {
            Issue.record("participants accepted a model that differs from their copy")
            return
        }
        #expect(reason.contains("differs from this node's published result of study \(trained.study)"), "\(reason)")
        // The lead itself refuses to propose it.
        let fromAcme = try Self.spec(participants: ["globex", "initech"], learning: "{ model_study: \(trained.study) }").withLearning(learning)
        guard case .failed(_, let ownReason) = await mesh.engines["acme"]!.lead(fromAcme) else {
            Issue.record("the lead proposed a model that differs from its copy")
            return
        }
        #expect(ownReason.contains("differs"), "\(ownReason)")
        // A reference the lead cannot resolve names the key.
        let unknown = try Self.spec(participants: ["globex"], learning: "{ model_study: never-ran }")
        guard case .failed(_, let unknownReason) = await mesh.engines["acme"]!.lead(unknown) else {
            Issue.record("an unknown model_study was proposed")
            return
        }
        #expect(unknownReason.contains("learning.model_study") && unknownReason.contains("never-ran"), "\(unknownReason)")
        // initech stores no copy, so it cannot resolve the reference itself.
        let fromInitech = try Self.spec(participants: ["acme"], learning: "{ model_study: \(trained.study) }")
        guard case .failed(_, let initechReason) = await mesh.engines["initech"]!.lead(fromInitech) else {
            Issue.record("a lead without the study resolved it")
            return
        }
        #expect(initechReason.contains("learning.model_study"), "\(initechReason)")
    }
}
