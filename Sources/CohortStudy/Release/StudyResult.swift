public import Foundation

extension Study {
    /// The released result of a study. Its canonical JSON (``canonicalJSON()``: sorted keys, no
    /// whitespace, dates as ISO 8601 UTC seconds) is what the lead hashes (SHA-256) and publishes.
    public struct Result: Sendable, Hashable, Codable {
        /// Study identifier.
        public var study: String
        /// Name of the lead node.
        public var lead: String
        /// The spec the study ran with.
        public var spec: Spec
        /// One entry per cell, in cell-index order (``CellLayout``).
        public var cells: [Cell]
        /// One entry per contributing node (lead included), sorted by node name.
        public var participants: [ParticipantSummary]
        /// Total noise variance per coordinate of the summed vector, Σσᵢ², encoded units².
        public var noiseVariance: Double
        /// True if any contribution used simulated noise (no privacy guarantee).
        public var simulatedNoise: Bool
        /// Customers in the study, as released: the sum of every cell's noised count before
        /// suppression (histogram), or of the noised counts of customers with a value (`mean`).
        /// A post-processing of the DP release — no node ever sends its exact count.
        public var releasedCustomers: Double
        /// Standard error of ``releasedCustomers`` from the noise: √(cells · V) (histogram) or
        /// √(cells · V) / Q (mean), in customers.
        public var releasedCustomersStandardError: Double
        /// When the lead started the study (whole seconds are kept).
        public var startedAt: Date
        /// When the last contribution arrived and the result was computed (whole seconds).
        public var completedAt: Date
        /// The model or statistic of a learning study (`kmeans`, `logistic-regression`,
        /// `quantiles`); nil for histogram and mean studies, whose release is ``cells``.
        public var learning: LearningRelease?

        /// Creates a result (normally through ``Aggregation/aggregate(spec:lead:contributions:startedAt:completedAt:)``).
        public init(
            study: String, lead: String, spec: Spec, cells: [Cell], participants: [ParticipantSummary],
            noiseVariance: Double, simulatedNoise: Bool, releasedCustomers: Double,
            releasedCustomersStandardError: Double, startedAt: Date, completedAt: Date,
            learning: LearningRelease? = nil
        ) {
            self.study = study
            self.lead = lead
            self.spec = spec
            self.cells = cells
            self.participants = participants
            self.noiseVariance = noiseVariance
            self.simulatedNoise = simulatedNoise
            self.releasedCustomers = releasedCustomers
            self.releasedCustomersStandardError = releasedCustomersStandardError
            self.startedAt = Self.wholeSeconds(startedAt)
            self.completedAt = Self.wholeSeconds(completedAt)
            self.learning = learning
        }

        /// One released cell. Standard errors account for the DP noise only (not for sampling
        /// variation of customers).
        public struct Cell: Sendable, Hashable, Codable {
            /// Category label per spec dimension.
            public var labels: [String]
            /// Released (noisy) customer count; nil when suppressed. Histogram: integer-valued and
            /// may be negative; mean: `C/Q` (customers with a value).
            public var count: Double?
            /// Standard error of ``count`` from the noise: √V (histogram) or √V/Q (mean).
            public var countStandardError: Double?
            /// Released mean (mean studies only), clamped to `[lower, upper]`; nil when suppressed.
            public var mean: Double?
            /// Delta-method standard error of ``mean`` (see ``Aggregation``); nil when suppressed.
            public var meanStandardError: Double?
            /// True if the cell's released count is below `min_count` (or not positive for a mean).
            public var suppressed: Bool

            /// Creates a cell.
            public init(
                labels: [String], count: Double?, countStandardError: Double?, mean: Double?,
                meanStandardError: Double?, suppressed: Bool
            ) {
                self.labels = labels
                self.count = count
                self.countStandardError = countStandardError
                self.mean = mean
                self.meanStandardError = meanStandardError
                self.suppressed = suppressed
            }

            /// The study's statistic: the mean for `mean` studies, the count otherwise.
            public func value(for kind: Kind) -> Double? { kind == .mean ? mean : count }

            enum CodingKeys: String, CodingKey {
                case labels, count, mean, suppressed
                case countStandardError = "count_standard_error"
                case meanStandardError = "mean_standard_error"
            }
        }

        /// What one node spent. It carries no count of the node's customers: that would be an
        /// exact, un-noised figure (only ``Result/releasedCustomers`` is released).
        public struct ParticipantSummary: Sendable, Hashable, Codable {
            /// Node name.
            public var node: String
            /// ε the node charged.
            public var epsilon: Double
            /// δ of its guarantee.
            public var delta: Double
            /// zCDP ρ the node charged.
            public var rho: Double
            /// Noise variance the node added per coordinate, encoded units².
            public var noiseVariance: Double
            /// True if the node's noise was simulated.
            public var simulatedNoise: Bool

            /// Creates a summary.
            public init(
                node: String, epsilon: Double, delta: Double, rho: Double,
                noiseVariance: Double, simulatedNoise: Bool
            ) {
                self.node = node
                self.epsilon = epsilon
                self.delta = delta
                self.rho = rho
                self.noiseVariance = noiseVariance
                self.simulatedNoise = simulatedNoise
            }

            enum CodingKeys: String, CodingKey {
                case node, epsilon, delta, rho
                case noiseVariance = "noise_variance"
                case simulatedNoise = "simulated_noise"
            }
        }

        enum CodingKeys: String, CodingKey {
            case study, lead, spec, cells, participants, learning
            case noiseVariance = "noise_variance"
            case simulatedNoise = "simulated_noise"
            case releasedCustomers = "released_customers"
            case releasedCustomersStandardError = "released_customers_standard_error"
            case startedAt = "started_at"
            case completedAt = "completed_at"
        }

        static func wholeSeconds(_ date: Date) -> Date {
            Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
        }

        /// The canonical bytes: JSON, sorted keys, no insignificant whitespace, dates ISO 8601
        /// UTC (`2025-04-01T12:00:00Z`). The lead's digest is SHA-256 of exactly these bytes.
        public func canonicalJSON() throws -> Data {
            try Self.encoder(pretty: false).encode(self)
        }

        /// Human-friendly JSON (sorted keys, indented); not the hashed form.
        public func prettyJSON() throws -> Data {
            try Self.encoder(pretty: true).encode(self)
        }

        /// Decodes a result from JSON (canonical or pretty); throws `encoding` if malformed.
        public static func decode(json: Data) throws -> Result {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            do { return try decoder.decode(Result.self, from: json) } catch let error as StudyError {
                throw error
            } catch {
                throw StudyError(.encoding, key: "result_json", "malformed result: \(error)")
            }
        }

        private static func encoder(pretty: Bool) -> JSONEncoder {
            let encoder = JSONEncoder()
            encoder.outputFormatting = pretty
                ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
                : [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            return encoder
        }
    }
}
