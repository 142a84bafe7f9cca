/// A horizontal grouped bar chart with optional error bars and reference marks, as inline SVG.
/// One row per category, one bar per series; e.g. federated (± SE) beside central per cell, or
/// ε spent per node and purpose against its cap.
public struct BarChart: Sendable, Hashable {
    /// One series of bars.
    public struct Series: Sendable, Hashable {
        /// Legend name.
        public var name: String
        /// One value per category; nil draws no bar (e.g. suppressed).
        public var values: [Double?]
        /// Half-width of the error bar per category (e.g. 1.96 × SE); nil or empty draws none.
        public var errors: [Double?]

        /// Creates a series.
        public init(name: String, values: [Double?], errors: [Double?] = []) {
            self.name = name
            self.values = values
            self.errors = errors
        }
    }

    /// Accessible title (also the SVG `<title>`).
    public var title: String
    /// Row labels.
    public var categories: [String]
    /// The series, drawn in order within each row.
    public var series: [Series]
    /// What the horizontal axis measures.
    public var axisLabel: String
    /// Per category, a reference value drawn as a dashed mark (e.g. a budget cap); nil for none.
    public var marks: [Double?]
    /// Legend name of the marks.
    public var markLabel: String

    /// Creates a chart.
    public init(title: String, categories: [String], series: [Series], axisLabel: String, marks: [Double?] = [], markLabel: String = "") {
        self.title = title
        self.categories = categories
        self.series = series
        self.axisLabel = axisLabel
        self.marks = marks
        self.markLabel = markLabel
    }

    /// The chart as an `<svg>` element (width 100 %, 760 units wide). O(categories × series).
    public func svg() -> String {
        let labelWidth = 190.0, right = 30.0, width = 760.0, top = 34.0
        let barHeight = 11.0, gap = 9.0
        let rowHeight = Double(max(1, series.count)) * barHeight + gap
        let plotHeight = Double(categories.count) * rowHeight
        let height = top + plotHeight + 44
        var values: [Double] = []
        for s in series {
            for (i, v) in s.values.enumerated() {
                guard let v else { continue }
                let e = i < s.errors.count ? (s.errors[i] ?? 0) : 0
                values += [v - e, v + e]
            }
        }
        values += marks.compactMap { $0 }
        let scale = ChartScale(covering: values, including: [0], start: labelWidth, end: width - right)
        var out = "<svg class=\"chart bar\" viewBox=\"0 0 \(SVG.c(width)) \(SVG.c(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<title>\(HTMLText.escape(title))</title>"
        // Legend.
        var x = labelWidth
        for (k, s) in series.enumerated() {
            out += "<rect class=\"s\(k % 6)\" x=\"\(SVG.c(x))\" y=\"8\" width=\"12\" height=\"12\"/>"
            out += "<text x=\"\(SVG.c(x + 16))\" y=\"18\">\(SVG.label(s.name, limit: 30))</text>"
            x += 26 + Double(min(30, s.name.count)) * 6.5
        }
        if marks.contains(where: { $0 != nil }) {
            out += "<line class=\"mark\" x1=\"\(SVG.c(x))\" x2=\"\(SVG.c(x))\" y1=\"6\" y2=\"22\"/>"
            out += "<text x=\"\(SVG.c(x + 6))\" y=\"18\">\(SVG.label(markLabel, limit: 30))</text>"
        }
        // Grid and axis.
        for tick in scale.ticks {
            let px = SVG.c(scale.position(tick))
            out += "<line class=\"grid\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(SVG.c(top))\" y2=\"\(SVG.c(top + plotHeight))\"/>"
            out += "<text class=\"tick\" x=\"\(px)\" y=\"\(SVG.c(top + plotHeight + 14))\" text-anchor=\"middle\">\(scale.label(tick))</text>"
        }
        out += "<text class=\"axis\" x=\"\(SVG.c((labelWidth + width - right) / 2))\" y=\"\(SVG.c(height - 8))\" text-anchor=\"middle\">\(HTMLText.escape(axisLabel))</text>"
        let zero = scale.position(0)
        for (row, category) in categories.enumerated() {
            let y0 = top + Double(row) * rowHeight + gap / 2
            out += "<text class=\"cat\" x=\"\(SVG.c(labelWidth - 6))\" y=\"\(SVG.c(y0 + rowHeight / 2))\" text-anchor=\"end\"><title>\(HTMLText.escape(category))</title>\(SVG.label(category, limit: 30))</text>"
            for (k, s) in series.enumerated() {
                let y = y0 + Double(k) * barHeight
                guard row < s.values.count, let v = s.values[row] else {
                    out += "<text class=\"na\" x=\"\(SVG.c(zero + 4))\" y=\"\(SVG.c(y + barHeight - 2))\">n/a</text>"
                    continue
                }
                let px = scale.position(v)
                out += "<rect class=\"s\(k % 6)\" x=\"\(SVG.c(min(px, zero)))\" y=\"\(SVG.c(y + 1))\" width=\"\(SVG.c(abs(px - zero)))\" height=\"\(SVG.c(barHeight - 2))\"><title>\(HTMLText.escape(s.name)) \(HTMLText.escape(category)): \(HTMLText.exact(v))</title></rect>"
                if row < s.errors.count, let e = s.errors[row], e > 0 {
                    let a = SVG.c(scale.position(v - e)), b = SVG.c(scale.position(v + e)), cy = SVG.c(y + barHeight / 2)
                    out += "<path class=\"err\" d=\"M\(a) \(cy)H\(b)M\(a) \(SVG.c(y + 2))V\(SVG.c(y + barHeight - 2))M\(b) \(SVG.c(y + 2))V\(SVG.c(y + barHeight - 2))\"/>"
                }
            }
            if row < marks.count, let m = marks[row] {
                let px = SVG.c(scale.position(m))
                out += "<line class=\"mark\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(SVG.c(y0 - 2))\" y2=\"\(SVG.c(y0 + rowHeight - gap + 2))\"><title>\(HTMLText.escape(markLabel)): \(HTMLText.exact(m))</title></line>"
            }
        }
        out += "<line class=\"axisline\" x1=\"\(SVG.c(zero))\" x2=\"\(SVG.c(zero))\" y1=\"\(SVG.c(top))\" y2=\"\(SVG.c(top + plotHeight))\"/>"
        out += "</svg>"
        return out
    }
}
