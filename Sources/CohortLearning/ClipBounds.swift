extension Learning {
    /// A fixed clip range `[lower, upper]` for one numeric feature, identical on every node (it is
    /// part of the study spec), so that a transformed value means the same thing everywhere.
    public struct ClipBounds: Sendable, Hashable, Codable {
        /// Smallest value kept (smaller values are raised to it), in the feature's units.
        public var lower: Double
        /// Largest value kept (larger values are lowered to it), in the feature's units.
        public var upper: Double

        /// Creates bounds. - Throws: `invalidBounds` unless both are finite and `lower < upper`.
        public init(lower: Double, upper: Double) throws {
            guard lower.isFinite, upper.isFinite, lower < upper else {
                throw LearningError(.invalidBounds, "clip bounds [\(lower), \(upper)] must be finite with lower < upper")
            }
            self.lower = lower
            self.upper = upper
        }

        init(unchecked lower: Double, _ upper: Double) {
            self.lower = lower
            self.upper = upper
        }

        private enum CodingKeys: String, CodingKey { case lower, upper }

        /// Decodes and validates (finite, lower < upper).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            try self.init(lower: try c.decode(Double.self, forKey: .lower), upper: try c.decode(Double.self, forKey: .upper))
        }

        /// `value` clipped into the range and mapped linearly onto `[−halfWidth, halfWidth]`
        /// (NaN maps to the centre). O(1).
        @inlinable
        public func normalized(_ value: Double, halfWidth: Double) -> Double {
            guard !value.isNaN else { return 0 }
            let clipped = min(max(value, lower), upper)
            return ((clipped - lower) / (upper - lower) - 0.5) * 2 * halfWidth
        }

        /// The inverse of ``normalized(_:halfWidth:)`` inside the range. O(1).
        @inlinable
        public func denormalized(_ z: Double, halfWidth: Double) -> Double {
            lower + (z / (2 * halfWidth) + 0.5) * (upper - lower)
        }
    }
}
