import CohortAnalytics
public import CohortAudit
import CohortCore
import CohortLearning
public import CohortStore
import CohortStudy
public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A released learning model applied to this node's own customers (issue 12): `cohort study
/// apply` writes each consenting customer's churn probability (a `logistic-regression` study)
/// or segment (a `kmeans` study) to a local CSV, and `cohort data features --study` adds the
/// same columns to the feature export. Local only: the model is the stored, already released
/// result; the scores name customers and never leave the node.
///
/// Order (``run(_:store:audit:emit:)``): find the stored result and its model → read the
/// customers consenting now to the study's purpose (``NodeStudyServices/learningCustomers(store:purpose:consentAt:asOf:)``)
/// → audit the access durably (`data.accessed`, scope `local`, the study's id and purpose) →
/// score → emit. If the audit append fails nothing is emitted, so ``Output`` creates no file.
public enum ModelApplication {
    /// A released study's model, ready to score customers.
    struct Model: Sendable {
        /// What scores the customers.
        enum Scorer: Sendable {
            /// Nearest released centroid; segment names from the cluster profiles.
            case kmeans(Learning.KMeansResult)
            /// Churn probability σ(w · x + b).
            case churn(Learning.LogisticModel)
        }

        /// The study id.
        var study: String
        /// The spec the study ran with (its purpose, kind).
        var spec: Study.Spec
        /// The model.
        var scorer: Scorer

        /// The score columns, without the customer id.
        var columns: [String] {
            switch scorer {
            case .kmeans: return ["cluster", "cluster_name"]
            case .churn: return ["churn_probability"]
            }
        }

        /// The score cells of every customer, in row order, CSV-quoted. O(n · k · d).
        func cells(_ customers: Learning.Customers) -> [[String]] {
            switch scorer {
            case .kmeans(let result):
                return result.labels(customers).map { label in
                    let profile = result.clusters[label]
                    return [String(profile.cluster), Analytics.FeatureCSV.quote(profile.name)]
                }
            case .churn(let model):
                return model.probabilities(customers).map { [String($0)] }
            }
        }
    }

    /// The study kinds whose released model can score customers.
    public static let applicableKinds = ["kmeans", "logistic-regression"]

    /// The model of `study`'s released result stored on this node. O(result size).
    /// - Throws: ``NodeError`` `unknownStudy` when the node stores no result for the study,
    ///   `invalidMessage` when the study released no applicable model (histogram, mean,
    ///   quantiles).
    static func model(study: String, store: NodeStore) throws -> Model {
        guard let stored = try store.studyResult(study: study) else {
            throw NodeError(.unknownStudy, "this node has no released result for study \(study) (`cohort study list` shows the stored results)")
        }
        let result = try Study.Result.decode(json: stored.resultJSON)
        let kinds = applicableKinds.joined(separator: " and ")
        switch result.learning?.model {
        case .kmeans(let r)?:
            return Model(study: study, spec: result.spec, scorer: .kmeans(r))
        case .logisticRegression(let r)?:
            return Model(study: study, spec: result.spec, scorer: .churn(r.model))
        case .quantiles?:
            throw NodeError(.invalidMessage, "study \(study) is a quantiles study: it released statistics, not a model; only \(kinds) studies can be applied")
        case .evaluation?:
            throw NodeError(.invalidMessage, "study \(study) is an evaluation study: it released metrics of a model, not a model; only \(kinds) studies can be applied")
        case nil:
            throw NodeError(.invalidMessage, "study \(study) is a \(result.spec.kind.rawValue) study: it released cells, not a model; only \(kinds) studies can be applied")
        }
    }

    /// The purpose whose consent `model` needs, as the store names it.
    static func purpose(_ model: Model) throws -> Purpose {
        guard let purpose = Purpose(rawValue: model.spec.purpose.rawValue) else {
            throw NodeError(.invalidMessage, "study \(model.study) has an unknown purpose \(model.spec.purpose.rawValue)")
        }
        return purpose
    }

    /// The columns `data features --study` appends: `(",cluster,cluster_name", one ",…" suffix
    /// per row of `features`)`. The customers' regions are `regions` (same rows). O(n · d).
    static func featureColumns(
        _ model: Model, features: Analytics.FeatureTable, regions: [String?]
    ) throws -> (header: String, rows: [String]) {
        let customers = try Learning.Customers(features: features, regions: regions)
        let header = model.columns.map { "," + $0 }.joined()
        return (header, model.cells(customers).map { cells in cells.map { "," + $0 }.joined() })
    }

    /// Today's date (UTC), the default reference date of the customers' features.
    public static func today(_ now: Date = Date()) -> String {
        CalendarDate(daysSinceEpoch: Int((now.timeIntervalSince1970 / 86_400).rounded(.down)))?.description ?? "1970-01-01"
    }

    /// Runs `cohort study apply` for `request` (command ``LocalAnalysis/Command/apply``, its
    /// ``LocalAnalysis/Request/study``, ``LocalAnalysis/Request/top`` and as-of date) on the
    /// node's data and passes the CSV to `emit` in chunks, after the access is on record.
    /// - Throws: ``NodeError`` for an unknown study (`unknownStudy`), a study without an
    ///   applicable model, `--top` with a k-means study, or no consenting customers
    ///   (`invalidMessage`); store and audit errors as they come (nothing is emitted then).
    public static func run(
        _ request: LocalAnalysis.Request, store: NodeStore, audit: any AuditRecording,
        emit: (Data) async throws -> Void
    ) async throws {
        guard let study = request.study, !study.isEmpty else {
            throw NodeError(.invalidMessage, "study apply needs a study id")
        }
        let model = try model(study: study, store: store)
        if let top = request.top {
            guard case .churn = model.scorer else {
                throw NodeError(.invalidMessage, "--top ranks customers by churn probability; study \(study) is a \(model.spec.kind.rawValue) study")
            }
            guard top >= 1 else { throw NodeError(.invalidMessage, "--top \(top) must be at least 1") }
        }
        let asOf = try CalendarDate(parsing: request.asOf, what: "as-of")
        let purpose = try purpose(model)
        let (customers, transactions) = try NodeStudyServices.learningCustomers(
            store: store, purpose: purpose, consentAt: Date(), asOf: asOf)
        guard customers.count > 0 else {
            throw NodeError(.invalidMessage, "this node has no customers consenting now to \(purpose.rawValue), the purpose of study \(study); nothing to score")
        }
        _ = try await audit.record(.localDataAccessed(
            actor: request.actor, purpose: purpose.rawValue, study: study, command: request.command.rawValue,
            rows: customers.count, transactions: transactions, asOf: asOf.description))
        let cells = model.cells(customers)
        var order = Array(0..<customers.count)
        if let top = request.top, case .churn(let churn) = model.scorer {
            // Highest probability first, ties by customer id; only the first `top`.
            let p = churn.probabilities(customers)
            order.sort { p[$0] != p[$1] ? p[$0] > p[$1] : customers.ids[$0] < customers.ids[$1] }
            order = Array(order.prefix(top))
        }
        var buffer = Data((["customer_id"] + model.columns).joined(separator: ",").utf8)
        buffer.append(0x0A)
        for index in order {
            buffer.append(contentsOf: Analytics.FeatureCSV.quote(customers.ids[index]).utf8)
            for cell in cells[index] {
                buffer.append(0x2C)
                buffer.append(contentsOf: cell.utf8)
            }
            buffer.append(0x0A)
            if buffer.count >= LocalAnalysis.chunkBytes {
                try await emit(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { try await emit(buffer) }
    }

    /// The scores file of `cohort study apply`: checked before anything is read (never inside
    /// the node directory, an existing file only when replacing is allowed:
    /// ``RejectsPathPolicy``), created exclusively (`O_EXCL`, mode 0600 whatever the umask) at
    /// the first chunk — which the node emits only after the access is audited — and removed
    /// again if the command fails half way.
    public final class Output: Sendable {
        /// The file.
        public let path: String
        private let replaceExisting: Bool
        private let state = Mutex<(fd: Int32, bytes: Int, newlines: Int)>((-1, 0, 0))

        /// Checks `path` for the node in `node`.
        /// - Throws: ``StoreError`` `invalidArgument` when the path is refused.
        public init(path: String, node: String, replaceExisting: Bool) throws {
            try RejectsPathPolicy.check(path, option: "--out", input: nil, node: NodeDirectory(node), replaceExisting: replaceExisting)
            self.path = path
            self.replaceExisting = replaceExisting
        }

        /// Appends `data`, creating the file at the first call.
        /// - Throws: ``StoreError`` `io` when the file cannot be created or written.
        public func write(_ data: Data) throws {
            try state.withLock { s in
                if s.fd < 0 { s.fd = try create() }
                try data.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = systemWrite(s.fd, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw StoreError(.io, "cannot write: \(String(cString: strerror(errno)))", file: path)
                        }
                        offset += n
                    }
                }
                s.bytes += data.count
                s.newlines += data.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            }
        }

        /// Flushes (fsync) and closes the file.
        /// - Returns: the data lines written (the header not counted).
        /// - Throws: ``StoreError`` `io` when nothing was written or the flush fails.
        public func finish() throws -> Int {
            try state.withLock { s in
                guard s.fd >= 0 else { throw StoreError(.io, "nothing was written", file: path) }
                defer {
                    close(s.fd)
                    s.fd = -1
                }
                guard fsync(s.fd) == 0 else {
                    throw StoreError(.io, "cannot flush: \(String(cString: strerror(errno)))", file: path)
                }
                return max(0, s.newlines - 1)
            }
        }

        /// Closes and removes the file if this output created it (the command failed).
        public func discard() {
            state.withLock { s in
                guard s.fd >= 0 else { return }
                close(s.fd)
                s.fd = -1
                unlink(path)
            }
        }

        /// Creates the file exclusively; an existing file is first removed when replacing is
        /// allowed (never truncated in place: another process could hold it open).
        private func create() throws -> Int32 {
            try NodeFilePermissions.createExclusive(path, what: "output file", replaceExisting: replaceExisting)
        }
    }
}

/// `write(2)` (named so that ``ModelApplication/Output/write(_:)`` does not shadow it).
private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
