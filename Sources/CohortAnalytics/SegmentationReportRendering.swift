import Foundation

extension Analytics.SegmentationReport {
    /// JSON of the report: Codable with sorted keys, pretty-printed, UTF-8. Deterministic.
    public func renderJSON() throws -> String {
        // snake_case keys, like every `--json` output of the CLI (README, "JSON output").
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            throw AnalyticsError(.invalidValue, "SegmentationReport: JSON encoding failed: \(error)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes a report produced by ``renderJSON()`` (snake_case keys).
    public static func decodeJSON(_ text: String) throws -> Analytics.SegmentationReport {
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .custom { path in SnakeCaseKey(snake: path.last?.stringValue ?? "") }
            return try decoder.decode(Analytics.SegmentationReport.self, from: Data(text.utf8))
        } catch {
            throw AnalyticsError(.invalidValue, "SegmentationReport: cannot decode JSON: \(error)")
        }
    }

    /// Plain-text report with aligned tables for a terminal. Money in major units (cents / 100).
    public func renderText() -> String {
        typealias T = Analytics.TextTable
        func optionalPercent(_ v: Double?) -> String { v.map { T.percent($0) } ?? "–" }
        func optionalFixed(_ v: Double?, _ digits: Int) -> String { v.map { T.fixed($0, digits) } ?? "–" }
        var out: [String] = []
        out.append("Segmentation report — as of \(asOfDate), window \(windowDays) days, \(customers) customers")
        out.append("")
        let cuts = rfmCutPoints
        out.append("RFM scoring: \(rfmScoredByRank ? "population quintiles (rank-based, ties by row)" : "fixed cut points")")
        out.append(T.render(
            headers: ["dimension", "20 %", "40 %", "60 %", "80 %"], alignments: [.left, .right, .right, .right, .right],
            rows: [
                ["recency (days)"] + cuts.recency.map { T.fixed($0, 1) },
                ["frequency (purchases)"] + cuts.frequency.map { T.fixed($0, 1) },
                ["monetary"] + cuts.monetary.map { T.money($0) },
            ]))
        out.append("")
        out.append("RFM segments (overall churn rate \(optionalPercent(overall.churnRate)), NPS \(optionalFixed(overall.nps, 1)))")
        out.append(T.render(
            headers: ["segment", "customers", "share", "churn rate", "labelled", "NPS", "answers", "recency", "frequency", "monetary", "CLV"],
            alignments: [.left] + Array(repeating: .right, count: 10),
            rows: (segments + [overall]).map { s in
                [s.name, String(s.customers), T.percent(s.share), optionalPercent(s.churnRate), String(s.churnLabelled),
                 optionalFixed(s.nps, 1), String(s.npsAnswered), T.fixed(s.meanRecencyDays, 1), T.fixed(s.meanFrequency, 2),
                 T.money(s.meanMonetaryMinor), T.money(s.meanCLVMinor)]
            }))
        out.append("")
        func countTable(_ title: String, _ rows: [CategoryCount]) {
            out.append(title)
            out.append(T.render(headers: ["category", "customers", "share"], alignments: [.left, .right, .right],
                                rows: rows.map { [$0.name, String($0.customers), T.percent($0.share)] }))
            out.append("")
        }
        countTable("Lifecycle stages", lifecycleStages)
        countTable("Value tiers (mid ≥ \(T.money(Double(tierCutPoints.mid))), high ≥ \(T.money(Double(tierCutPoints.high))))", valueTiers)
        countTable("Channel dependence (share of purchases in the top channel)", channelBands)

        if let km = kmeans {
            out.append("k-means segmentation: k = \(km.k) (\(km.selection)), features \(km.features.joined(separator: ", ")) standardized; inertia \(T.fixed(km.inertia, 1)), \(km.iterations) iterations\(km.converged ? "" : " (not converged)")")
            if !km.candidates.isEmpty {
                out.append(T.render(
                    headers: ["k", "inertia (sample)", "Calinski–Harabasz"], alignments: [.right, .right, .right],
                    rows: km.candidates.map { [String($0.k), T.fixed($0.inertia, 1), optionalFixed($0.calinskiHarabasz, 1)] }))
                out.append("(k chosen on a sample of \(km.sampleSize) customers)")
            }
            out.append(T.render(
                headers: ["cluster", "size", "share", "recency", "frequency", "monetary", "tenure", "AOV", "churn rate", "dominant segment"],
                alignments: [.right, .right, .right, .right, .right, .right, .right, .right, .right, .left],
                rows: km.clusters.map { c in
                    [String(c.cluster), String(c.size), T.percent(c.share), T.fixed(c.meanRecencyDays, 1), T.fixed(c.meanFrequency, 2),
                     T.money(c.meanMonetaryMinor), T.fixed(c.meanTenureDays, 0), T.money(c.meanAOVMinor), optionalPercent(c.churnRate),
                     c.dominantSegment]
                }))
            out.append("")
        }
        if let m = churnModel {
            out.append("Churn model: L2 logistic regression (λ = \(m.l2)), \(m.trainCount) train / \(m.holdoutCount) holdout customers (seed \(seed))")
            out.append(T.render(
                headers: ["metric", "holdout"], alignments: [.left, .right],
                rows: [
                    ["AUC", T.fixed(m.holdoutAUC, 4)],
                    ["baseline AUC (\(m.baselineFeature))", T.fixed(m.baselineAUC, 4)],
                    ["accuracy (threshold \(T.fixed(m.decisionThreshold, 4)), chosen on the training split)", T.fixed(m.holdoutAccuracy, 4)],
                    ["majority-class baseline accuracy (predict \(m.trainChurnRate * 2 >= 1 ? "churn" : "no churn") for all)", T.fixed(m.majorityAccuracy, 4)],
                    ["log-loss", T.fixed(m.holdoutLogLoss, 4)],
                    ["churn rate", T.percent(m.holdoutChurnRate)],
                ]))
            out.append(T.render(
                headers: ["feature", "weight (per SD)"], alignments: [.left, .right],
                rows: m.coefficients.map { [$0.feature, T.fixed($0.weight, 4)] } + [["(intercept)", T.fixed(m.intercept, 4)]]))
            out.append("")
        }
        if !notes.isEmpty {
            out.append("Notes")
            out += notes.map { "- " + $0 }
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}

/// A snake_case JSON key mapped back to the report's property name: `holdout_auc` →
/// `holdoutAUC`, `mean_clv_minor` → `meanCLVMinor` (the acronyms the report's names use).
private struct SnakeCaseKey: CodingKey {
    static let acronyms: Set<String> = ["auc", "clv", "aov"]
    var stringValue: String
    var intValue: Int? { nil }

    init(snake: String) {
        let parts = snake.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        stringValue = parts.enumerated().map { index, part in
            if index == 0 { return part }
            return Self.acronyms.contains(part) ? part.uppercased() : part.prefix(1).uppercased() + part.dropFirst()
        }.joined()
    }

    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
