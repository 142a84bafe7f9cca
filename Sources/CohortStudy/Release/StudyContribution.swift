import CohortPrivacy
extension Study {
    /// A node's exact (not yet noised) contribution to a study, computed locally from its
    /// consenting customers. Never leaves the node in this form: see ``noised(study:round:plan:noise:)``.
    ///
    /// Vector layout (``values``), length ``Study/Spec/coordinateCount``:
    /// - `histogram`: `values[c]` = number of customers in cell `c` (``CellLayout`` index);
    /// - `mean`: `values[c]` = encoded clamped sum of cell `c`, `values[cells + c]` = encoded count
    ///   of cell `c` (`Q` per customer, see ``FixedPoint``).
    public struct Contribution: Sendable, Hashable {
        /// The study kind the vector belongs to.
        public let kind: Kind
        /// The exact integer vector (encoded units).
        public let values: [Int64]
        /// Customers that contributed to the vector (for `mean`: those with a measure value).
        /// Exact, so it never leaves the node: it is audited locally only.
        public let rowsUsed: Int
        /// Customers read (all consenting customers handed in, including those without a value).
        public let rowsRead: Int
        /// Per-customer bound on the change of ``values``.
        public let sensitivity: Sensitivity

        /// Computes the contribution. O(customers × dimensions).
        ///
        /// - Parameters:
        ///   - spec: the study.
        ///   - codes: one array per spec dimension (same order), each with one category code per
        ///     customer (index into ``Dimension/categories(regions:)``).
        ///   - measures: for `mean`, one value per customer in the measure's unit (`nil` = not
        ///     available → the customer is left out of the study); must be `nil` for `histogram`.
        /// - Throws: ``StudyError`` (`invalidInput`) naming the dimension and row of a bad code,
        ///   a length mismatch, or a NaN measure value.
        public static func compute(spec: Spec, codes: [[UInt16]], measures: [Double?]? = nil) throws -> Contribution {
            let layout = spec.layout
            let radices = layout.radices
            guard codes.count == radices.count else {
                throw StudyError(
                    .invalidInput, key: "codes",
                    "expected \(radices.count) code arrays (one per dimension), got \(codes.count)")
            }
            let rows = codes.first?.count ?? 0
            for (d, column) in codes.enumerated() where column.count != rows {
                throw StudyError(
                    .invalidInput, key: "codes[\(d)]",
                    "dimension \(spec.dimensions[d].rawValue) has \(column.count) rows, expected \(rows)")
            }
            switch spec.kind {
            case .histogram:
                guard measures == nil else {
                    throw StudyError(.invalidInput, key: "measures", "a histogram study takes no measure values")
                }
            case .mean:
                guard let measures else {
                    throw StudyError(.invalidInput, key: "measures", "a mean study needs measure values")
                }
                guard measures.count == rows else {
                    throw StudyError(
                        .invalidInput, key: "measures", "got \(measures.count) values for \(rows) customers")
                }
            case .kmeans, .logisticRegression, .quantiles, .evaluation:
                throw StudyError(
                    .invalidInput, key: "kind", "a \(spec.kind.rawValue) study's contributions come from its learning algorithm")
            }
            let cells = layout.cellCount
            var values = [Int64](repeating: 0, count: spec.coordinateCount)
            var used = 0
            let q = FixedPoint.resolution
            let mean = spec.mean
            for row in 0..<rows {
                var cell = 0
                for d in 0..<radices.count {
                    let code = Int(codes[d][row])
                    guard code < radices[d] else {
                        throw StudyError(
                            .invalidInput, key: "codes[\(d)][\(row)]",
                            "code \(code) is out of range for \(spec.dimensions[d].rawValue) (\(radices[d]) categories)")
                    }
                    cell = cell * radices[d] + code
                }
                if let mean, let measures {
                    guard let value = measures[row] else { continue }
                    guard !value.isNaN else {
                        throw StudyError(.invalidInput, key: "measures[\(row)]", "value is NaN")
                    }
                    values[cell] += FixedPoint.encode(value, lower: mean.lower, upper: mean.upper)
                    values[cells + cell] += q
                } else {
                    values[cell] += 1
                }
                used += 1
            }
            return Contribution(
                kind: spec.kind, values: values, rowsUsed: used, rowsRead: rows,
                sensitivity: Sensitivity.of(spec))
        }

        /// Adds the planned noise through `noise` and returns the wire form (values mod 2^64) with
        /// the plan's cost (``NoisePlan/cost()``, what the ledger charged). Its `sigma_squared` is
        /// the variance the source reports having added: the plan's exact σ² for the node's
        /// discrete Gaussian, whatever a simulated source added otherwise.
        ///
        /// The noise source must report at least `plan.sigmaSquared` unless it declares itself
        /// simulated (tests and simulations); otherwise this throws `invalidNoise` and nothing
        /// should be sent.
        public func noised(
            study: String, round: Int, plan: NoisePlan, noise: inout some NoiseSource
        ) throws -> ContributionMessage {
            guard plan.coordinates == values.count else {
                throw StudyError(
                    .invalidNoise, key: "plan.coordinates",
                    "the plan is for \(plan.coordinates) coordinates, the contribution has \(values.count)")
            }
            var noisy = values
            let report = try noise.addNoise(to: &noisy, sigmaSquared: plan.sigmaSquared)
            guard noisy.count == values.count else {
                throw StudyError(.invalidNoise, "the noise source changed the vector length")
            }
            guard report.sigmaSquared.isFinite, report.sigmaSquared >= 0,
                  report.simulated || report.sigmaSquared >= plan.sigmaSquared * (1 - 1e-12) else {
                throw StudyError(
                    .invalidNoise,
                    "the noise source reports variance \(report.sigmaSquared), the plan needs \(plan.sigmaSquared)")
            }
            var cost = try plan.cost()
            if try ContributionMessage.noiseVariance(of: cost) != report.sigmaSquared {
                // Only a source that added other noise than the exact plan (a simulated one, or
                // more noise) gets here: the parameters state the noise in the vector.
                cost.parameters[ContributionMessage.noiseVarianceKey(of: cost)] = "\(report.sigmaSquared)"
            }
            return ContributionMessage(
                study: study, round: round, values: noisy.map { UInt64(bitPattern: $0) }, cost: cost,
                simulated: report.simulated)
        }
    }
}

extension Study.Spec {
    /// Length of a contribution vector: cells for `histogram`, 2 × cells for `mean`; 0 for the
    /// learning kinds, whose every round has its own length (``Study/LearningAlgorithm``).
    public var coordinateCount: Int {
        switch kind {
        case .histogram: return layout.cellCount
        case .mean: return 2 * layout.cellCount
        case .kmeans, .logisticRegression, .quantiles, .evaluation: return 0
        }
    }
}
