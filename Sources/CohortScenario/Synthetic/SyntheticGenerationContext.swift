#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Synthetic {
    /// Tables derived once from a profile and the as-of date, shared read-only by all chunks.
    struct GenerationContext: Sendable {
        let spec: ProfileSpec
        /// The as-of date (last day of history), days since epoch.
        let asOf: Int32
        /// First day of the two-year history window.
        let historyStart: Int32
        /// First day of the churn observation window.
        let observationStart: Int32
        /// Calendar year of the as-of date.
        let asOfYear: Int
        /// Main-stream seasonality (month × weekday) per day of the history window.
        let seasonByDay: [Double]
        /// Maximum of `seasonByDay`.
        let seasonMax: Double
        /// First day of every calendar month that overlaps the history window.
        let monthStarts: [Int32]
        /// Cumulative weights.
        let segmentCumulative: [Double]
        let regionCumulative: [Double]
        let mainCategoryCumulative: [Double]
        let extraChannelCumulative: [Double]
        let channelCumulativeBySegment: [[Double]]
        let hourCumulativeByChannel: [[Double]]
        /// Log of each segment's median amount.
        let segmentLogMedian: [Double]
        /// Pre-formatted dates of the history window.
        let dates: DateTable

        /// Two years of history: 730 days ending at (and including) the as-of date.
        static let historyDays: Int32 = 730

        init(profile: Profile, asOf: CalendarDay) {
            spec = profile.spec
            self.asOf = asOf.daysSinceEpoch
            historyStart = asOf.daysSinceEpoch - Self.historyDays + 1
            observationStart = asOf.daysSinceEpoch - spec.observationDays + 1
            asOfYear = asOf.components.year

            var season: [Double] = []
            season.reserveCapacity(Int(Self.historyDays))
            var starts: [Int32] = []
            var day = historyStart
            while day <= self.asOf {
                let (_, month, dayOfMonth) = CalendarDay.civil(fromDays: Int(day))
                let weekday = CalendarDay(daysSinceEpoch: day).weekday
                season.append(spec.monthSeason[month - 1] * spec.weekSeason[weekday])
                if dayOfMonth == 1 || day == historyStart {
                    starts.append(day - Int32(dayOfMonth - 1))
                }
                day += 1
            }
            seasonByDay = season
            seasonMax = season.max() ?? 1
            monthStarts = starts

            segmentCumulative = Synthetic.cumulative(spec.segments.map(\.weight))
            regionCumulative = Synthetic.cumulative(spec.regionWeights)
            mainCategoryCumulative = Synthetic.cumulative(spec.mainCategoryWeights)
            extraChannelCumulative = Synthetic.cumulative(
                spec.extraChannelWeights.isEmpty
                    ? Array(repeating: 1, count: spec.customerChannelCount) : spec.extraChannelWeights)
            channelCumulativeBySegment = spec.segments.map { Synthetic.cumulative($0.channelWeights) }
            hourCumulativeByChannel = spec.channelPatterns.map { Synthetic.cumulative($0.hourWeights) }
            segmentLogMedian = spec.segments.map { log($0.medianAmount) }
            dates = DateTable(firstDay: historyStart - 1, lastDay: self.asOf + 1)
        }
    }
}
