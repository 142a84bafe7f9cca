import CohortCore
import CohortStudy
import Foundation
import Testing

@Suite("Learning study specs: parsing, defaults, refusals and cost")
struct StudyLearningSpecTests {
    static func yaml(kind: String, purpose: String, learning: String?, extra: String = "", epsilon: Double = 1) -> String {
        var text = """
        kind: \(kind)
        purpose: \(purpose)
        as_of: 2025-03-31
        privacy: { epsilon: \(epsilon), delta: 1.0e-6 }
        participants: [globex, initech]
        deadline_seconds: 600

        """
        if let learning { text += "learning: \(learning)\n" }
        return text + extra
    }

    @Test func kmeansSpecParsesWithDefaultsAndRoundTrips() throws {
        let spec = try Study.Spec.load(yaml: Self.yaml(kind: "kmeans", purpose: "segmentation", learning: "{ k: 4 }"))
        #expect(spec.kind == .kmeans)
        #expect(spec.learning?.k == 4)
        #expect(spec.dimensions.isEmpty)
        // 8 Lloyd rounds (default) + the grid and profile rounds.
        #expect(spec.rounds == 10)
        #expect(try Study.Spec.load(json: try spec.canonicalJSON()) == spec)
        #expect(try Study.Spec.load(yaml: try spec.yaml()) == spec)
    }

    @Test func trainingSpecTakesItsParameters() throws {
        let spec = try Study.Spec.load(yaml: Self.yaml(
            kind: "logistic-regression", purpose: "model-training",
            learning: "{ rounds: 5, clip_norm: 1.5, l2: 0.01, holdout_share: 0.25, features: [log_recency, log_frequency, nps_class] }"))
        #expect(spec.learning?.rounds == 5)
        #expect(spec.learning?.clipNorm == 1.5)
        #expect(spec.rounds == 7)
        let algorithm = try Study.LearningAlgorithm(spec: spec)
        #expect(algorithm.phases.map(\.name) == ["moments", "gradient", "evaluation"])
        #expect(algorithm.phases.map(\.rounds) == [1, 5, 1])
    }

    /// Every bad learning spec is refused with the key that is wrong, before anything is read.
    @Test(arguments: [
        ("kmeans", "segmentation", "{ k: 1 }", "learning.k"),
        ("kmeans", "segmentation", "{ rounds: 3 }", "learning.k"),
        ("kmeans", "segmentation", "{ k: 3, rounds: 0 }", "learning.rounds"),
        ("kmeans", "segmentation", "{ k: 3, features: [log_recency, shoe_size] }", "learning.features"),
        ("kmeans", "segmentation", "{ k: 3, bounds: { tenure_years: [5, 1] } }", "learning.bounds.tenure_years"),
        ("kmeans", "segmentation", "{ k: 3, clip_norm: 2 }", "learning.clip_norm"),
        ("kmeans", "segmentation", "{ k: 3, colour: red }", "learning.colour"),
        ("kmeans", "benchmarking", "{ k: 3 }", "purpose"),
        ("logistic-regression", "model-training", "{ clip_norm: 0 }", "learning.clip_norm"),
        ("logistic-regression", "model-training", "{ clip_norm: -1 }", "learning.clip_norm"),
        ("logistic-regression", "model-training", "{ rounds: 0 }", "learning.rounds"),
        ("logistic-regression", "model-training", "{ k: 3 }", "learning.k"),
        ("logistic-regression", "segmentation", "{}", "purpose"),
        ("quantiles", "segmentation", "{ probabilities: [0.5, 1.5] }", "learning"),
        ("histogram", "segmentation", "{ k: 3 }", "learning"),
    ])
    func badLearningSpecsAreRefusedNamingTheKey(kind: String, purpose: String, learning: String, key: String) {
        let extra = kind == "histogram" ? "dimensions: [rfm_segment]\n" : ""
        do {
            _ = try Study.Spec.load(yaml: Self.yaml(kind: kind, purpose: purpose, learning: learning, extra: extra))
            Issue.record("accepted \(kind) \(learning)")
        } catch let error as StudyError {
            #expect(error.key == key, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func anEpsilonTheRoundsCannotBeSplitIntoIsRefused() {
        #expect(throws: StudyError.self) {
            _ = try Study.Spec.load(yaml: Self.yaml(
                kind: "logistic-regression", purpose: "model-training", learning: "{ rounds: 1000 }", epsilon: 0.0001))
        }
        do {
            _ = try Study.Spec.load(yaml: Self.yaml(
                kind: "logistic-regression", purpose: "model-training", learning: "{ rounds: 1000 }", epsilon: 0.0001))
        } catch let error as StudyError {
            #expect(error.key == "learning.rounds")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aLearningKindTakesNoDimensions() {
        #expect(throws: StudyError.self) {
            _ = try Study.Spec.load(yaml: Self.yaml(kind: "kmeans", purpose: "segmentation", learning: "{ k: 3 }",
                                                    extra: "dimensions: [rfm_segment]\n"))
        }
    }

    /// The whole study's cost composes every budgeted round and stays within the spec's ε:
    /// what `cohort privacy cost --spec` prints and the ledger charges.
    @Test(arguments: [
        ("kmeans", "segmentation", "{ k: 4 }"),
        ("kmeans", "segmentation", "{ k: 6, rounds: 20 }"),
        ("logistic-regression", "model-training", "{}"),
        ("logistic-regression", "model-training", "{ rounds: 20, sampling_rate: 0.1 }"),
        ("quantiles", "segmentation", "{}"),
    ])
    func theComposedCostStaysWithinTheSpecEpsilon(kind: String, purpose: String, learning: String) throws {
        let spec = try Study.Spec.load(yaml: Self.yaml(kind: kind, purpose: purpose, learning: learning))
        let cost = try Study.SpecCost.of(spec)
        #expect(cost.epsilon <= spec.privacy.epsilon * (1 + 1e-9))
        // The split uses the budget: at least 95 % of ε is spent on noise that helps.
        #expect(cost.epsilon >= 0.95 * spec.privacy.epsilon, "ε \(cost.epsilon) of \(spec.privacy.epsilon)")
        #expect(cost.rounds == spec.rounds)
        #expect(cost.phases.reduce(0) { $0 + $1.rounds } == cost.rounds)
        #expect(cost.accountant == (learning.contains("sampling_rate") ? "RDP" : "zCDP"))
    }

    @Test func rfmCutPointsAreParsedCheckedAndRoundTrip() throws {
        let base = """
            kind: histogram
            purpose: segmentation
            as_of: 2025-03-31
            dimensions: [rfm_segment]
            privacy: { epsilon: 1.0, delta: 1.0e-6 }
            participants: [globex]
            deadline_seconds: 60

            """
        let released = try Study.Spec.load(yaml: base + "rfm_cut_points: { study: q-2025 }\n")
        #expect(released.rfmCutPoints == .released(study: "q-2025"))
        let given = try Study.Spec.load(yaml: base + "rfm_cut_points: { recency: [10, 30, 90, 180], frequency: [1, 2, 4, 8], monetary: [1000, 5000, 20000, 80000] }\n")
        #expect(try Study.Spec.load(json: try given.canonicalJSON()) == given)
        #expect(try Study.Spec.load(json: try released.canonicalJSON()) == released)
        for bad in ["rfm_cut_points: { recency: [30, 10, 90, 180], frequency: [1, 2, 4, 8], monetary: [1, 2, 3, 4] }",
                    "rfm_cut_points: { study: q, recency: [1, 2, 3, 4] }",
                    "rfm_cut_points: { colour: red }"] {
            #expect(throws: StudyError.self, "\(bad)") { _ = try Study.Spec.load(yaml: base + bad + "\n") }
        }
        let noRFM = base.replacingOccurrences(of: "[rfm_segment]", with: "[value_tier]")
        #expect(throws: StudyError.self) { _ = try Study.Spec.load(yaml: noRFM + "rfm_cut_points: { study: q }\n") }
    }
}
