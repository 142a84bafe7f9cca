extension Study {
    /// Maps a crossed key (one category code per dimension) to a cell index and back.
    ///
    /// The index is mixed-radix with the first dimension most significant:
    /// `index = ((c₀ · r₁ + c₁) · r₂ + c₂) …` where `cᵢ` is the code and `rᵢ` the number of
    /// categories of dimension `i`. Cells are therefore ordered lexicographically by code.
    public struct CellLayout: Sendable, Hashable {
        /// The dimensions, in key order.
        public let dimensions: [Dimension]
        /// Category labels per dimension, in code order.
        public let categories: [[String]]

        /// Creates the layout of `dimensions`; `regions` is the spec's region list and
        /// `attributeValues` its attribute categories.
        public init(dimensions: [Dimension], regions: [String], attributeValues: [String: [String]] = [:]) {
            self.dimensions = dimensions
            self.categories = dimensions.map { $0.categories(regions: regions, attributeValues: attributeValues) }
        }

        /// Number of categories per dimension (the radices).
        public var radices: [Int] { categories.map(\.count) }

        /// Total number of cells (product of the radices).
        public var cellCount: Int { radices.reduce(1, *) }

        /// The cell index of a key, or nil if the key has the wrong length or a code is out of range.
        public func index(of codes: [Int]) -> Int? {
            guard codes.count == categories.count else { return nil }
            var index = 0
            for (code, radix) in zip(codes, radices) {
                guard code >= 0, code < radix else { return nil }
                index = index * radix + code
            }
            return index
        }

        /// The key (one code per dimension) of a cell index in `0..<cellCount`.
        public func codes(ofCell index: Int) -> [Int] {
            var rest = index
            var codes = [Int](repeating: 0, count: categories.count)
            for position in stride(from: categories.count - 1, through: 0, by: -1) {
                let radix = categories[position].count
                codes[position] = rest % radix
                rest /= radix
            }
            return codes
        }

        /// The category labels of a cell index in `0..<cellCount`, one per dimension.
        public func labels(ofCell index: Int) -> [String] {
            zip(codes(ofCell: index), categories).map { code, labels in labels[code] }
        }
    }
}
