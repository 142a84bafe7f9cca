/// A line chart of one or more series of points, as inline SVG: a ROC curve, a calibration plot.
/// Optionally draws the diagonal y = x (chance for ROC, perfect calibration).
public struct LineChart: Sendable, Hashable {
    /// A point.
    public struct Point: Sendable, Hashable {
        /// Horizontal value.
        public var x: Double
        /// Vertical value.
        public var y: Double

        /// Creates a point.
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// One line.
    public struct Series: Sendable, Hashable {
        /// Legend name.
        public var name: String
        /// Points, drawn in order.
        public var points: [Point]
        /// Draw a dot at every point (calibration bins).
        public var markers: Bool

        /// Creates a series.
        public init(name: String, points: [Point], markers: Bool = false) {
            self.name = name
            self.points = points
            self.markers = markers
        }
    }

    /// Accessible title.
    public var title: String
    /// The lines.
    public var series: [Series]
    /// Horizontal axis label.
    public var xLabel: String
    /// Vertical axis label.
    public var yLabel: String
    /// Fixed horizontal range (e.g. 0…1); from the data when nil.
    public var xDomain: ClosedRange<Double>?
    /// Fixed vertical range; from the data when nil.
    public var yDomain: ClosedRange<Double>?
    /// Draw the line y = x, with this legend name; none when nil.
    public var diagonal: String?

    /// Creates a chart.
    public init(title: String, series: [Series], xLabel: String, yLabel: String, xDomain: ClosedRange<Double>? = nil, yDomain: ClosedRange<Double>? = nil, diagonal: String? = nil) {
        self.title = title
        self.series = series
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xDomain = xDomain
        self.yDomain = yDomain
        self.diagonal = diagonal
    }

    /// The chart as an `<svg>` element (400 × 380 units). O(points).
    public func svg() -> String {
        let width = 400.0, height = 380.0, left = 52.0, right = 14.0, top = 40.0, bottom = 46.0
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xScale = ChartScale(covering: xs, start: left, end: width - right, fixed: xDomain)
        let yScale = ChartScale(covering: ys, start: height - bottom, end: top, fixed: yDomain)
        var out = "<svg class=\"chart line\" viewBox=\"0 0 \(SVG.c(width)) \(SVG.c(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<title>\(HTMLText.escape(title))</title>"
        var lx = left
        for (k, s) in series.enumerated() {
            out += "<line class=\"l\(k % 6)\" x1=\"\(SVG.c(lx))\" x2=\"\(SVG.c(lx + 16))\" y1=\"14\" y2=\"14\"/>"
            out += "<text x=\"\(SVG.c(lx + 20))\" y=\"18\">\(SVG.label(s.name, limit: 22))</text>"
            lx += 30 + Double(min(22, s.name.count)) * 6.5
        }
        if let diagonal {
            out += "<line class=\"mark\" x1=\"\(SVG.c(lx))\" x2=\"\(SVG.c(lx + 16))\" y1=\"14\" y2=\"14\"/>"
            out += "<text x=\"\(SVG.c(lx + 20))\" y=\"18\">\(SVG.label(diagonal, limit: 22))</text>"
        }
        for tick in xScale.ticks {
            let px = SVG.c(xScale.position(tick))
            out += "<line class=\"grid\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(SVG.c(top))\" y2=\"\(SVG.c(height - bottom))\"/>"
            out += "<text class=\"tick\" x=\"\(px)\" y=\"\(SVG.c(height - bottom + 14))\" text-anchor=\"middle\">\(xScale.label(tick))</text>"
        }
        for tick in yScale.ticks {
            let py = SVG.c(yScale.position(tick))
            out += "<line class=\"grid\" x1=\"\(SVG.c(left))\" x2=\"\(SVG.c(width - right))\" y1=\"\(py)\" y2=\"\(py)\"/>"
            out += "<text class=\"tick\" x=\"\(SVG.c(left - 4))\" y=\"\(py)\" dy=\"4\" text-anchor=\"end\">\(yScale.label(tick))</text>"
        }
        out += "<text class=\"axis\" x=\"\(SVG.c((left + width - right) / 2))\" y=\"\(SVG.c(height - 8))\" text-anchor=\"middle\">\(HTMLText.escape(xLabel))</text>"
        out += "<text class=\"axis\" transform=\"translate(14 \(SVG.c((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTMLText.escape(yLabel))</text>"
        if diagonal != nil {
            let lo = max(xScale.lower, yScale.lower), hi = min(xScale.upper, yScale.upper)
            if hi > lo {
                out += "<line class=\"mark\" x1=\"\(SVG.c(xScale.position(lo)))\" y1=\"\(SVG.c(yScale.position(lo)))\" x2=\"\(SVG.c(xScale.position(hi)))\" y2=\"\(SVG.c(yScale.position(hi)))\"/>"
            }
        }
        for (k, s) in series.enumerated() where !s.points.isEmpty {
            let path = s.points.enumerated().map { i, p in
                "\(i == 0 ? "M" : "L")\(SVG.c(xScale.position(p.x))) \(SVG.c(yScale.position(p.y)))"
            }.joined()
            out += "<path class=\"l\(k % 6)\" d=\"\(path)\"><title>\(HTMLText.escape(s.name))</title></path>"
            if s.markers {
                for p in s.points {
                    out += "<circle class=\"s\(k % 6)\" cx=\"\(SVG.c(xScale.position(p.x)))\" cy=\"\(SVG.c(yScale.position(p.y)))\" r=\"3\"><title>\(HTMLText.escape(s.name)): (\(HTMLText.exact(p.x)), \(HTMLText.exact(p.y)))</title></circle>"
                }
            }
        }
        out += "</svg>"
        return out
    }
}
