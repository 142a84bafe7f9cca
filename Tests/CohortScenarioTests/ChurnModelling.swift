import CohortScenario
import Foundation

/// A tiny, self-contained churn-modelling kit for the generator's tests: RFM-style features as of
/// the as-of date, logistic regression by Newton–Raphson (IRLS) and AUC by ranks.
enum ChurnModelling {
    /// Per-customer features computed from generated data as of the end of the as-of day.
    struct Features {
        var recencyDays: [Double] = []
        var frequency365: [Double] = []
        var monetary365: [Double] = []
        var tenureDays: [Double] = []
        var nps: [Double] = []
        var npsMissing: [Double] = []
        var trend90: [Double] = []
        var refunds: [Double] = []
        var region: [Double] = []
        var label: [Bool] = []
    }

    static func features(of data: Synthetic.Dataset) -> Features {
        let customers = data.customers
        let tx = data.transactions
        let asOf = Int64(data.asOf.daysSinceEpoch)
        let end = (asOf + 1) * 86_400
        let yearStart = (asOf - 364) * 86_400
        let last90 = (asOf - 89) * 86_400
        let prev90 = (asOf - 179) * 86_400
        let n = customers.count
        var lastPurchase = [Int64](repeating: Int64.min, count: n)
        var frequency = [Double](repeating: 0, count: n)
        var monetary = [Double](repeating: 0, count: n)
        var recent = [Double](repeating: 0, count: n)
        var previous = [Double](repeating: 0, count: n)
        var refunds = [Double](repeating: 0, count: n)
        for j in 0..<tx.count {
            let c = Int(tx.customer[j])
            let ts = tx.timestamp[j]
            let amount = tx.amountMinor[j]
            if amount < 0 {
                refunds[c] += 1
                continue
            }
            lastPurchase[c] = max(lastPurchase[c], ts)
            if ts >= yearStart {
                frequency[c] += 1
                monetary[c] += Double(amount) / 100
            }
            if ts >= last90 {
                recent[c] += 1
            } else if ts >= prev90 {
                previous[c] += 1
            }
        }
        var f = Features()
        let regionNames = data.profile.regionNames
        for i in 0..<n {
            let tenure = Double(asOf - Int64(customers.signupDay[i]))
            let recency = lastPurchase[i] == Int64.min
                ? min(tenure, 730) : Double(end - lastPurchase[i]) / 86_400
            f.recencyDays.append(recency)
            f.frequency365.append(frequency[i])
            f.monetary365.append(monetary[i])
            f.tenureDays.append(tenure)
            if let score = customers.nps[i] {
                f.nps.append(Double(score))
                f.npsMissing.append(0)
            } else {
                f.nps.append(7)
                f.npsMissing.append(1)
            }
            f.trend90.append(log((recent[i] + 1) / (previous[i] + 1)))
            f.refunds.append(refunds[i])
            f.region.append(Double(customers.region[i].flatMap { regionNames.firstIndex(of: $0) } ?? -1))
            f.label.append(customers.churned[i] ?? false)
        }
        return f
    }

    /// Design matrix columns of the "good" model (log-transformed RFM + tenure, NPS, trend).
    static func goodModelColumns(_ f: Features) -> [[Double]] {
        [
            f.recencyDays.map { log1p($0) }, f.frequency365.map { log1p($0) },
            f.monetary365.map { log1p($0) }, f.tenureDays.map { log1p($0) }, f.nps, f.npsMissing,
            f.trend90, f.refunds,
        ]
    }

    /// The same features without log transforms.
    static func rawModelColumns(_ f: Features) -> [[Double]] {
        [f.recencyDays, f.frequency365, f.monetary365, f.tenureDays, f.nps, f.npsMissing, f.trend90, f.refunds]
    }

    /// Region one-hot columns.
    static func regionColumns(_ f: Features, regions: Int) -> [[Double]] {
        (0..<regions).map { r in f.region.map { $0 == Double(r) ? 1 : 0 } }
    }

    /// Fits on rows with `index % 10 < 7` and returns the AUC on the other rows.
    static func holdoutAUC(columns: [[Double]], labels: [Bool]) -> Double {
        let n = labels.count
        let standardized = columns.map(standardize)
        let train = (0..<n).filter { $0 % 10 < 7 }
        let test = (0..<n).filter { $0 % 10 >= 7 }
        let row: (Int) -> [Double] = { i in [1] + standardized.map { $0[i] } }
        let weights = fitLogistic(rows: train.map(row), labels: train.map { labels[$0] })
        let scores = test.map { i in zip(weights, row(i)).reduce(0) { $0 + $1.0 * $1.1 } }
        return auc(scores: scores, labels: test.map { labels[$0] })
    }

    static func standardize(_ x: [Double]) -> [Double] {
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
        let sd = variance > 0 ? variance.squareRoot() : 1
        return x.map { ($0 - mean) / sd }
    }

    /// Logistic regression by Newton–Raphson with a tiny ridge (1e-6) for stability.
    static func fitLogistic(rows: [[Double]], labels: [Bool], iterations: Int = 25) -> [Double] {
        let d = rows.first?.count ?? 0
        var w = [Double](repeating: 0, count: d)
        for _ in 0..<iterations {
            var gradient = [Double](repeating: 0, count: d)
            var hessian = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            for (x, y) in zip(rows, labels) {
                let z = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 }
                let p = 1 / (1 + exp(-z))
                let r = (y ? 1 : 0) - p
                let v = max(p * (1 - p), 1e-9)
                for a in 0..<d {
                    gradient[a] += r * x[a]
                    for b in 0...a { hessian[a][b] += v * x[a] * x[b] }
                }
            }
            for a in 0..<d {
                hessian[a][a] += 1e-6
                for b in 0..<a { hessian[b][a] = hessian[a][b] }
            }
            let step = solve(hessian, gradient)
            var size = 0.0
            for a in 0..<d {
                w[a] += step[a]
                size = max(size, abs(step[a]))
            }
            if size < 1e-8 { break }
        }
        return w
    }

    /// Solves `A x = b` by Gaussian elimination with partial pivoting.
    static func solve(_ matrix: [[Double]], _ vector: [Double]) -> [Double] {
        var a = matrix
        var b = vector
        let n = b.count
        for col in 0..<n {
            var pivot = col
            for r in (col + 1)..<max(n, col + 1) where abs(a[r][col]) > abs(a[pivot][col]) { pivot = r }
            a.swapAt(col, pivot)
            b.swapAt(col, pivot)
            let diagonal = a[col][col]
            guard abs(diagonal) > 1e-300 else { continue }
            for r in (col + 1)..<max(n, col + 1) {
                let factor = a[r][col] / diagonal
                if factor == 0 { continue }
                for c in col..<n { a[r][c] -= factor * a[col][c] }
                b[r] -= factor * b[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var sum = b[r]
            for c in (r + 1)..<max(n, r + 1) { sum -= a[r][c] * x[c] }
            x[r] = abs(a[r][r]) > 1e-300 ? sum / a[r][r] : 0
        }
        return x
    }

    /// Area under the ROC curve by the rank-sum (Mann–Whitney) formula, ties averaged.
    static func auc(scores: [Double], labels: [Bool]) -> Double {
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var ranks = [Double](repeating: 0, count: scores.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count, scores[order[j + 1]] == scores[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return 0.5 }
        var rankSum = 0.0
        for (r, y) in zip(ranks, labels) where y { rankSum += r }
        return (rankSum - Double(positives) * Double(positives + 1) / 2)
            / (Double(positives) * Double(negatives))
    }
}
