import CohortAnalytics
public import CohortStudy
import CohortCore
import CohortNode
import CohortStore
public import Foundation

/// The centralized, non-private answer to a study: the same definitions computed exactly on
/// the union of every party's consenting customers. Only a simulation can compute it (it reads
/// every party's data); it is the reference a federated answer is judged against.
public enum Centralized {
    /// One cell of the exact answer.
    public struct Cell: Sendable, Hashable {
        /// Category label per dimension.
        public var labels: [String]
        /// Customers in the cell (for a mean: customers with a value).
        public var count: Int
        /// Mean of the clamped values (mean studies), nil when the cell is empty.
        public var mean: Double?
    }

    /// The exact answer of `spec` over the nodes in `nodeDirectories`, with consent decided at
    /// `consentAt` (the moment the federated study ran) as a node does.
    public static func answer(spec: Study.Spec, nodeDirectories: [URL], consentAt: Date = Date()) throws -> [Cell] {
        let layout = spec.layout
        var counts = [Int](repeating: 0, count: layout.cellCount)
        var sums = [Double](repeating: 0, count: layout.cellCount)
        let asOf = NodeStudyServices.endOfDay(spec.asOf)
        guard let purpose = Purpose(rawValue: spec.purpose.rawValue) else {
            throw ScenarioError(.invalidArgument, "unknown purpose \(spec.purpose.rawValue)")
        }
        for directory in nodeDirectories {
            let store = try NodeStore.open(directory: directory.path)
            defer { try? store.close() }
            let (customers, transactions) = try store.loadAnalyticsTables(purpose: purpose, consentAt: consentAt, transactionsUpTo: asOf)
            let (codes, measures) = try NodeStudyServices.studyInputs(spec: spec, customers: customers, transactions: transactions)
            for row in 0..<customers.count {
                guard let cell = layout.index(of: codes.map { Int($0[row]) }) else { continue }
                if let mean = spec.mean {
                    guard let value = measures?[row] ?? nil else { continue }
                    sums[cell] += min(max(value, mean.lower), mean.upper)
                }
                counts[cell] += 1
            }
        }
        return (0..<layout.cellCount).map { index in
            let codes = layout.codes(ofCell: index)
            let labels = codes.enumerated().map { layout.categories[$0.offset][$0.element] }
            let mean: Double? = spec.mean != nil && counts[index] > 0 ? sums[index] / Double(counts[index]) : nil
            return Cell(labels: labels, count: counts[index], mean: mean)
        }
    }
}

/// A federated result beside the centralized truth.
public struct StudyComparison: Sendable {
    /// What the study measured.
    public var title: String
    /// The released (noised, suppressed) result.
    public var result: Study.Result
    /// The exact answer.
    public var truth: [Centralized.Cell]

    /// Puts a released result beside the exact answer.
    public init(title: String, result: Study.Result, truth: [Centralized.Cell]) {
        self.title = title
        self.result = result
        self.truth = truth
    }

    /// Mean absolute error over the released cells (counts: customers; means: the measure's unit).
    public var meanAbsoluteError: Double {
        var total = 0.0
        var n = 0
        for (cell, exact) in zip(result.cells, truth) where !cell.suppressed {
            if result.spec.kind == .mean {
                guard let m = cell.mean, let t = exact.mean else { continue }
                total += abs(m - t)
            } else {
                guard let c = cell.count else { continue }
                total += abs(c - Double(exact.count))
            }
            n += 1
        }
        return n == 0 ? 0 : total / Double(n)
    }

    /// A terminal table: cell, federated value ± standard error, truth, error.
    public func render() -> String {
        let isMean = result.spec.kind == .mean
        var lines = [title, ""]
        let header = ["cell", isMean ? "federated mean ± SE" : "federated count ± SE", isMean ? "true mean" : "true count", "error", isMean ? "customers" : ""]
        var rows: [[String]] = []
        for (cell, exact) in zip(result.cells, truth) {
            let label = cell.labels.joined(separator: " × ")
            if cell.suppressed {
                rows.append([label, "suppressed (< \(result.spec.privacy.minCount))", isMean ? fmt(exact.mean, 3) : "\(exact.count)", "", isMean ? "\(exact.count)" : ""])
                continue
            }
            if isMean {
                let value = cell.mean.map { "\(fmt($0, 3)) ± \(fmt(cell.meanStandardError, 3))" } ?? "-"
                let error = zip2(cell.mean, exact.mean).map { fmt(abs($0 - $1), 3) } ?? ""
                rows.append([label, value, fmt(exact.mean, 3), error, "\(exact.count)"])
            } else {
                let value = cell.count.map { "\(fmt($0, 0)) ± \(fmt(cell.countStandardError, 1))" } ?? "-"
                let error = cell.count.map { fmt(abs($0 - Double(exact.count)), 0) } ?? ""
                rows.append([label, value, "\(exact.count)", error, ""])
            }
        }
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $0.offset == 0
                ? $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0)
                : String(repeating: " ", count: widths[$0.offset] - $0.element.count) + $0.element
            }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines.append(contentsOf: rows.map(line))
        lines.append("")
        lines.append("mean absolute error over released cells: \(fmt(meanAbsoluteError, isMean ? 4 : 1))")
        lines.append(
            "customers in the study: \(fmt(result.releasedCustomers, 0)) ± \(fmt(result.releasedCustomersStandardError, 1)) released (noised), \(truth.reduce(0) { $0 + $1.count }) true")
        let spent = result.participants.map { "\($0.node) ε=\(fmt($0.epsilon, 2)) (ρ=\(fmt($0.rho, 4)))" }
        lines.append("privacy spent per node: " + spent.joined(separator: "; "))
        switch result.spec.aggregation {
        case .secure(let parties, let threshold):
            lines.append("securely aggregated among \(parties) parties (threshold \(threshold)): the lead saw only the sum, and each node added its share of the noise")
        case .plain:
            lines.append("plainly aggregated: each node added the full noise and sent its noised vector to the lead")
        }
        if result.simulatedNoise { lines.append("NOTE: simulated (seeded or zero) noise was used by at least one node") }
        return lines.joined(separator: "\n")
    }

    private func fmt(_ value: Double?, _ digits: Int) -> String {
        guard let value else { return "-" }
        return String(format: "%.\(digits)f", value)
    }

    private func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
        guard let a, let b else { return nil }
        return (a, b)
    }
}
