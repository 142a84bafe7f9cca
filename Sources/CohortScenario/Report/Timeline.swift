/// A timeline of a run as inline SVG: one lane per study (its span and its rounds) and one for
/// the run's steps and injected events; events are numbered diamonds, keyed to the table the
/// report prints below the chart.
public struct Timeline: Sendable, Hashable {
    /// One thing on the axis.
    public struct Item: Sendable, Hashable {
        /// Lane (row) name.
        public var lane: String
        /// Start, seconds from the run's start.
        public var start: Double
        /// End (equal to ``start`` for an instant).
        public var end: Double
        /// Label (tooltip).
        public var label: String
        /// What it is: a span's style or an instant's marker.
        public var kind: ScenarioSummary.TimelineKind
        /// Marker number printed on an instantaneous event (its row in the event table); nil for spans.
        public var number: Int?

        /// Creates an item.
        public init(lane: String, start: Double, end: Double, label: String, kind: ScenarioSummary.TimelineKind, number: Int? = nil) {
            self.lane = lane
            self.start = start
            self.end = end
            self.label = label
            self.kind = kind
            self.number = number
        }
    }

    /// Accessible title.
    public var title: String
    /// Items in any order; lanes appear in order of first appearance.
    public var items: [Item]

    /// Creates a timeline.
    public init(title: String, items: [Item]) {
        self.title = title
        self.items = items
    }

    /// The timeline as an `<svg>` element (760 units wide). O(items · lanes).
    public func svg() -> String {
        var lanes: [String] = []
        for item in items where !lanes.contains(item.lane) { lanes.append(item.lane) }
        let width = 760.0, labelWidth = 150.0, right = 20.0, top = 16.0, laneHeight = 30.0
        let height = top + Double(max(1, lanes.count)) * laneHeight + 40
        let scale = ChartScale(covering: items.flatMap { [$0.start, $0.end] }, including: [0], start: labelWidth, end: width - right)
        var out = "<svg class=\"chart timeline\" viewBox=\"0 0 \(SVG.c(width)) \(SVG.c(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<title>\(HTMLText.escape(title))</title>"
        let bottom = top + Double(lanes.count) * laneHeight
        for tick in scale.ticks {
            let px = SVG.c(scale.position(tick))
            out += "<line class=\"grid\" x1=\"\(px)\" x2=\"\(px)\" y1=\"\(SVG.c(top))\" y2=\"\(SVG.c(bottom))\"/>"
            out += "<text class=\"tick\" x=\"\(px)\" y=\"\(SVG.c(bottom + 14))\" text-anchor=\"middle\">\(scale.label(tick))</text>"
        }
        out += "<text class=\"axis\" x=\"\(SVG.c((labelWidth + width - right) / 2))\" y=\"\(SVG.c(height - 8))\" text-anchor=\"middle\">seconds from start</text>"
        for (row, lane) in lanes.enumerated() {
            let y = top + Double(row) * laneHeight
            out += "<text class=\"cat\" x=\"\(SVG.c(labelWidth - 6))\" y=\"\(SVG.c(y + laneHeight / 2 + 4))\" text-anchor=\"end\"><title>\(HTMLText.escape(lane))</title>\(SVG.label(lane, limit: 22))</text>"
            out += "<line class=\"lane\" x1=\"\(SVG.c(labelWidth))\" x2=\"\(SVG.c(width - right))\" y1=\"\(SVG.c(y + laneHeight))\" y2=\"\(SVG.c(y + laneHeight))\"/>"
            for item in items where item.lane == lane {
                let a = scale.position(item.start), b = scale.position(item.end)
                let tip = "<title>\(HTMLText.escape(item.label)) (\(HTMLText.number(item.start, 1))–\(HTMLText.number(item.end, 1)) s)</title>"
                switch item.kind {
                case .study, .step:
                    out += "<rect class=\"span \(item.kind.rawValue)\" x=\"\(SVG.c(a))\" y=\"\(SVG.c(y + 6))\" width=\"\(SVG.c(max(2, b - a)))\" height=\"\(SVG.c(laneHeight - 12))\">\(tip)</rect>"
                case .round:
                    out += "<rect class=\"span round\" x=\"\(SVG.c(a))\" y=\"\(SVG.c(y + 10))\" width=\"\(SVG.c(max(2, b - a)))\" height=\"\(SVG.c(laneHeight - 20))\">\(tip)</rect>"
                case .event:
                    let cy = y + laneHeight / 2
                    out += "<path class=\"event\" d=\"M\(SVG.c(a)) \(SVG.c(cy - 8))L\(SVG.c(a + 8)) \(SVG.c(cy))L\(SVG.c(a)) \(SVG.c(cy + 8))L\(SVG.c(a - 8)) \(SVG.c(cy))Z\">\(tip)</path>"
                    if let number = item.number {
                        out += "<text class=\"num\" x=\"\(SVG.c(a))\" y=\"\(SVG.c(cy + 3.5))\" text-anchor=\"middle\">\(number)</text>"
                    }
                }
            }
        }
        out += "</svg>"
        return out
    }
}
