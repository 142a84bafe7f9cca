import CohortCore
import CohortScenario
import Foundation
import Testing

/// Statistical shape of the generated data (fixed seed, stated tolerances).
@Suite("Synthetic generator statistics")
struct GeneratorStatisticsTests {
    /// Binomial tolerance: about 4 standard errors at the fixture size.
    static func tolerance(_ profile: Synthetic.Profile) -> Double {
        profile == .bank ? 0.025 : 0.015
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func consentRatesMatchTheProfileTargets(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        let n = data.customers.count
        for purpose in Purpose.allCases {
            var latest = [Synthetic.ConsentAction?](repeating: nil, count: n)
            var withdrawals = 0
            for j in 0..<data.consent.count where data.consent.purpose[j] == purpose {
                latest[Int(data.consent.customer[j])] = data.consent.action[j]
                if data.consent.action[j] == .withdraw { withdrawals += 1 }
            }
            let current = Double(latest.filter { $0 == .grant }.count) / Double(n)
            let ever = Double(latest.filter { $0 != nil }.count) / Double(n)
            let target = profile.consentTarget(for: purpose)
            #expect(abs(current - target) <= Self.tolerance(profile), "\(profile) \(purpose): \(current) vs \(target)")
            #expect(abs(ever - profile.everGrantedShare(for: purpose)) <= Self.tolerance(profile))
            #expect(withdrawals > 0, "\(profile) \(purpose) has no withdrawals")
        }
    }

    @Test func consentRatesDifferByProfile() {
        let targets = Synthetic.Profile.allCases.map { $0.consentTarget(for: .modelTraining) }
        #expect(Set(targets).count == 3)
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func plantedSegmentsArePresentInTheirShares(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        let names = data.groundTruth.segmentNames
        #expect((4...6).contains(names.count))
        #expect(names == profile.segmentNames)
        for (k, share) in profile.segmentShares.enumerated() {
            let observed = Double(data.groundTruth.segment.filter { $0 == k }.count) / Double(data.customers.count)
            #expect(abs(observed - share) <= Self.tolerance(profile), "\(names[k]): \(observed) vs \(share)")
        }
        #expect(data.groundTruth.churned == data.customers.churned.map { $0 == true })
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func transactionsAreSortedAndInsideEachCustomersActivePeriod(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        let t = data.transactions
        let historyStart = Int64(data.historyStart.daysSinceEpoch) * 86_400
        let historyEnd = (Int64(data.asOf.daysSinceEpoch) + 1) * 86_400
        var violations = 0
        for j in 0..<t.count {
            let c = Int(t.customer[j])
            let ts = t.timestamp[j]
            if j > 0 {
                let pc = t.customer[j - 1]
                if pc > t.customer[j] || (pc == t.customer[j] && t.timestamp[j - 1] > ts) { violations += 1 }
            }
            if ts < Int64(data.customers.signupDay[c]) * 86_400 || ts < historyStart || ts >= historyEnd {
                violations += 1
            }
            if let churn = data.customers.churnDay[c], ts >= (Int64(churn) + 1) * 86_400 { violations += 1 }
        }
        #expect(violations == 0)
    }

    @Test(arguments: [Synthetic.Profile.retail, .bank])
    func revenueIsHeavyTailed(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        var revenue = [Double](repeating: 0, count: data.customers.count)
        var orders: [Double] = []
        for j in 0..<data.transactions.count where data.transactions.amountMinor[j] > 0 {
            revenue[Int(data.transactions.customer[j])] += Double(data.transactions.amountMinor[j])
            orders.append(Double(data.transactions.amountMinor[j]))
        }
        revenue.sort(by: >)
        let top = revenue.prefix(revenue.count / 10).reduce(0, +) / revenue.reduce(0, +)
        #expect(top >= 0.40, "top 10 % of \(profile) customers hold \(top) of revenue")
        orders.sort()
        let median = orders[orders.count / 2]
        let mean = orders.reduce(0, +) / Double(orders.count)
        #expect(mean / median >= 1.4, "order values not skewed: mean \(mean), median \(median)")
        #expect(orders[orders.count - 1] >= 50 * median)
    }

    @Test func purchaseCountsAreOverdispersed() throws {
        let data = try SyntheticFixtures.dataset(.retail)
        var counts = [Double](repeating: 0, count: data.customers.count)
        for c in data.transactions.customer { counts[Int(c)] += 1 }
        let mean = counts.reduce(0, +) / Double(counts.count)
        let variance = counts.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(counts.count)
        #expect(variance >= 3 * mean, "variance \(variance) vs mean \(mean): not gamma–Poisson-like")
    }

    @Test func retailPeaksInDecemberAndOnSaturdays() throws {
        let data = try SyntheticFixtures.dataset(.retail)
        var perMonth = [Double](repeating: 0, count: 12)
        var daysPerMonth = [Double](repeating: 0, count: 12)
        var perWeekday = [Double](repeating: 0, count: 7)
        // Use the last full year of history only (as-of minus 364 days … as-of).
        let first = data.asOf.daysSinceEpoch - 364
        for d in first...data.asOf.daysSinceEpoch {
            daysPerMonth[Synthetic.CalendarDay(daysSinceEpoch: d).components.month - 1] += 1
        }
        for j in 0..<data.transactions.count where data.transactions.amountMinor[j] > 0 {
            let day = Int32(data.transactions.timestamp[j] / 86_400)
            guard day >= first else { continue }
            let date = Synthetic.CalendarDay(daysSinceEpoch: day)
            perMonth[date.components.month - 1] += 1
            perWeekday[date.weekday] += 1
        }
        let daily = zip(perMonth, daysPerMonth).map { $0 / $1 }
        let december = daily[11]
        let ordinary = (daily[8] + daily[9]) / 2  // September–October
        #expect(december >= 1.4 * ordinary, "December \(december)/day vs Sep–Oct \(ordinary)/day")
        #expect(perWeekday[5] >= 1.2 * perWeekday[1], "Saturday \(perWeekday[5]) vs Tuesday \(perWeekday[1])")
    }

    @Test func profilesDifferInShape() throws {
        let retail = try SyntheticFixtures.dataset(.retail)
        let telecom = try SyntheticFixtures.dataset(.telecom)
        let bank = try SyntheticFixtures.dataset(.bank)
        func perCustomer(_ d: Synthetic.Dataset) -> Double { Double(d.transactions.count) / Double(d.customers.count) }
        #expect(perCustomer(bank) >= 3 * perCustomer(retail))

        // Telecom: a long-standing, non-churned customer pays a plan charge in every month.
        let plan = try #require(telecom.transactions.categoryNames.firstIndex(of: "plan"))
        var plans = [Int](repeating: 0, count: telecom.customers.count)
        for j in 0..<telecom.transactions.count
        where telecom.transactions.category[j] == plan && telecom.transactions.amountMinor[j] > 0 {
            plans[Int(telecom.transactions.customer[j])] += 1
        }
        let historyStart = telecom.historyStart.daysSinceEpoch
        var regular = 0
        var eligible = 0
        for i in 0..<telecom.customers.count
        where telecom.customers.churned[i] == false && telecom.customers.signupDay[i] < historyStart {
            eligible += 1
            if plans[i] == 24 { regular += 1 }
        }
        #expect(eligible > 0 && regular == eligible, "\(regular) of \(eligible) telecom customers billed monthly")

        // Bank: many small card payments and a few large transfers.
        let transfer = try #require(bank.transactions.categoryNames.firstIndex(of: "transfer"))
        var transfers = 0
        var large = 0
        for j in 0..<bank.transactions.count where bank.transactions.category[j] == transfer {
            transfers += 1
            if bank.transactions.amountMinor[j] >= 100_000 { large += 1 }
        }
        #expect(transfers > 0 && Double(transfers) < 0.02 * Double(bank.transactions.count))
        #expect(Double(large) >= 0.5 * Double(transfers))
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func surveysCoverAboutThirtyPercentAndTrackChurn(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        let c = data.customers
        let answered = c.nps.compactMap { $0 }.count
        let share = Double(answered) / Double(c.count)
        #expect(abs(share - 0.30) <= 0.03, "NPS answered by \(share)")
        let csatShare = Double(c.csat.compactMap { $0 }.count) / Double(c.count)
        #expect(abs(csatShare - 0.30) <= 0.03, "CSAT answered by \(csatShare)")
        var churnedScores: [Double] = []
        var retainedScores: [Double] = []
        for i in 0..<c.count {
            guard let score = c.nps[i] else { continue }
            if c.churned[i] == true { churnedScores.append(Double(score)) } else { retainedScores.append(Double(score)) }
        }
        let churnedMean = churnedScores.reduce(0, +) / Double(max(churnedScores.count, 1))
        let retainedMean = retainedScores.reduce(0, +) / Double(max(retainedScores.count, 1))
        #expect(retainedMean - churnedMean >= 0.8, "NPS retained \(retainedMean) vs churned \(churnedMean)")
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func groundTruthProbabilitiesAreCalibrated(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        let truth = data.groundTruth
        let meanProbability = truth.churnProbability.reduce(0, +) / Double(truth.count)
        let rate = Double(truth.churned.filter { $0 }.count) / Double(truth.count)
        // Customers who signed up in the last 14 days cannot churn, so the rate is slightly lower.
        #expect(rate <= meanProbability + Self.tolerance(profile))
        #expect(rate >= meanProbability - 0.04, "churn rate \(rate) vs mean probability \(meanProbability)")
        #expect(rate >= 0.05 && rate <= 0.35)
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func channelsCategoriesAndRegionsAllOccur(profile: Synthetic.Profile) throws {
        let data = try SyntheticFixtures.dataset(profile)
        #expect(Set(data.transactions.channel).count == profile.channelNames.count)
        #expect(Set(data.transactions.category).count == profile.categoryNames.count)
        #expect(Set(data.customers.region.compactMap { $0 }) == Set(profile.regionNames))
        #expect(data.transactions.amountMinor.contains { $0 < 0 }, "no refunds")
        let years = data.customers.birthYear.compactMap { $0 }
        #expect((years.min() ?? 0) >= 1925 && (years.max() ?? 0) <= 2008)
    }
}
