import Foundation
import CohortAnalytics
import Testing
@testable import CohortLearning

@Suite struct FeatureSpaceTests {
    @Test(arguments: [Learning.CategoricalFeature.region(["north", "south"]), .region(Learning.CategoricalFeature.defaultRegions), .channelBand, .npsClass])
    func categoricalWidthIsTheNumberOfColumnNames(feature: Learning.CategoricalFeature) {
        #expect(feature.width == feature.columnNames.count)
        #expect(feature.width > 1)
    }

    @Test func numericFeaturesAreClippedToFixedBoundsNotStandardizedPerNode() throws {
        let space = try Learning.FeatureSpace(names: ["log_recency", "tenure_years"], boundOverrides: ["tenure_years": try .init(lower: 0, upper: 4)],
                                              halfWidth: 0.5)
        // Same customer on two nodes with different populations encodes identically.
        let a = try Fixtures.customers([(30, 5, 10_000, 730, nil, 1), (700, 1, 100, 3000, nil, 2)])
        let b = try Fixtures.customers([(30, 5, 10_000, 730, nil, 1)])
        #expect(space.matrix(a).row(0) == space.matrix(b).row(0))
        let row = space.matrix(a).row(0)
        #expect(abs(row[0] - (Analytics.Math.log(31) / Analytics.Math.log(731) - 0.5)) < 1e-12)
        #expect(abs(row[1] - (730 / 365.25 / 4 - 0.5)) < 1e-12)
        #expect(space.matrix(a)[1, 1] == 0.5)   // 8.2 years clipped to the upper bound 4
        #expect(abs(space.featureValue(row[1], column: 1) - 730 / 365.25) < 1e-12)
    }

    @Test func categoricalFeaturesAreOneHotOverFixedLists() throws {
        let space = try Learning.FeatureSpace(names: ["region", "nps_class"], regions: ["north", "south"], halfWidth: 1)
        #expect(space.columnNames == ["region=north", "region=south", "nps_class=promoter", "nps_class=passive", "nps_class=detractor", "nps_class=unanswered"])
        let c = try Fixtures.customers([(1, 1, 1, 1, nil, 0), (1, 1, 1, 1, nil, 0), (1, 1, 1, 1, nil, 0)], regions: ["south", "east", nil])
        let m = space.matrix(c)
        #expect(m.row(0) == [0, 1, 1, 0, 0, 0])
        #expect(m.row(1) == [0, 0, 0, 1, 0, 0])   // unlisted region: no column hot
        #expect(m.row(2) == [0, 0, 0, 0, 1, 0])
        #expect(abs(space.maximumNorm - 2.0.squareRoot()) < 1e-12)
    }

    @Test func unknownFeaturesAndBadInputsAreRefused() throws {
        #expect(throws: LearningError.self) { try Learning.FeatureSpace(names: ["log_recency", "age"], halfWidth: 1) }
        #expect(throws: LearningError.self) { try Learning.FeatureSpace(names: [], halfWidth: 1) }
        #expect(throws: LearningError.self) { try Learning.FeatureSpace(names: ["region"], regions: [], halfWidth: 1) }
        #expect(throws: LearningError.self) {
            try Learning.Customers(ids: ["a"], recencyDays: [1], frequency: [1], monetaryMinor: [-5], tenureDays: [1], aovMinor: [1],
                                   channelShare: [0], region: [nil], channelBand: [0], npsClass: [0], valueTier: [0], churned: [nil])
        }
        #expect(throws: LearningError.self) {
            try Learning.Customers(ids: ["a", "b"], recencyDays: [1], frequency: [1], monetaryMinor: [5], tenureDays: [1], aovMinor: [1],
                                   channelShare: [0], region: [nil], channelBand: [0], npsClass: [0], valueTier: [0], churned: [nil])
        }
    }

    @Test func holdoutDependsOnlyOnSeedAndId() throws {
        let holdout = try Learning.Holdout(share: 0.3, seed: 42)
        let ids = (0..<20_000).map { "customer-\($0)" }
        let held = ids.filter(holdout.isHeldOut)
        // Share within 5 binomial standard deviations of 0.3.
        #expect(abs(Double(held.count) - 6000) <= 5 * (20_000 * 0.21).squareRoot())
        #expect(ids.reversed().filter(holdout.isHeldOut) == held.reversed())
        let other = try Learning.Holdout(share: 0.3, seed: 43)
        #expect(ids.filter(other.isHeldOut) != held)
        #expect(throws: LearningError.self) { try Learning.Holdout(share: 1.2, seed: 1) }
    }
}

@Suite struct DecodingTests {
    @Test func malformedSpacesModelsAndResultsAreRefusedWhenDecoded() throws {
        let space = try Learning.FeatureSpace(names: ["log_recency", "region"], halfWidth: 1)
        let model = try Learning.LogisticModel(space: space, weights: [Double](repeating: 0.5, count: space.dimension), intercept: -1)
        #expect(try JSONEncoderForTests.decode(Learning.LogisticModel.self, try JSONEncoderForTests.encode(model)) == model)
        let badSpace = Data(#"{"numeric":["log_recency"],"bounds":[],"categorical":[],"halfWidth":1}"#.utf8)
        #expect(throws: LearningError.self) { try JSONEncoderForTests.decode(Learning.FeatureSpace.self, badSpace) }
        let json = String(decoding: try JSONEncoderForTests.encode(model), as: UTF8.self)
            .replacingOccurrences(of: "\"weights\":[0.5,0.5,0.5,0.5,0.5,0.5]", with: "\"weights\":[0.5]")
        #expect(json.contains("\"weights\":[0.5]"))
        #expect(throws: LearningError.self) { try JSONEncoderForTests.decode(Learning.LogisticModel.self, Data(json.utf8)) }
    }
}
