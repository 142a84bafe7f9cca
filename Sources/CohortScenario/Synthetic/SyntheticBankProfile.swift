extension Synthetic.ProfileSpec {
    /// Bank: many card payments (weekday and Friday/Saturday peaks, December and summer highs),
    /// monthly account fees for most customers and a few large Pareto-tailed transfers.
    static let bank = Synthetic.ProfileSpec(
        defaultIDPrefix: "B",
        currency: "EUR",
        channels: ["pos", "online", "app", "branch", "account"],
        customerChannelCount: 4,
        channelPatterns: [.physical, .online, .online, .physical, .batch],
        categories: [
            "groceries", "dining", "fuel", "shopping", "travel", "utilities", "entertainment",
            "fees", "transfer",
        ],
        mainCategoryCount: 7,
        mainCategoryWeights: [0.30, 0.18, 0.12, 0.20, 0.05, 0.08, 0.07],
        mainCategoryShift: [-0.2, 0.0, 0.3, 0.4, 1.5, 0.8, 0.0],
        monthlyCategory: 7,
        autopayChannel: 4,
        autopayShare: 1,
        finalChargeShare: 0.5,
        monthlySigma: 0,
        extraCategory: 8,
        extraChannelWeights: [0, 0.5, 0.3, 0.2],
        extraScale: 80_000,
        extraAlpha: 1.4,
        monthSeason: [0.90, 0.88, 0.95, 0.98, 1.0, 1.02, 1.12, 1.12, 1.0, 1.0, 1.05, 1.30],
        weekSeason: [0.95, 0.97, 1.0, 1.02, 1.15, 1.20, 0.70],
        segments: [
            .init(
                name: "premium", weight: 0.12, tenureMeanDays: 3000, satisfaction: 0.6, trend: 0.0,
                churnOffset: -1.3, complaintsPerYear: 0.3, ratePer30: 7, rateShape: 3,
                medianAmount: 4200, amountSigma: 0.8, monthlyShare: 0.9, monthlyMedian: 1200,
                extraPer30: 0.25, channelWeights: [0.45, 0.35, 0.15, 0.05], ageMean: 52),
            .init(
                name: "everyday", weight: 0.35, tenureMeanDays: 2500, satisfaction: 0.2, trend: 0.0,
                churnOffset: -0.8, complaintsPerYear: 0.3, ratePer30: 4, rateShape: 2.5,
                medianAmount: 2500, amountSigma: 0.75, monthlyShare: 0.6, monthlyMedian: 450,
                extraPer30: 0.05, channelWeights: [0.55, 0.25, 0.15, 0.05], ageMean: 45),
            .init(
                name: "young", weight: 0.15, tenureMeanDays: 900, satisfaction: 0.1, trend: 0.15,
                churnOffset: -0.2, complaintsPerYear: 0.2, ratePer30: 3.5, rateShape: 2,
                medianAmount: 1200, amountSigma: 0.7, monthlyShare: 0.1, monthlyMedian: 200,
                extraPer30: 0.01, channelWeights: [0.45, 0.40, 0.15, 0.0], ageMean: 22, ageSD: 3),
            .init(
                name: "dormant", weight: 0.23, tenureMeanDays: 1800, satisfaction: -0.5, trend: -0.8,
                churnOffset: 0.5, complaintsPerYear: 0.5, ratePer30: 0.8, rateShape: 1.2,
                medianAmount: 2000, amountSigma: 0.75, monthlyShare: 0.7, monthlyMedian: 450,
                extraPer30: 0.01, channelWeights: [0.50, 0.20, 0.10, 0.20], ageMean: 50),
            .init(
                name: "new", weight: 0.15, newWithinDays: 240, satisfaction: 0.2, trend: 0.1,
                churnOffset: 0.1, complaintsPerYear: 0.3, ratePer30: 3, rateShape: 1.5,
                medianAmount: 2200, amountSigma: 0.75, monthlyShare: 0.5, monthlyMedian: 450,
                extraPer30: 0.03, channelWeights: [0.45, 0.35, 0.20, 0.0], ageMean: 35),
        ],
        regions: ["north", "south", "east", "west", "central"],
        regionWeights: [0.22, 0.18, 0.20, 0.18, 0.22],
        grantMethods: ["branch-form", "online-banking", "app", "branch-form"],
        withdrawMethods: ["online-banking", "app", "letter"],
        consentTargets: [0.70, 0.50, 0.35],
        withdrawShare: 0.06,
        observationDays: 30,
        churnBase: -2.9
    )
}
