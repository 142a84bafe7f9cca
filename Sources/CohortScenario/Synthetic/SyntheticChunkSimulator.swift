import CohortPrivacy

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Synthetic {
    /// Simulates the customers of one chunk from the chunk's own seeded stream.
    ///
    /// The latent model, per customer:
    /// - segment `k` drawn from the profile's shares; signup from the segment's tenure;
    /// - satisfaction `s ~ N(μₖ, 1)`, log-rate trend `τ ~ N(τₖ, 0.25)` per year, activity
    ///   multiplier `g ~ Gamma(shapeₖ, 1/shapeₖ)` (gamma–Poisson heterogeneity), complaints
    ///   `c ~ Poisson(rateₖ · e^{−s/2} · years active)`;
    /// - churn log-odds `β₀ + βₖ − 0.9 s − 0.9 τ + 0.3 min(c, 5) − 0.35 ln(1 + tenure years)
    ///   − 0.35 ln g`; `churned ~ Bernoulli(p)`, with the churn day uniform in the observation
    ///   window (at least 14 days after signup);
    /// - main activity: a thinned Poisson process with intensity
    ///   `g·rateₖ · season(month, weekday) · e^{τ·t} · preChurn(t)`, where activity fades
    ///   linearly to 25 % over the 90 days before the churn day and stops at it;
    /// - monthly charges (telecom plan, bank fees) on a fixed billing day; rare large events
    ///   (bank transfers, Pareto); each complaint refunds part of an earlier transaction;
    /// - NPS/CSAT for about 30 %, driven by satisfaction and complaints.
    struct ChunkSimulator {
        /// One transaction of the customer being simulated.
        private struct Event: Comparable {
            var ts: Int64
            var amount: Int64
            var channel: UInt8
            var category: UInt8

            static func < (a: Event, b: Event) -> Bool {
                if a.ts != b.ts { return a.ts < b.ts }
                if a.amount != b.amount { return a.amount < b.amount }
                if a.channel != b.channel { return a.channel < b.channel }
                return a.category < b.category
            }
        }

        /// One consent event of the customer being simulated.
        private struct ConsentEvent: Comparable {
            var at: Int64
            var purpose: UInt8
            var withdraw: Bool
            var method: UInt8
            var policy: UInt8

            static func < (a: ConsentEvent, b: ConsentEvent) -> Bool {
                if a.at != b.at { return a.at < b.at }
                if a.purpose != b.purpose { return a.purpose < b.purpose }
                return !a.withdraw && b.withdraw
            }
        }

        /// Number of customers per chunk. Part of the output definition: changing it changes
        /// the bytes generated for a seed.
        static let chunkSize = 1024

        /// Generates customers `firstIndex ..< firstIndex + count` from `generator`.
        static func simulate(
            context c: GenerationContext, firstIndex: Int, count: Int,
            generator: Privacy.SeededGenerator
        ) -> ChunkData {
            var s = Sampler(generator)
            let spec = c.spec
            let meanRate = spec.segments.reduce(0) { $0 + $1.weight * $1.ratePer30 }
            var data = ChunkData(
                firstIndex: firstIndex, expectedCustomers: count,
                expectedTransactions: count * Int(meanRate * 24 + 30))
            var events: [Event] = []
            events.reserveCapacity(1024)
            var consents: [ConsentEvent] = []
            consents.reserveCapacity(8)

            let asOf = c.asOf
            let historyStart = c.historyStart
            let mid = Double(asOf) - 365
            let endOfHistory = (Int64(asOf) + 1) * 86_400

            func timestamp(day: Int32, channel: Int, sampler s: inout Sampler) -> Int64 {
                let hour = s.categorical(c.hourCumulativeByChannel[channel])
                return Int64(day) * 86_400 + Int64(hour * 3600 + s.int(below: 3600))
            }

            for local in 0..<count {
                // Segment, signup and demographics.
                let k = s.categorical(c.segmentCumulative)
                let seg = spec.segments[k]
                let signup: Int32
                if let within = seg.newWithinDays {
                    signup = asOf - Int32(s.int(below: Int(within)))
                } else {
                    let tenure = 30 + s.gamma(shape: 2, scale: seg.tenureMeanDays / 2)
                    signup = asOf - Int32(min(tenure, 15 * 365))
                }
                let age = min(max(s.normal(mean: seg.ageMean, sd: seg.ageSD), 18), 95)
                let birthYear: Int16 = s.bernoulli(0.05) ? 0 : Int16(c.asOfYear - Int(age))
                let g = s.uniform()
                let gender: UInt8 = g < 0.49 ? 0 : (g < 0.96 ? 1 : (g < 0.975 ? 2 : 255))
                let region: UInt8 = s.bernoulli(0.01) ? 255 : UInt8(s.categorical(c.regionCumulative))
                let primary = s.categorical(c.channelCumulativeBySegment[k])

                // Latent behaviour.
                let satisfaction = s.normal(mean: seg.satisfaction, sd: 1)
                let trend = s.normal(mean: seg.trend, sd: 0.25)
                let activity = s.gamma(shape: seg.rateShape, scale: 1 / seg.rateShape)
                let lambda = seg.ratePer30 / 30 * activity
                let logMedian = c.segmentLogMedian[k] + s.normal(mean: 0, sd: 0.35)
                let favourite = s.categorical(c.mainCategoryCumulative)
                let activeStart = max(signup, historyStart)
                let yearsActive = Double(asOf + 1 - activeStart) / 365
                let complaints = s.poisson(seg.complaintsPerYear * exp(-0.5 * satisfaction) * yearsActive)
                let tenureYears = Double(asOf - signup) / 365

                // Churn.
                let logit = spec.churnBase + seg.churnOffset - 0.9 * satisfaction - 0.9 * trend
                    + 0.3 * Double(min(complaints, 5)) - 0.35 * log1p(tenureYears)
                    - 0.35 * log(max(activity, 1e-6))
                let probability = 1 / (1 + exp(-logit))
                let churnDraw = s.uniform()
                let earliestChurn = max(c.observationStart, signup + 14)
                var churnDay: Int32? = nil
                if churnDraw < probability, earliestChurn <= asOf {
                    churnDay = earliestChurn + Int32(s.int(below: Int(asOf - earliestChurn + 1)))
                }
                let end = churnDay ?? (asOf + 1)  // exclusive
                let endSeconds = min(Int64(end) * 86_400, endOfHistory)
                let fadeStart = Double(end) - 90

                events.removeAll(keepingCapacity: true)

                // Main stream: thinned inhomogeneous Poisson process.
                if lambda > 0, end > activeStart {
                    let t0 = Double(activeStart)
                    let t1 = Double(end)
                    let trendMax = exp(max(trend * (t0 - mid) / 365, trend * (t1 - mid) / 365))
                    let majorant = lambda * c.seasonMax * trendMax
                    let channelCumulative = c.channelCumulativeBySegment[k]
                    var t = t0
                    while true {
                        t += s.exponential(mean: 1 / majorant)
                        if t >= t1 { break }
                        let day = Int32(t)
                        var rate = lambda * c.seasonByDay[Int(day - historyStart)]
                            * exp(trend * (t - mid) / 365)
                        if churnDay != nil, t > fadeStart {
                            rate *= 0.25 + 0.75 * (t1 - t) / 90
                        }
                        if s.uniform() * majorant >= rate { continue }
                        let channel = s.bernoulli(0.7) ? primary : s.categorical(channelCumulative)
                        let category = s.bernoulli(0.35) ? favourite : s.categorical(c.mainCategoryCumulative)
                        let amount: Double
                        if seg.bigTicketShare > 0, s.bernoulli(seg.bigTicketShare) {
                            amount = s.pareto(scale: 3 * exp(logMedian), alpha: 1.6)
                        } else {
                            amount = s.logNormal(
                                mu: logMedian + spec.mainCategoryShift[category], sigma: seg.amountSigma)
                        }
                        events.append(Event(
                            ts: timestamp(day: day, channel: channel, sampler: &s),
                            amount: Int64(min(max(amount, 50), 50_000_000).rounded()),
                            channel: UInt8(channel), category: UInt8(category)))
                    }
                }

                // Monthly charge on a fixed billing day.
                if let monthlyCategory = spec.monthlyCategory, let autopayChannel = spec.autopayChannel,
                    seg.monthlyShare > 0, s.bernoulli(seg.monthlyShare)
                {
                    let base = seg.monthlyMedian * s.logNormal(mu: 0, sigma: 0.25)
                    let billingDay = Int32(1 + s.int(below: 28))
                    let channel = s.bernoulli(spec.autopayShare) ? autopayChannel : primary
                    var lastBill: Int32? = nil
                    for monthStart in c.monthStarts {
                        let day = monthStart + billingDay - 1
                        if day < activeStart || day >= end { continue }
                        lastBill = day
                        var amount = base
                        if spec.monthlySigma > 0 {
                            amount *= s.logNormal(mu: 0, sigma: spec.monthlySigma)
                        }
                        if churnDay != nil, Double(day) > fadeStart {
                            amount *= 0.6 + 0.4 * (Double(end) - Double(day)) / 90
                        }
                        let cents = spec.monthlySigma > 0 ? amount.rounded() : (amount / 10).rounded() * 10
                        events.append(Event(
                            ts: timestamp(day: day, channel: channel, sampler: &s),
                            amount: Int64(max(cents, 10)),
                            channel: UInt8(channel), category: UInt8(monthlyCategory)))
                    }
                    // Final invoice on the churn day, prorated since the last regular charge.
                    if let churnDay, churnDay >= activeStart, s.bernoulli(spec.finalChargeShare) {
                        let days = Double(churnDay - (lastBill ?? activeStart))
                        let prorated = base * min(max(days / 30, 0.1), 1)
                        events.append(Event(
                            ts: timestamp(day: churnDay, channel: channel, sampler: &s),
                            amount: Int64(max(prorated.rounded(), 10)),
                            channel: UInt8(channel), category: UInt8(monthlyCategory)))
                    }
                }

                // Rare large events (Pareto-tailed transfers).
                if let extraCategory = spec.extraCategory, seg.extraPer30 > 0, end > activeStart {
                    let n = s.poisson(seg.extraPer30 / 30 * activity.squareRoot() * Double(end - activeStart))
                    for _ in 0..<n {
                        let day = activeStart + Int32(s.int(below: Int(end - activeStart)))
                        let channel = s.categorical(c.extraChannelCumulative)
                        let amount = min(s.pareto(scale: spec.extraScale, alpha: spec.extraAlpha), 10_000_000)
                        events.append(Event(
                            ts: timestamp(day: day, channel: channel, sampler: &s),
                            amount: Int64(amount.rounded()),
                            channel: UInt8(channel), category: UInt8(extraCategory)))
                    }
                }

                // Complaints: each refunds part of an earlier transaction, if it can be placed
                // before the churn day and the as-of date.
                let purchases = events.count
                if purchases > 0 {
                    for _ in 0..<complaints {
                        let original = events[s.int(below: purchases)]
                        let delay = Int64(1 + s.int(below: 20)) * 86_400 + Int64(s.int(below: 3600))
                        let ts = original.ts + delay
                        let fraction = s.bernoulli(0.5) ? 1 : 0.2 + 0.6 * s.uniform()
                        guard ts < endSeconds else { continue }
                        let refund = max(1, (Double(original.amount) * fraction).rounded())
                        events.append(Event(
                            ts: ts, amount: -Int64(refund),
                            channel: original.channel, category: original.category))
                    }
                }
                events.sort()
                for event in events {
                    data.txCustomer.append(Int32(local))
                    data.txTimestamp.append(event.ts)
                    data.txAmount.append(event.amount)
                    data.txChannel.append(event.channel)
                    data.txCategory.append(event.category)
                }

                // Survey answers for about 30 %.
                let cappedComplaints = Double(min(complaints, 4))
                var nps: Int8 = -1
                var csat: Int8 = -1
                let responded = s.bernoulli(0.30)
                if responded {
                    let raw = 6.9 + 1.5 * satisfaction - 0.4 * cappedComplaints + 1.3 * s.normal()
                    nps = Int8(min(max(raw.rounded(), 0), 10))
                }
                if s.bernoulli(responded ? 0.85 : 0.06) {
                    let raw = 3.7 + 0.6 * satisfaction - 0.15 * cappedComplaints + 0.7 * s.normal()
                    csat = Int8(min(max(raw.rounded(), 1), 5))
                }

                // Consent per purpose; a shared uniform makes purposes positively correlated.
                consents.removeAll(keepingCapacity: true)
                let common = s.uniform()
                let consentProgramStart = historyStart - 180
                for purpose in 0..<3 {
                    let u = s.bernoulli(0.75) ? common : s.uniform()
                    let target = spec.consentTargets[purpose]
                    let ever = min(1, target / (1 - spec.withdrawShare))
                    guard u < ever else { continue }
                    var grantDay: Int32
                    if signup >= consentProgramStart {
                        grantDay = signup + (s.bernoulli(0.8) ? 0 : Int32(s.exponential(mean: 30)))
                    } else {
                        grantDay = consentProgramStart + Int32(s.exponential(mean: 60))
                    }
                    grantDay = min(grantDay, asOf)
                    let grantAt = timestamp(day: grantDay, channel: primary, sampler: &s)
                    consents.append(ConsentEvent(
                        at: grantAt, purpose: UInt8(purpose), withdraw: false, method: UInt8(primary),
                        policy: grantDay <= asOf - 365 ? 0 : 1))
                    if u >= target, grantDay < asOf {
                        let withdrawDay = grantDay + 1 + Int32(s.int(below: Int(asOf - grantDay)))
                        consents.append(ConsentEvent(
                            at: Int64(withdrawDay) * 86_400 + Int64(s.int(below: 86_400)),
                            purpose: UInt8(purpose), withdraw: true,
                            method: UInt8(spec.customerChannelCount + s.int(below: spec.withdrawMethods.count)),
                            policy: withdrawDay <= asOf - 365 ? 0 : 1))
                    }
                }
                consents.sort()
                for consent in consents {
                    data.consentCustomer.append(Int32(local))
                    data.consentPurpose.append(consent.purpose)
                    data.consentWithdraw.append(consent.withdraw)
                    data.consentAt.append(consent.at)
                    data.consentMethod.append(consent.method)
                    data.consentPolicy.append(consent.policy)
                }

                data.signupDay.append(signup)
                data.birthYear.append(birthYear)
                data.gender.append(gender)
                data.region.append(region)
                data.primaryChannel.append(UInt8(primary))
                data.nps.append(nps)
                data.csat.append(csat)
                data.churnDay.append(churnDay)
                data.segment.append(UInt8(k))
                data.churnProbability.append(probability)
            }
            data.count = count
            return data
        }
    }
}
