public import CohortAnalytics

extension Study {
    /// The `rfm_cut_points:` option of a histogram or mean study with an `rfm_segment`
    /// dimension: score R, F and M against cut points shared by the consortium instead of each
    /// node's own quintiles, so that "champions" means the same customers at every partner.
    ///
    /// Either the cut points themselves (four ascending values each: recency in days, frequency
    /// in purchases, monetary in minor currency units), or `study: <id>` naming a published
    /// `quantiles` study with the quintile probabilities, whose released quantiles every node
    /// reads from its own stored copy of that result.
    public enum RFMCutPoints: Sendable, Hashable {
        /// Fixed cut points given in the spec.
        case given(Analytics.RFM.CutPoints)
        /// The cut points released by this earlier `quantiles` study.
        case released(study: String)
    }
}
