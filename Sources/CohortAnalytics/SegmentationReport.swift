extension Analytics {
    /// The node's own (centralized, non-private) segmentation report for `cohort analyze`: counts
    /// per RFM segment, lifecycle stage, value tier and channel band; churn rate and NPS per RFM
    /// segment; a k-means segmentation with cluster profiles; and a churn logistic regression
    /// evaluated on a seeded holdout. Federated studies are compared against it.
    ///
    /// Build with ``build(customers:transactions:asOf:options:)`` (or ``build(features:options:)``),
    /// render with ``renderText()`` or ``renderJSON()``. All amounts are cents; days are days.
    public struct SegmentationReport: Sendable, Equatable, Codable {
        /// As-of day (days since 1970-01-01).
        public var asOfDay: Int32
        /// As-of date `YYYY-MM-DD`.
        public var asOfDate: String
        /// Window length in days.
        public var windowDays: Int32
        /// Number of customers analysed.
        public var customers: Int
        /// Seed of the train/holdout split and k-means seeding.
        public var seed: UInt64
        /// RFM cut points (population quintiles for reference, or the fixed ones used).
        public var rfmCutPoints: RFM.CutPoints
        /// Whether RFM scores are population ranks (`true`) or fixed cut points.
        public var rfmScoredByRank: Bool
        /// Value-tier cut points (cents).
        public var tierCutPoints: ValueTier.CutPoints
        /// All customers together.
        public var overall: SegmentSummary
        /// One row per RFM segment, in code order (all 11, including empty ones).
        public var segments: [SegmentSummary]
        /// Customers per lifecycle stage, in code order.
        public var lifecycleStages: [CategoryCount]
        /// Customers per value tier, in code order.
        public var valueTiers: [CategoryCount]
        /// Customers per channel-dependence band, in code order.
        public var channelBands: [CategoryCount]
        /// The k-means segmentation, or `nil` if there were too few customers.
        public var kmeans: ClusterSegmentation?
        /// The churn model, or `nil` without enough churn labels of both classes.
        public var churnModel: ChurnModel?
        /// Explanations of skipped or degraded parts.
        public var notes: [String]

        /// Per-segment (or overall) figures.
        public struct SegmentSummary: Sendable, Equatable, Codable {
            /// Segment code (``RFMSegment``), or −1 for the overall row.
            public var code: Int
            /// Display name.
            public var name: String
            /// Slug.
            public var slug: String
            /// Customers in the segment.
            public var customers: Int
            /// Share of all customers (0–1).
            public var share: Double
            /// Customers with a known churn flag.
            public var churnLabelled: Int
            /// Of those, churned.
            public var churned: Int
            /// churned / churnLabelled (0–1), `nil` if no labels.
            public var churnRate: Double?
            /// Customers who answered the NPS question.
            public var npsAnswered: Int
            /// NPS in points (−100…100) = % promoters − % detractors among answers, `nil` if none.
            public var nps: Double?
            /// Mean recency (days).
            public var meanRecencyDays: Double
            /// Mean frequency (purchases in the window).
            public var meanFrequency: Double
            /// Mean monetary (cents).
            public var meanMonetaryMinor: Double
            /// Mean historical CLV (cents).
            public var meanCLVMinor: Double
        }

        /// Customers in one category.
        public struct CategoryCount: Sendable, Equatable, Codable {
            /// Category code.
            public var code: Int
            /// Display name.
            public var name: String
            /// Slug.
            public var slug: String
            /// Customers.
            public var customers: Int
            /// Share of all customers (0–1).
            public var share: Double
        }

        /// The k-means part of the report.
        public struct ClusterSegmentation: Sendable, Equatable, Codable {
            /// Chosen number of clusters.
            public var k: Int
            /// How k was chosen: `"fixed"` or `"calinski-harabasz"` (max index over candidates).
            public var selection: String
            /// Candidate k values scored on a seeded sample.
            public var candidates: [Candidate]
            /// Rows in the selection sample.
            public var sampleSize: Int
            /// Feature columns (standardized before clustering).
            public var features: [String]
            /// Standardization fitted on all customers.
            public var standardizer: Standardizer
            /// Inertia of the final clustering in standardized space.
            public var inertia: Double
            /// Lloyd iterations of the final run.
            public var iterations: Int
            /// Whether the final run converged.
            public var converged: Bool
            /// Cluster profiles, ordered by mean monetary (highest first) and numbered 1…k.
            public var clusters: [ClusterProfile]

            /// One candidate k.
            public struct Candidate: Sendable, Equatable, Codable {
                /// Number of clusters.
                public var k: Int
                /// Inertia on the sample (standardized space).
                public var inertia: Double
                /// Calinski–Harabasz index on the sample.
                public var calinskiHarabasz: Double?
            }
        }

        /// Profile of one k-means cluster (means of raw features).
        public struct ClusterProfile: Sendable, Equatable, Codable {
            /// Cluster number 1…k.
            public var cluster: Int
            /// Customers in the cluster.
            public var size: Int
            /// Share of all customers.
            public var share: Double
            /// Mean recency (days).
            public var meanRecencyDays: Double
            /// Mean frequency (purchases in the window).
            public var meanFrequency: Double
            /// Mean monetary (cents).
            public var meanMonetaryMinor: Double
            /// Mean tenure (days).
            public var meanTenureDays: Double
            /// Mean average order value (cents).
            public var meanAOVMinor: Double
            /// Churn rate among labelled members, `nil` if none labelled.
            public var churnRate: Double?
            /// Most common RFM segment of the members.
            public var dominantSegment: String
            /// Centroid in standardized feature space.
            public var centroid: [Double]
        }

        /// The churn logistic regression.
        public struct ChurnModel: Sendable, Equatable, Codable {
            /// Feature columns (standardized inside the model).
            public var features: [String]
            /// Training rows.
            public var trainCount: Int
            /// Holdout rows.
            public var holdoutCount: Int
            /// Churn rate in the training rows.
            public var trainChurnRate: Double
            /// Churn rate in the holdout rows.
            public var holdoutChurnRate: Double
            /// Holdout AUC.
            public var holdoutAUC: Double
            /// Holdout accuracy at ``decisionThreshold``.
            public var holdoutAccuracy: Double
            /// Decision threshold (predict churn when P ≥ it), chosen to maximize accuracy on the
            /// training rows (never on the holdout).
            public var decisionThreshold: Double
            /// Holdout mean log-loss (nats).
            public var holdoutLogLoss: Double
            /// Accuracy of always predicting the majority class of the training rows, on the holdout.
            public var majorityAccuracy: Double
            /// Feature of the naive baseline (`recency_days`: higher recency ⇒ more likely churned).
            public var baselineFeature: String
            /// Holdout AUC of the naive baseline.
            public var baselineAUC: Double
            /// L2 strength λ.
            public var l2: Double
            /// Weights on the standardized scale, by feature.
            public var coefficients: [Coefficient]
            /// Intercept (standardized scale).
            public var intercept: Double
            /// Newton iterations.
            public var iterations: Int

            /// One weight.
            public struct Coefficient: Sendable, Equatable, Codable {
                /// Feature name.
                public var feature: String
                /// Weight per standard deviation of the feature.
                public var weight: Double
            }
        }
    }
}
