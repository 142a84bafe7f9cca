#if canImport(CohortAnalytics)
public import CohortAnalytics

extension Synthetic.Dataset {
    /// The generated customers and transactions as the analytics module's tables, for running
    /// studies on synthetic data without a CSV round trip. O(customers + transactions) copies.
    public var analyticsTables: (customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable) {
        let c = customers
        let t = transactions
        return (
            Analytics.CustomerTable(
                ids: c.ids, signupDay: c.signupDay, birthYear: c.birthYear, gender: c.gender,
                region: c.region, primaryChannel: c.primaryChannel, nps: c.nps, csat: c.csat,
                churned: c.churned, churnDay: c.churnDay),
            Analytics.TransactionTable(
                customer: t.customer, timestamp: t.timestamp, amountMinor: t.amountMinor,
                channel: t.channel, category: t.category, channelNames: t.channelNames,
                categoryNames: t.categoryNames)
        )
    }
}
#endif
