import CohortAnalytics
import CohortPrivacy
@testable import CohortLearning

/// Small hand-made and seeded synthetic customer tables for the tests (no scenario generator).
enum Fixtures {
    /// One customer per tuple (recency days, frequency, monetary cents, tenure days, churned, tier).
    static func customers(_ rows: [(Int32, Int32, Int64, Int32, Bool?, UInt8)], prefix: String = "C",
                          regions: [String?]? = nil) throws -> Learning.Customers {
        let n = rows.count
        return try Learning.Customers(
            ids: (0..<n).map { "\(prefix)\($0)" }, recencyDays: rows.map(\.0), frequency: rows.map(\.1),
            monetaryMinor: rows.map(\.2), tenureDays: rows.map(\.3),
            aovMinor: rows.map { $0.1 > 0 ? Double($0.2) / Double($0.1) : 0 },
            channelShare: (0..<n).map { Double($0 % 5) / 4 }, region: regions ?? (0..<n).map { ["north", "south", nil][$0 % 3] },
            channelBand: (0..<n).map { UInt8($0 % 5) }, npsClass: (0..<n).map { UInt8($0 % 4) },
            valueTier: rows.map(\.5), churned: rows.map(\.4))
    }

    /// Seeded customers from `clusters` prototypes (recency days, frequency, monetary cents,
    /// tenure days) with multiplicative noise of spread `spread`, and a churn label from a
    /// logistic model of recency and frequency. Cluster of each row in `truth`.
    static func clustered(n: Int, seed: UInt64, prefix: String, spread: Double = 0.15,
                          clusters: [(Double, Double, Double, Double)] = [(5, 40, 400_000, 2000), (200, 3, 8_000, 400), (40, 12, 60_000, 1200)])
        -> (customers: Learning.Customers, truth: [Int]) {
        var g = Privacy.SeededGenerator(seed: seed)
        func normal() -> Double {
            let u1 = (Double(g.next() >> 11) + 0.5) * 0x1.0p-53, u2 = Double(g.next() >> 11) * 0x1.0p-53
            return (-2 * Analytics.Math.log(u1)).squareRoot() * Learning.EvaluationReport.cos2pi(u2)
        }
        var recency: [Int32] = [], frequency: [Int32] = [], monetary: [Int64] = [], tenure: [Int32] = [], truth: [Int] = []
        var churned: [Bool?] = [], tier: [UInt8] = [], share: [Double] = [], band: [UInt8] = [], nps: [UInt8] = []
        var region: [String?] = []
        for i in 0..<n {
            let c = i % clusters.count
            let p = clusters[c]
            func jitter(_ v: Double) -> Double { v * Analytics.Math.exp(spread * normal()) }
            let r = Int32(min(730, max(0, jitter(p.0 + 1) - 1).rounded()))
            let f = Int32(max(1, jitter(p.1).rounded()))
            let m = Int64(max(100, jitter(p.2).rounded()))
            recency.append(r); frequency.append(f); monetary.append(m)
            tenure.append(Int32(max(0, jitter(p.3).rounded())))
            truth.append(c)
            let s = min(1, max(0, 0.5 + 0.2 * normal()))
            share.append(s)
            band.append(Analytics.ChannelBand(share: s).code)
            let npsCode = UInt8(g.next() % 4)
            nps.append(npsCode)
            region.append(["north", "south", "east", "west", "central"][Int(g.next() % 5)])
            tier.append(m > 200_000 ? 0 : m > 30_000 ? 1 : 2)
            let logit = -1.5 + 0.9 * (Analytics.Math.log1p(Double(r)) - 3) - 0.4 * Analytics.Math.log1p(Double(f)) + (npsCode == 2 ? 0.8 : 0) + 0.6 * (s - 0.5)
            let u = Double(g.next() >> 11) * 0x1.0p-53
            churned.append(i % 17 == 0 ? nil : u < Analytics.Math.sigmoid(logit))
        }
        let customers = try! Learning.Customers(
            ids: (0..<n).map { "\(prefix)\($0)" }, recencyDays: recency, frequency: frequency, monetaryMinor: monetary,
            tenureDays: tenure, aovMinor: zip(monetary, frequency).map { Double($0) / Double($1) }, channelShare: share,
            region: region, channelBand: band, npsClass: nps, valueTier: tier, churned: churned)
        return (customers, truth)
    }
}
