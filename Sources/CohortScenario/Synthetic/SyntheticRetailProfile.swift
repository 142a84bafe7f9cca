extension Synthetic.ProfileSpec {
    /// Retail: many small irregular orders, heavy-tailed values, strong November–December peak.
    static let retail = Synthetic.ProfileSpec(
        defaultIDPrefix: "R",
        currency: "EUR",
        channels: ["web", "app", "store", "phone"],
        customerChannelCount: 4,
        channelPatterns: [.online, .online, .physical, .physical],
        categories: ["apparel", "electronics", "grocery", "home", "beauty", "sports", "toys", "books"],
        mainCategoryCount: 8,
        mainCategoryWeights: [0.22, 0.08, 0.20, 0.12, 0.12, 0.08, 0.08, 0.10],
        mainCategoryShift: [0.1, 1.1, -0.5, 0.4, -0.3, 0.2, 0.0, -0.6],
        monthSeason: [0.85, 0.80, 0.92, 0.95, 1.0, 0.95, 0.90, 0.92, 0.95, 1.0, 1.30, 1.75],
        weekSeason: [0.90, 0.90, 0.95, 1.0, 1.10, 1.30, 0.85],
        segments: [
            .init(
                name: "champions", weight: 0.14, tenureMeanDays: 1500, satisfaction: 1.0, trend: 0.05,
                churnOffset: -1.6, complaintsPerYear: 0.3, ratePer30: 1.15, rateShape: 3,
                medianAmount: 4500, amountSigma: 0.55, bigTicketShare: 0.01,
                channelWeights: [0.40, 0.35, 0.20, 0.05], ageMean: 42),
            .init(
                name: "bargain-hunters", weight: 0.26, tenureMeanDays: 900, satisfaction: 0.0,
                trend: 0.0, churnOffset: -0.4, complaintsPerYear: 0.4, ratePer30: 0.45, rateShape: 1.5,
                medianAmount: 1700, amountSigma: 0.5,
                channelWeights: [0.50, 0.35, 0.12, 0.03], ageMean: 35),
            .init(
                name: "big-spenders", weight: 0.12, tenureMeanDays: 1300, satisfaction: 0.4,
                trend: 0.0, churnOffset: -0.9, complaintsPerYear: 0.3, ratePer30: 0.12, rateShape: 1.2,
                medianAmount: 16000, amountSigma: 0.8, bigTicketShare: 0.08,
                channelWeights: [0.35, 0.15, 0.45, 0.05], ageMean: 48),
            .init(
                name: "new", weight: 0.18, newWithinDays: 270, satisfaction: 0.2, trend: 0.0,
                churnOffset: 0.2, complaintsPerYear: 0.3, ratePer30: 0.5, rateShape: 1.2,
                medianAmount: 3500, amountSigma: 0.6, bigTicketShare: 0.01,
                channelWeights: [0.45, 0.40, 0.12, 0.03], ageMean: 33),
            .init(
                name: "lapsing", weight: 0.30, tenureMeanDays: 1100, satisfaction: -0.7, trend: -1.0,
                churnOffset: 0.5, complaintsPerYear: 0.6, ratePer30: 0.4, rateShape: 1.5,
                medianAmount: 3000, amountSigma: 0.6, bigTicketShare: 0.01,
                channelWeights: [0.35, 0.25, 0.30, 0.10], ageMean: 45),
        ],
        regions: ["north", "south", "east", "west", "central"],
        regionWeights: [0.20, 0.25, 0.15, 0.20, 0.20],
        grantMethods: ["web-form", "app", "in-store", "call-center"],
        withdrawMethods: ["web-form", "app", "email"],
        consentTargets: [0.80, 0.60, 0.45],
        withdrawShare: 0.08,
        observationDays: 180,
        churnBase: -2.0
    )
}
