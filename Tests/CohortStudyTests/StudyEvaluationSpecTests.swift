import CohortCore
import CohortLearning
import CohortStudy
import Foundation
import Testing

@Suite("Evaluation study specs: model reference or model, validation, cost and release")
struct StudyEvaluationSpecTests {
    static func yaml(_ learning: String?, purpose: String = "model-training", kind: String = "evaluation") -> String {
        StudyLearningSpecTests.yaml(kind: kind, purpose: purpose, learning: learning)
    }

    static let model = "{ features: [log_recency, log_frequency, region], bounds: { log_recency: [0, 6] }, regions: [north, south], intercept: -1.5, coefficients: { log_recency: 2.25, log_frequency: -0.75, region=north: 0.125, region=south: -0.5 } }"

    /// `model_study` alone is a valid spec: priced (one evaluation round of 2 · bins cells,
    /// the whole ε), but not runnable until the lead has resolved it.
    @Test func aModelStudyReferenceIsPricedButNotRunnable() throws {
        let spec = try Study.Spec.load(yaml: Self.yaml("{ model_study: churn-1, bins: 50 }"))
        #expect(spec.kind == .evaluation)
        #expect(spec.learning?.modelStudy == "churn-1")
        #expect(spec.rounds == 1)
        #expect(try Study.Spec.load(json: try spec.canonicalJSON()) == spec)
        #expect(try Study.Spec.load(yaml: try spec.yaml()) == spec)
        let algorithm = try Study.LearningAlgorithm(spec: spec)
        #expect(algorithm.unresolvedModelStudy == "churn-1")
        #expect(algorithm.phases.map(\.name) == ["evaluation"])
        #expect(algorithm.phases.map(\.coordinates) == [100])
        #expect(algorithm.phases.map(\.l2Sensitivity) == [1])
        let cost = try Study.SpecCost.of(spec)
        #expect(cost.rounds == 1)
        #expect(cost.epsilon <= spec.privacy.epsilon * (1 + 1e-9))
        #expect(cost.epsilon >= 0.95 * spec.privacy.epsilon)
        #expect(throws: StudyError.self) { _ = try algorithm.firstPayload() }
        do {
            _ = try Study.LearningProgram(spec: try spec.withID("eval-1"), lead: "acme")
            Issue.record("an unresolved model_study built a runnable program")
        } catch let error as StudyError {
            #expect(error.key == "learning.model")
        }
    }

    /// An explicit model is decoded into the learning module's model (columns in feature
    /// order, the region one-hots after the numeric ones), costs the same as the reference,
    /// and round-trips through JSON and YAML.
    @Test func anExplicitModelIsDecodedPricedAndRoundTrips() throws {
        let spec = try Study.Spec.load(yaml: Self.yaml("{ model: \(Self.model), holdout_share: 0.25, seed: 9 }"))
        #expect(try Study.Spec.load(json: try spec.canonicalJSON()) == spec)
        #expect(try Study.Spec.load(yaml: try spec.yaml()) == spec)
        let algorithm = try Study.LearningAlgorithm(spec: spec)
        #expect(algorithm.unresolvedModelStudy == nil)
        let model = try #require(algorithm.evaluatedModel)
        #expect(model.space.columnNames == ["log_recency", "log_frequency", "region=north", "region=south"])
        #expect(model.weights == [2.25, -0.75, 0.125, -0.5])
        #expect(model.intercept == -1.5)
        #expect(model.space.bounds[0] == (try Learning.ClipBounds(lower: 0, upper: 6)))
        #expect(model.space.bounds[1] == Learning.NumericFeature.logFrequency.defaultBounds)
        #expect(algorithm.holdout == (try Learning.Holdout(share: 0.25, seed: 9)))
        let reference = try Study.LearningAlgorithm(spec: try Study.Spec.load(yaml: Self.yaml("{ model_study: churn-1 }")))
        #expect(algorithm.cost == reference.cost)
        #expect(try algorithm.firstPayload().bytes.isEmpty == false)
        // Without holdout_share every labelled customer is scored.
        #expect(try Study.LearningAlgorithm(spec: try Study.Spec.load(yaml: Self.yaml("{ model: \(Self.model) }"))).holdout == nil)
    }

    /// The spec form of a released model gives back exactly that model (what the lead writes
    /// and a participant compares with its own copy).
    @Test func theSpecFormOfAReleasedModelGivesItBackExactly() throws {
        let space = try Learning.FeatureSpace(
            names: ["log_recency", "tenure_years", "region", "nps_class"], boundOverrides: ["tenure_years": try .init(lower: 0.5, upper: 12.25)],
            regions: ["east", "west"], halfWidth: 1)
        let weights = (0..<space.dimension).map { Double($0) * 0.1 - 0.333_333_333_333_333_3 }
        let released = try Learning.LogisticModel(space: space, weights: weights, intercept: -0.987_654_321)
        let form = Study.LearningModel(released, study: "churn-7")
        #expect(form.study == "churn-7")
        #expect(form.regions == ["east", "west"])
        #expect(form.bounds?.count == 2, "every numeric feature's bounds are written out")
        #expect(try form.logisticModel() == released)
        let spec = try Study.Spec.load(yaml: Self.yaml("{ model_study: churn-7 }"))
        var learning = try #require(spec.learning)
        learning.model = form
        learning.modelStudy = nil
        let resolved = try spec.withLearning(learning)
        let received = try Study.Spec.load(json: try resolved.canonicalJSON())
        #expect(try Study.LearningAlgorithm(spec: received).evaluatedModel == released, "exact after the wire form")
    }

    /// Every bad evaluation spec (and every evaluation key in another kind) is refused with the
    /// key that is wrong, before anything is read.
    @Test(arguments: [
        ("evaluation", "{}", "learning.model_study"),
        ("evaluation", "{ bins: 100 }", "learning.model_study"),
        ("evaluation", "{ model_study: churn-1, model: \(model) }", "learning.model_study"),
        ("evaluation", "{ model_study: churn-1, bins: 15 }", "learning.bins"),
        ("evaluation", "{ model_study: churn-1, bins: 0 }", "learning.bins"),
        ("evaluation", "{ model_study: churn-1, bins: 2000 }", "learning.bins"),
        ("evaluation", "{ model_study: 'bad id!' }", "learning.model_study"),
        ("evaluation", "{ model_study: churn-1, seed: 3 }", "learning.seed"),
        ("evaluation", "{ model_study: churn-1, holdout_share: 1.5 }", "learning.holdout_share"),
        ("evaluation", "{ model_study: churn-1, k: 3 }", "learning.k"),
        ("evaluation", "{ model_study: churn-1, clip_norm: 2 }", "learning.clip_norm"),
        ("evaluation", "{ model_study: churn-1, rounds: 4 }", "learning.rounds"),
        ("evaluation", "{ model_study: churn-1, features: [log_recency] }", "learning.features"),
        ("evaluation", "{ model_study: churn-1, probabilities: [0.5] }", "learning.probabilities"),
        ("evaluation", "{ model: { features: [log_recency, shoe_size], intercept: 0, coefficients: { log_recency: 1 } } }", "learning.model.features"),
        ("evaluation", "{ model: { features: [log_recency, log_frequency], intercept: 0, coefficients: { log_recency: 1 } } }", "learning.model.coefficients.log_frequency"),
        ("evaluation", "{ model: { features: [log_recency], intercept: 0, coefficients: { log_recency: 1, shoe: 2 } } }", "learning.model.coefficients.shoe"),
        ("evaluation", "{ model: { features: [log_recency], bounds: { log_recency: [5, 1] }, intercept: 0, coefficients: { log_recency: 1 } } }", "learning.model.bounds.log_recency"),
        ("evaluation", "{ model: { features: [log_recency], bounds: { tenure_years: [0, 1] }, intercept: 0, coefficients: { log_recency: 1 } } }", "learning.model.bounds"),
        ("evaluation", "{ model: { features: [log_recency], regions: [north], intercept: 0, coefficients: { log_recency: 1 } } }", "learning.model.regions"),
        ("evaluation", "{ model: { features: [log_recency], coefficients: { log_recency: 1 } } }", "learning.model.intercept"),
        ("evaluation", "{ model: { features: [log_recency], intercept: 0 } }", "learning.model.coefficients"),
        ("evaluation", "{ model: { features: [log_recency], intercept: 0, coefficients: { log_recency: 1 }, colour: red } }", "learning.model.colour"),
        ("evaluation", "{ model: [1, 2] }", "learning.model"),
        ("logistic-regression", "{ bins: 100 }", "learning.bins"),
        ("kmeans", "{ k: 3, model_study: churn-1 }", "learning.model_study"),
        ("quantiles", "{ model: \(model) }", "learning.model"),
    ])
    func badEvaluationSpecsAreRefusedNamingTheKey(kind: String, learning: String, key: String) {
        let purpose = kind == "kmeans" || kind == "quantiles" ? "segmentation" : "model-training"
        do {
            _ = try Study.Spec.load(yaml: Self.yaml(learning, purpose: purpose, kind: kind))
            Issue.record("accepted \(kind) \(learning)")
        } catch let error as StudyError {
            #expect(error.key == key, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func anEvaluationServesModelTraining() {
        do {
            _ = try Study.Spec.load(yaml: Self.yaml("{ model_study: churn-1 }", purpose: "segmentation"))
            Issue.record("accepted an evaluation for segmentation")
        } catch let error as StudyError {
            #expect(error.key == "purpose")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// The release round-trips as `{rounds, evaluation: {…}}`; its text shows AUC, accuracy,
    /// log-loss and calibration with standard errors, its CSV one row per metric and group.
    @Test func theEvaluationReleaseRoundTripsAndRenders() throws {
        var negatives = [Double](repeating: 0, count: 20), positives = [Double](repeating: 0, count: 20)
        for b in 0..<20 {
            negatives[b] = Double(40 - 2 * b)
            positives[b] = Double(2 * b + 1)
        }
        let report = try Learning.EvaluationReport(negatives: negatives, positives: positives, noiseSD: 1.5)
        let release = Study.LearningRelease(rounds: 1, model: .evaluation(report))
        let json = try JSONEncoder().encode(release)
        #expect(String(decoding: json, as: UTF8.self).contains("\"evaluation\""))
        #expect(try JSONDecoder().decode(Study.LearningRelease.self, from: json) == release)
        let counted = try #require(release.releasedCustomers)
        #expect(counted.value == negatives.reduce(0, +) + positives.reduce(0, +))
        let text = release.textLines().joined(separator: "\n")
        let auc = try #require(report.auc)
        #expect(text.contains(String(format: "AUC %.4f ± %.4f", auc.value, auc.standardError)), "\(text)")
        #expect(text.contains("accuracy at 0.5") && text.contains("log-loss") && text.contains("observed churn"))
        let csv = release.csv().split(separator: "\r\n").map(String.init)
        #expect(csv.first == "metric,lower,upper,value,standard_error")
        #expect(csv.contains("auc,,,\(auc.value),\(auc.standardError)"))
        #expect(csv.filter { $0.hasPrefix("calibration_observed_rate,") }.count == Learning.EvaluationReport.calibrationGroups)
        #expect(csv.count == 1 + 5 + 3 * Learning.EvaluationReport.calibrationGroups)
    }
}
