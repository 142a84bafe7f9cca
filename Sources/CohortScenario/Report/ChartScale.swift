import Foundation

/// A linear map from a data interval onto a pixel interval, with "nice" tick values
/// (1, 2 or 5 × 10ⁿ apart). Used by the SVG charts.
public struct ChartScale: Sendable, Hashable {
    /// Data interval, widened to whole ticks.
    public var lower: Double
    /// Upper end of the data interval.
    public var upper: Double
    /// Pixel position of ``lower``.
    public var start: Double
    /// Pixel position of ``upper``.
    public var end: Double
    /// Distance between ticks, in data units.
    public var step: Double

    /// A scale covering `values` (and `including`, e.g. 0 for bars) mapped onto `start…end`,
    /// with about `ticks` ticks. Non-finite values are ignored; an empty or flat set gets a unit interval.
    public init(covering values: [Double], including: [Double] = [], start: Double, end: Double, ticks: Int = 5, fixed: ClosedRange<Double>? = nil) {
        self.start = start
        self.end = end
        if let fixed {
            lower = fixed.lowerBound
            upper = fixed.upperBound
            step = Self.niceStep((upper - lower) / Double(max(1, ticks)))
            return
        }
        let finite = (values + including).filter(\.isFinite)
        var lo = finite.min() ?? 0
        var hi = finite.max() ?? 1
        if hi - lo < 1e-12 {
            lo -= max(abs(lo) * 0.1, 0.5)
            hi += max(abs(hi) * 0.1, 0.5)
        }
        let s = Self.niceStep((hi - lo) / Double(max(1, ticks)))
        step = s
        lower = (lo / s).rounded(.down) * s
        upper = (hi / s).rounded(.up) * s
    }

    /// Pixel position of `value` (clamped to the scale's interval).
    public func position(_ value: Double) -> Double {
        guard value.isFinite, upper > lower else { return start }
        let v = min(max(value, lower), upper)
        return start + (v - lower) / (upper - lower) * (end - start)
    }

    /// The tick values from ``lower`` to ``upper`` (at most 50).
    public var ticks: [Double] {
        guard step > 0 else { return [lower] }
        var out: [Double] = []
        var i = 0.0
        while out.count < 50 {
            let v = lower + i * step
            if v > upper + step * 1e-9 { break }
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            i += 1
        }
        return out
    }

    /// A tick label: as many decimals as the step needs.
    public func label(_ value: Double) -> String {
        let decimals = step >= 1 ? 0 : min(6, Int((-log10(step)).rounded(.up)))
        return HTMLText.number(value, decimals)
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }
}

/// Small helpers shared by the SVG charts.
enum SVG {
    /// A coordinate with at most 1 decimal.
    static func c(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let r = (value * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    /// A label cut to `limit` characters (with an ellipsis), escaped; the full text is in a `<title>`.
    static func label(_ text: String, limit: Int) -> String {
        let cut = text.count > limit ? String(text.prefix(max(1, limit - 1))) + "…" : text
        return HTMLText.escape(cut)
    }
}
