import CohortScenario
import Foundation

/// Summaries and an HTML reader for the report tests.
enum ReportFixtures {
    /// A run with every section filled: a histogram and a mean study, a k-means and a churn-model
    /// study, a failed study, budgets, a timeline, audits and expectations. `name` is used for a
    /// party, a study, a cell label, an event and an expectation (hostile-name tests).
    static func summary(name: String = "retail", seed: UInt64 = 7, shift: Double = 0) -> ScenarioSummary {
        let histogramCells = [
            ScenarioSummary.Cell(labels: ["champions"], federated: 23430 + shift, standardError: 7.8, central: 23424, suppressed: false),
            ScenarioSummary.Cell(labels: [name], federated: 15514, standardError: 7.8, central: 15500, suppressed: false),
            ScenarioSummary.Cell(labels: ["lost"], federated: nil, standardError: nil, central: 12, suppressed: true),
        ]
        let meanCells = [
            ScenarioSummary.Cell(labels: ["champions", "north"], federated: 0.016 + shift / 1000, standardError: 0.001, central: 0.0161, suppressed: false),
            ScenarioSummary.Cell(labels: ["at-risk", "south"], federated: 0.249, standardError: 0.0013, central: 0.251, suppressed: false),
        ]
        let spends = [ScenarioSummary.Spend(node: name, epsilon: 1, delta: 1e-6, rho: 0.0244), ScenarioSummary.Spend(node: "beta", epsilon: 1, delta: 1e-6, rho: 0.0244)]
        let studies = [
            ScenarioSummary.StudySummary(
                name: "segments \(name)", id: "segmentation-20261202-0001", kind: "histogram", purpose: "segmentation", lead: name,
                participants: [name, "beta"], status: .published, dimensions: ["rfm_segment"], valueLabel: "customers",
                startedAtSeconds: 4.5, endedAtSeconds: 6.25,
                rounds: [.init(index: 1, startedAtSeconds: 4.5, endedAtSeconds: 6.25, contributors: [name, "beta"])],
                cells: histogramCells, errors: .of(histogramCells), spends: spends, releasedCustomers: 38944 + shift,
                releasedCustomersStandardError: 13.5, centralCustomers: 38936),
            ScenarioSummary.StudySummary(
                name: "churn by segment", kind: "mean", purpose: "benchmarking", lead: name, participants: [name, "beta"],
                status: .published, dimensions: ["rfm_segment", "region"], valueLabel: "mean churn_rate", startedAtSeconds: 7,
                endedAtSeconds: 12.5,
                rounds: [.init(index: 1, startedAtSeconds: 7, endedAtSeconds: 9, contributors: [name]),
                         .init(index: 2, startedAtSeconds: 9, endedAtSeconds: 12.5, contributors: [name, "beta"], dropped: ["gamma"])],
                cells: meanCells, errors: .of(meanCells), spends: spends, releasedCustomers: 1200.5, releasedCustomersStandardError: 3),
            ScenarioSummary.StudySummary(
                name: "k-means", kind: "kmeans", purpose: "segmentation", lead: name, participants: [name, "beta"], status: .published,
                startedAtSeconds: 13, endedAtSeconds: 20,
                kmeans: .init(features: ["recency", "frequency", "monetary"],
                              federated: [.init(size: 1000.4, centroid: [-0.5, 1.2, 0.9]), .init(size: 2000, centroid: [0.7, -0.3, -0.2])],
                              central: [.init(size: 998, centroid: [-0.52, 1.18, 0.93]), .init(size: 2003, centroid: [0.69, -0.31, -0.22])],
                              federatedInertia: 5120.5 + shift, centralInertia: 4980.25, adjustedRandIndex: 0.91)),
            ScenarioSummary.StudySummary(
                name: "churn model", kind: "logistic-regression", purpose: "model-training", lead: name, participants: [name, "beta"],
                status: .published, startedAtSeconds: 21, endedAtSeconds: 40,
                model: .init(federatedAUC: 0.81 + shift / 100, centralAUC: 0.84, federatedAccuracy: 0.77, centralAccuracy: 0.79,
                             federatedROC: [.init(x: 0, y: 0), .init(x: 0.2, y: 0.6), .init(x: 1, y: 1)],
                             centralROC: [.init(x: 0, y: 0), .init(x: 0.2, y: 0.65), .init(x: 1, y: 1)],
                             federatedCalibration: [.init(predicted: 0.1, observed: 0.12, count: 500), .init(predicted: 0.6, observed: 0.55, count: 80)],
                             centralCalibration: [.init(predicted: 0.1, observed: 0.1, count: 510), .init(predicted: 0.6, observed: 0.6, count: 75)])),
            ScenarioSummary.StudySummary(
                name: "over budget", kind: "histogram", purpose: "segmentation", lead: name, participants: [name, "beta"], status: .failed,
                failureReason: "budget exhausted at \(name)", startedAtSeconds: 41, endedAtSeconds: 41.5),
        ]
        return ScenarioSummary(
            scenario: "test \(name)", file: "scenarios/\(name).yaml", startedAt: "2026-12-02T10:00:00Z", durationSeconds: 45.25 + shift,
            seeds: [seed], simulatedNoise: true,
            parties: [.init(name: name, data: "retail", customers: 60000, consenting: ["segmentation": 50000, "benchmarking": 40000], transactions: 612467),
                      .init(name: "beta", data: "csv", customers: 3950, consenting: ["segmentation": 3950])],
            studies: studies,
            budgets: [.init(node: name, purpose: "segmentation", spentEpsilon: 1.5 + shift, capEpsilon: 4, delta: 1e-6, studies: 2),
                      .init(node: "beta", purpose: "model-training", spentEpsilon: 0, capEpsilon: nil)],
            timeline: [.init(atSeconds: 0, endedAtSeconds: 4, kind: .step, label: "generate and import"),
                       .init(atSeconds: 4.5, endedAtSeconds: 6.25, kind: .study, label: "segments", study: "segments \(name)"),
                       .init(atSeconds: 8, kind: .event, label: "kill -9 \(name)", party: name, detail: "restarted after 1 s")],
            audits: [.init(node: name, status: .intact, entries: 130249, root: String(repeating: "ab", count: 32), checkpoints: 12,
                           detail: "every checkpoint signature valid", refusals: ["peer.refused:expired": 2, "study.rejected": 1]),
                     .init(node: "beta", status: .broken, entries: 10, root: nil, checkpoints: 1, detail: "entry 4: leaf hash mismatch")],
            expectations: [.init(name: "expect \(name) published", passed: true, detail: "published"),
                           .init(name: "mae <= 1", passed: false, detail: "6.4 > 1")])
    }

    /// Every `data-metric` / `data-value` pair of `html`'s table cells, unescaped. A metric that
    /// appears twice must carry the same value (else `conflicts` lists it).
    static func metrics(inHTML html: String) -> (values: [String: Double], conflicts: [String]) {
        var values: [String: Double] = [:]
        var conflicts: [String] = []
        for tag in tags(html) where tag.name == "td" {
            guard let metric = tag.attributes["data-metric"] else { continue }
            guard let text = tag.attributes["data-value"], let value = Double(text) else {
                conflicts.append("\(metric): no numeric data-value")
                continue
            }
            if let old = values[metric], old != value { conflicts.append(metric) }
            values[metric] = value
        }
        return (values, conflicts)
    }

    /// A start or end tag.
    struct Tag {
        var name: String
        var closing: Bool
        var selfClosing: Bool
        var attributes: [String: String]
    }

    /// Every tag of `html` in order (comments and the doctype skipped), attribute values unescaped.
    static func tags(_ html: String) -> [Tag] {
        var out: [Tag] = []
        let scalars = Array(html.unicodeScalars)
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "<" else { i += 1; continue }
            var j = i + 1
            var quote: Unicode.Scalar?
            while j < scalars.count {
                let c = scalars[j]
                if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c } else if c == ">" { break }
                j += 1
            }
            var body = String(String.UnicodeScalarView(scalars[(i + 1)..<min(j, scalars.count)]))
            i = j + 1
            if body.hasPrefix("!") { continue }
            let closing = body.hasPrefix("/")
            if closing { body.removeFirst() }
            let selfClosing = body.hasSuffix("/")
            if selfClosing { body.removeLast() }
            let name = String(body.prefix { !$0.isWhitespace }).lowercased()
            var attributes: [String: String] = [:]
            let rest = body.dropFirst(name.count)
            let regex = /([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*"([^"]*)"/
            for match in rest.matches(of: regex) {
                attributes[String(match.1)] = unescape(String(match.2))
            }
            out.append(Tag(name: name, closing: closing, selfClosing: selfClosing, attributes: attributes))
        }
        return out
    }

    /// Undoes ``HTMLText/escape(_:)``.
    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// Element names a report may contain.
    static let allowedElements: Set<String> = [
        "html", "head", "meta", "title", "style", "body", "header", "main", "section", "h1", "h2", "h3", "h4", "p", "span", "code",
        "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption", "div", "svg", "rect", "line", "path", "circle", "text",
    ]

    /// Nil if every element is allowed and start and end tags nest properly; else the first problem.
    static func structureProblem(_ html: String) -> String? {
        var stack: [String] = []
        for tag in tags(html) {
            guard allowedElements.contains(tag.name) else { return "unexpected element <\(tag.name)>" }
            if tag.name == "meta" || tag.selfClosing { continue }
            if tag.closing {
                guard stack.last == tag.name else { return "</\(tag.name)> closes <\(stack.last ?? "nothing")>" }
                stack.removeLast()
            } else {
                stack.append(tag.name)
            }
        }
        return stack.isEmpty ? nil : "unclosed <\(stack.joined(separator: "><"))>"
    }
}
