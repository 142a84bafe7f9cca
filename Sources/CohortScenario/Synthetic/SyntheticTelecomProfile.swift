extension Synthetic.ProfileSpec {
    /// Telecom: one regular monthly bill per customer (mostly direct debit) plus occasional
    /// add-ons (data, roaming in summer, content, devices at Christmas).
    static let telecom = Synthetic.ProfileSpec(
        defaultIDPrefix: "T",
        currency: "EUR",
        channels: ["app", "web", "store", "phone", "direct-debit"],
        customerChannelCount: 4,
        channelPatterns: [.online, .online, .physical, .physical, .batch],
        categories: ["data-addon", "roaming", "content", "device", "plan"],
        mainCategoryCount: 4,
        mainCategoryWeights: [0.45, 0.20, 0.25, 0.10],
        mainCategoryShift: [0.0, 0.5, -0.2, 3.0],
        monthlyCategory: 4,
        autopayChannel: 4,
        autopayShare: 0.75,
        finalChargeShare: 0.5,
        monthlySigma: 0.10,
        monthSeason: [0.90, 0.90, 0.95, 1.0, 1.0, 1.15, 1.50, 1.50, 1.0, 0.95, 1.0, 1.25],
        weekSeason: [1.0, 1.0, 1.0, 1.0, 1.05, 1.10, 1.05],
        segments: [
            .init(
                name: "family-bundles", weight: 0.18, tenureMeanDays: 2200, satisfaction: 0.6,
                trend: 0.0, churnOffset: -1.4, complaintsPerYear: 0.4, ratePer30: 0.5, rateShape: 2,
                medianAmount: 900, amountSigma: 0.6, monthlyShare: 1, monthlyMedian: 8900,
                channelWeights: [0.40, 0.30, 0.20, 0.10], ageMean: 44),
            .init(
                name: "premium", weight: 0.15, tenureMeanDays: 1600, satisfaction: 0.5, trend: 0.05,
                churnOffset: -1.0, complaintsPerYear: 0.5, ratePer30: 0.9, rateShape: 2,
                medianAmount: 1200, amountSigma: 0.6, monthlyShare: 1, monthlyMedian: 5500,
                channelWeights: [0.55, 0.25, 0.15, 0.05], ageMean: 38),
            .init(
                name: "value", weight: 0.30, tenureMeanDays: 1500, satisfaction: 0.1, trend: 0.0,
                churnOffset: -0.5, complaintsPerYear: 0.3, ratePer30: 0.2, rateShape: 1.5,
                medianAmount: 500, amountSigma: 0.5, monthlyShare: 1, monthlyMedian: 2200,
                channelWeights: [0.35, 0.30, 0.20, 0.15], ageMean: 50),
            .init(
                name: "price-sensitive", weight: 0.22, tenureMeanDays: 700, satisfaction: -0.6,
                trend: -0.5, churnOffset: 0.6, complaintsPerYear: 0.8, ratePer30: 0.25, rateShape: 1.5,
                medianAmount: 500, amountSigma: 0.5, monthlyShare: 1, monthlyMedian: 1800,
                channelWeights: [0.40, 0.30, 0.15, 0.15], ageMean: 31),
            .init(
                name: "new", weight: 0.15, newWithinDays: 240, satisfaction: 0.1, trend: 0.0,
                churnOffset: 0.1, complaintsPerYear: 0.4, ratePer30: 0.4, rateShape: 1.5,
                medianAmount: 800, amountSigma: 0.6, monthlyShare: 1, monthlyMedian: 3500,
                channelWeights: [0.45, 0.30, 0.20, 0.05], ageMean: 34),
        ],
        regions: ["north", "south", "east", "west", "central"],
        regionWeights: [0.18, 0.22, 0.20, 0.22, 0.18],
        grantMethods: ["app", "web-form", "in-store", "call-center"],
        withdrawMethods: ["app", "web-form", "call-center"],
        consentTargets: [0.75, 0.55, 0.40],
        withdrawShare: 0.10,
        observationDays: 30,
        churnBase: -2.5
    )
}
