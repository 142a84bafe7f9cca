import CohortScenario
import Foundation
import Testing

@Suite("Synthetic churn is learnable from the generated data")
struct ChurnLearnabilityTests {
    @Test(arguments: Synthetic.Profile.allCases)
    func logisticRegressionOnRFMBeatsTenureOnly(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        let features = ChurnModelling.features(of: data)
        let good = ChurnModelling.holdoutAUC(
            columns: ChurnModelling.goodModelColumns(features), labels: features.label)
        let raw = ChurnModelling.holdoutAUC(
            columns: ChurnModelling.rawModelColumns(features), labels: features.label)
        let tenure = ChurnModelling.holdoutAUC(
            columns: [features.tenureDays.map { log1p($0) }], labels: features.label)
        let region = ChurnModelling.holdoutAUC(
            columns: ChurnModelling.regionColumns(features, regions: profile.regionNames.count),
            labels: features.label)
        let oracle = ChurnModelling.auc(scores: data.groundTruth.churnProbability, labels: features.label)
        let recencyOnly = ChurnModelling.holdoutAUC(
            columns: [features.recencyDays.map { log1p($0) }], labels: features.label)
        let churnRate = Double(features.label.filter { $0 }.count) / Double(features.label.count)
        print("churn \(profile): rate \(churnRate); holdout AUC good \(good), raw \(raw), tenure-only \(tenure), region-only \(region), recency-only \(recencyOnly); oracle \(oracle)")
        #expect(good >= 0.78 && good <= 0.93, "good-model AUC \(good) outside [0.78, 0.93]")
        #expect(good - tenure >= 0.1, "tenure-only AUC \(tenure) is not 0.1 below \(good)")
        #expect(good - region >= 0.1, "region-only AUC \(region) is not 0.1 below \(good)")
    }
}
