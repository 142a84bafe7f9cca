import CohortCore
import CohortPrivacy
public import Foundation

extension Synthetic {
    /// Generates one partner's synthetic customers, transactions, consent and ground truth.
    ///
    /// Customers are simulated in independent chunks of 1 024, each from its own stream
    /// `SeededGenerator(seed).derived(profile).derived(chunk)`, on all cores, and written in chunk
    /// order: the same inputs give the same bytes whatever the scheduling or ``parallel``.
    ///
    /// ```swift
    /// let generator = try Synthetic.Generator(profile: .retail, customers: 10_000, seed: 7)
    /// let summary = try generator.write(to: URL(fileURLWithPath: "data/acme"))
    /// ```
    public struct Generator: Sendable {
        /// The kind of partner to simulate.
        public let profile: Profile
        /// Number of customers to generate.
        public let customers: Int
        /// The seed; all output is a pure function of it and the other parameters.
        public let seed: UInt64
        /// Last day of the two-year history (inclusive).
        public let asOf: CalendarDay
        /// Customer-id prefix (ids are the prefix plus a zero-padded number, e.g. `R000001`).
        public let idPrefix: String
        /// Whether to use all cores (the output is identical either way).
        public var parallel: Bool = true

        /// The default as-of date, 2026-06-30.
        public static let defaultAsOf = CalendarDay(
            daysSinceEpoch: Int32(CalendarDay.daysFromCivil(year: 2026, month: 6, day: 30)))

        /// Largest supported customer count.
        public static let maximumCustomers = 99_999_999

        /// Validates the parameters.
        ///
        /// - Parameters:
        ///   - profile: retail, telecom or bank.
        ///   - customers: number of customers, 0 … 99 999 999.
        ///   - seed: any 64-bit seed.
        ///   - asOf: last day of history (default 2026-06-30); the history covers 730 days.
        ///   - idPrefix: 1–16 characters from `A–Z a–z 0–9 _ -`; default the profile's prefix.
        /// - Throws: ``ScenarioError`` (`invalidArgument`) naming the bad parameter.
        public init(
            profile: Profile, customers: Int, seed: UInt64, asOf: CalendarDay = Generator.defaultAsOf,
            idPrefix: String? = nil
        ) throws {
            guard (0...Self.maximumCustomers).contains(customers) else {
                throw ScenarioError(
                    .invalidArgument,
                    "customers must be between 0 and \(Self.maximumCustomers), got \(customers)")
            }
            let prefix = idPrefix ?? profile.defaultIDPrefix
            let allowed = prefix.utf8.allSatisfy { b in
                (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95
            }
            guard !prefix.isEmpty, prefix.utf8.count <= 16, allowed else {
                throw ScenarioError(
                    .invalidArgument,
                    "id prefix '\(prefix)' must be 1–16 characters from A–Z, a–z, 0–9, '_' and '-'")
            }
            let year = asOf.components.year
            guard (1972...2199).contains(year) else {
                throw ScenarioError(.invalidArgument, "as-of date \(asOf) must be in 1972–2199")
            }
            self.profile = profile
            self.customers = customers
            self.seed = seed
            self.asOf = asOf
            self.idPrefix = prefix
        }

        /// First day of the two-year history.
        public var historyStart: CalendarDay {
            asOf.adding(days: -(GenerationContext.historyDays - 1))
        }

        /// First day of the churn observation window.
        public var observationStart: CalendarDay {
            asOf.adding(days: -(profile.churnObservationDays - 1))
        }

        /// Digits of the numeric part of ids (at least 6).
        var idWidth: Int {
            var digits = 1
            var n = customers
            while n >= 10 {
                n /= 10
                digits += 1
            }
            return max(6, digits)
        }

        var chunkCount: Int {
            (customers + ChunkSimulator.chunkSize - 1) / ChunkSimulator.chunkSize
        }

        private var profileLabel: UInt64 {
            switch profile {
            case .retail: return 1
            case .telecom: return 2
            case .bank: return 3
            }
        }

        /// Simulates chunk `index`.
        func chunk(_ index: Int, context: GenerationContext) -> ChunkData {
            let root = Privacy.SeededGenerator(seed: seed).derived(profileLabel)
            let first = index * ChunkSimulator.chunkSize
            return ChunkSimulator.simulate(
                context: context, firstIndex: first,
                count: min(ChunkSimulator.chunkSize, customers - first),
                generator: root.derived(UInt64(index)))
        }

        /// Writes `customers.csv`, `transactions.csv`, `consent.csv` and `ground_truth.csv` into
        /// `directory` (created if needed; existing files of those names are replaced).
        ///
        /// Memory stays bounded (a batch of chunks at a time). O(customers + transactions).
        /// - Throws: ``ScenarioError`` (`io`) naming the path that could not be written.
        public func write(to directory: URL) throws -> Summary {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw ScenarioError(.io, "cannot create directory \(directory.path): \(error)")
            }
            let customersURL = directory.appendingPathComponent("customers.csv")
            let transactionsURL = directory.appendingPathComponent("transactions.csv")
            let consentURL = directory.appendingPathComponent("consent.csv")
            let truthURL = directory.appendingPathComponent("ground_truth.csv")
            var customersFile = try BufferedFileWriter(url: customersURL)
            var transactionsFile = try BufferedFileWriter(url: transactionsURL)
            var consentFile = try BufferedFileWriter(url: consentURL)
            var truthFile = try BufferedFileWriter(url: truthURL)
            try customersFile.write(ChunkFormatter.customersHeader)
            try transactionsFile.write(ChunkFormatter.transactionsHeader)
            try consentFile.write(ChunkFormatter.consentHeader)
            try truthFile.write(ChunkFormatter.groundTruthHeader)

            let context = GenerationContext(profile: profile, asOf: asOf)
            let formatter = ChunkFormatter(context: context, idPrefix: idPrefix, idWidth: idWidth)
            var transactionCount = 0
            var consentCount = 0
            var churnedCount = 0
            let generator = self
            try ChunkPipeline.run(
                chunkCount: chunkCount, parallel: parallel,
                produce: { index in formatter.format(generator.chunk(index, context: context)) },
                consume: { formatted in
                    try customersFile.write(formatted.customers.bytes)
                    try transactionsFile.write(formatted.transactions.bytes)
                    try consentFile.write(formatted.consent.bytes)
                    try truthFile.write(formatted.groundTruth.bytes)
                    transactionCount += formatted.transactionCount
                    consentCount += formatted.consentCount
                    churnedCount += formatted.churnedCount
                })
            try customersFile.close()
            try transactionsFile.close()
            try consentFile.close()
            try truthFile.close()
            return Summary(
                profile: profile, customersFile: customersURL, transactionsFile: transactionsURL,
                consentFile: consentURL, groundTruthFile: truthURL, customerCount: customers,
                transactionCount: transactionCount, consentEventCount: consentCount,
                churnedCount: churnedCount, historyStart: historyStart,
                observationStart: observationStart, asOf: asOf)
        }

        /// Generates the same data as ``write(to:)`` directly into memory tables.
        ///
        /// O(customers + transactions) time and memory (about 30 bytes per transaction).
        public func generate() -> Dataset {
            let context = GenerationContext(profile: profile, asOf: asOf)
            let formatter = ChunkFormatter(context: context, idPrefix: idPrefix, idWidth: idWidth)
            let spec = context.spec
            var customerTable = CustomerTable()
            var transactions = TransactionTable()
            transactions.channelNames = spec.channels
            transactions.categoryNames = spec.categories
            transactions.currency = spec.currency
            var consent = ConsentTable()
            var truth = GroundTruthTable()
            truth.segmentNames = spec.segments.map(\.name)
            let methods = spec.grantMethods + spec.withdrawMethods
            let purposes = Purpose.allCases
            let generator = self
            ChunkPipeline.run(
                chunkCount: chunkCount, parallel: parallel,
                produce: { index in generator.chunk(index, context: context) },
                consume: { chunk in
                    let base = Int32(chunk.firstIndex)
                    for i in 0..<chunk.count {
                        customerTable.ids.append(String(decoding: formatter.id(chunk.firstIndex + i), as: UTF8.self))
                        customerTable.signupDay.append(chunk.signupDay[i])
                        customerTable.birthYear.append(chunk.birthYear[i] == 0 ? nil : chunk.birthYear[i])
                        customerTable.gender.append(
                            chunk.gender[i] == 255 ? nil : ChunkData.genderNames[Int(chunk.gender[i])])
                        customerTable.region.append(
                            chunk.region[i] == 255 ? nil : spec.regions[Int(chunk.region[i])])
                        customerTable.primaryChannel.append(spec.channels[Int(chunk.primaryChannel[i])])
                        customerTable.nps.append(chunk.nps[i] < 0 ? nil : chunk.nps[i])
                        customerTable.csat.append(chunk.csat[i] < 0 ? nil : chunk.csat[i])
                        customerTable.churned.append(chunk.churnDay[i] != nil)
                        customerTable.churnDay.append(chunk.churnDay[i])
                        truth.segment.append(chunk.segment[i])
                        truth.churnProbability.append(chunk.churnProbability[i])
                        truth.churned.append(chunk.churnDay[i] != nil)
                    }
                    transactions.customer.append(contentsOf: chunk.txCustomer.lazy.map { $0 + base })
                    transactions.timestamp.append(contentsOf: chunk.txTimestamp)
                    transactions.amountMinor.append(contentsOf: chunk.txAmount)
                    transactions.channel.append(contentsOf: chunk.txChannel.lazy.map { UInt16($0) })
                    transactions.category.append(contentsOf: chunk.txCategory.lazy.map { UInt16($0) })
                    for j in 0..<chunk.consentCustomer.count {
                        consent.customer.append(chunk.consentCustomer[j] + base)
                        consent.purpose.append(purposes[Int(chunk.consentPurpose[j])])
                        consent.action.append(chunk.consentWithdraw[j] ? .withdraw : .grant)
                        consent.at.append(chunk.consentAt[j])
                        consent.method.append(methods[Int(chunk.consentMethod[j])])
                        consent.policyVersion.append(ChunkData.policyNames[Int(chunk.consentPolicy[j])])
                    }
                })
            return Dataset(
                profile: profile, asOf: asOf, historyStart: historyStart,
                observationStart: observationStart, customers: customerTable,
                transactions: transactions, consent: consent, groundTruth: truth)
        }
    }
}
