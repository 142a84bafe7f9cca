import CohortStudy
public import CohortCore
import CohortAnalytics
public import CohortAudit
public import CohortStore
public import Foundation

/// The node-local analyses (`analyze`, `data features`, `privacy plan`, `study apply`): one implementation,
/// run by the CLI on a stopped node and by the running node for the CLI (admin RPC
/// `LocalAnalysis`), so the `data.accessed` entry is always written by whoever holds the audit
/// log — the running node when it runs.
///
/// Order: read the rows → audit the access durably (`data.accessed`, scope `local`) → compute →
/// emit. If the audit append fails nothing is computed or emitted.
public enum LocalAnalysis {
    /// Which analysis.
    public enum Command: String, Sendable, Hashable, CaseIterable {
        /// The segmentation report (text or JSON).
        case analyze
        /// The per-customer feature table (CSV).
        case features = "data features"
        /// Standard error per cell and studies per period for a study spec.
        case plan = "privacy plan"
        /// A released learning model's scores of the consenting customers (CSV, ``ModelApplication``).
        case apply = "study apply"
    }

    /// What to run.
    public struct Request: Sendable, Hashable {
        /// The analysis.
        public var command: Command
        /// Reference date `YYYY-MM-DD` (UTC); for `plan`, the spec's `as_of` is used.
        public var asOf: String
        /// Only customers consenting (now) to this purpose; nil for all customers.
        public var purpose: Purpose?
        /// Audit actor.
        public var actor: String
        /// `analyze`: k-means clusters, nil for automatic (2…6).
        public var k: Int?
        /// `analyze`: seed of the holdout split and k-means initialization.
        public var seed: UInt64
        /// `analyze`, `plan`: JSON instead of text.
        public var json: Bool
        /// `plan`: the study spec text (YAML or JSON).
        public var spec: String?
        /// `plan`: parties adding noise; nil for the spec's participants plus the lead.
        public var parties: Int?
        /// `apply`, `features`: the released learning study whose model scores the customers.
        public var study: String?
        /// `apply`: only the `top` customers most likely to churn, highest first; nil for all.
        public var top: Int?

        /// Creates a request.
        public init(
            command: Command, asOf: String, purpose: Purpose? = nil, actor: String, k: Int? = nil,
            seed: UInt64 = 1, json: Bool = false, spec: String? = nil, parties: Int? = nil,
            study: String? = nil, top: Int? = nil
        ) {
            self.command = command
            self.asOf = asOf
            self.purpose = purpose
            self.actor = actor
            self.k = k
            self.seed = seed
            self.json = json
            self.spec = spec
            self.parties = parties
            self.study = study
            self.top = top
        }
    }

    /// Size of the chunks `features` output is emitted in (bytes, about 1 MiB).
    public static let chunkBytes = 1 << 20

    /// Runs `request` on the node's data and passes the output to `emit` in order (one chunk
    /// for `analyze` and `plan`, ~1 MiB chunks of CSV lines for `features` and `apply`).
    /// - Throws: ``NodeError`` (`invalidMessage`) for bad arguments or too little data, store and
    ///   audit errors as they come (an audit failure stops the analysis before any output).
    public static func run(
        _ request: Request, store: NodeStore, config: NodeConfig, audit: any AuditRecording,
        emit: (Data) async throws -> Void
    ) async throws {
        switch request.command {
        case .analyze:
            let asOfDay = try day(request.asOf)
            let tables = try await loadTables(request, store: store, audit: audit, purpose: request.purpose, asOf: request.asOf)
            guard tables.customers.count >= 2 else {
                throw NodeError(.invalidMessage, "the node has \(tables.customers.count) customer(s) in scope; the report needs at least 2")
            }
            let report = try Analytics.SegmentationReport.build(
                customers: tables.customers, transactions: tables.transactions, asOf: asOfDay,
                options: .init(seed: request.seed, k: request.k.map { .fixed($0) } ?? .automatic(2...6)))
            let text = request.json ? try report.renderJSON() : report.renderText()
            try await emitChunked(Data((text + "\n").utf8), emit)
        case .features:
            let asOfDay = try day(request.asOf)
            // With a study: its released model scores each customer (columns after the
            // attributes), and only the customers consenting now to the study's purpose are read.
            let model = try request.study.map { try ModelApplication.model(study: $0, store: store) }
            var purpose = request.purpose
            if let model {
                let studyPurpose = try ModelApplication.purpose(model)
                if let purpose, purpose != studyPurpose {
                    throw NodeError(.invalidMessage, "study \(model.study) is for \(studyPurpose.rawValue); --purpose \(purpose.rawValue) does not match (leave it out)")
                }
                purpose = studyPurpose
            }
            let tables = try await loadTables(
                request, store: store, audit: audit, purpose: purpose, asOf: request.asOf, study: model?.study)
            let features = try Analytics.Features.compute(
                customers: tables.customers, transactions: tables.transactions, asOf: asOfDay)
            let scores = try model.map { try ModelApplication.featureColumns($0, features: features, regions: tables.customers.region) }
            var buffer = Data()
            // Custom attributes (config data.attributes) follow the standard columns (issue 16).
            let attributeNames = config.data.attributes.keys.sorted()
            let attributes = attributeNames.isEmpty ? [:] : try store.customerAttributes()
            for (index, line) in Analytics.FeatureCSV.lines(features).enumerated() {
                buffer.append(contentsOf: line.utf8)
                if !attributeNames.isEmpty {
                    let suffix = index == 0 ? AttributeColumns.header(attributeNames)
                        : AttributeColumns.row(attributeNames, attributes[features.ids[index - 1]])
                    buffer.append(contentsOf: suffix.utf8)
                }
                if let scores {
                    buffer.append(contentsOf: (index == 0 ? scores.header : scores.rows[index - 1]).utf8)
                }
                buffer.append(0x0A)
                if buffer.count >= chunkBytes {
                    try await emit(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if !buffer.isEmpty { try await emit(buffer) }
        case .plan:
            guard let text = request.spec else { throw NodeError(.invalidMessage, "privacy plan needs a study spec") }
            let spec: Study.Spec
            do {
                spec = try Study.Spec.load(yaml: text)
            } catch {
                throw NodeError(.invalidMessage, "invalid study spec: \(error)")
            }
            guard !spec.kind.isLearning else {
                // Nothing is read: a learning study's cost depends on its spec alone.
                throw NodeError(.invalidMessage, "a \(spec.kind.rawValue) study has no cells to preview; `cohort privacy cost --spec <file>` prices all its rounds")
            }
            guard let purpose = Purpose(rawValue: spec.purpose.rawValue) else {
                throw NodeError(.invalidMessage, "unknown purpose \(spec.purpose.rawValue)")
            }
            let tables = try await loadTables(request, store: store, audit: audit, purpose: purpose, asOf: spec.asOf.description)
            let (codes, measures) = try NodeStudyServices.studyInputs(
                spec: spec, customers: tables.customers, transactions: tables.transactions,
                rfm: try NodeStudyServices.rfmScoring(for: spec, store: store))
            let exact = try Study.Contribution.compute(spec: spec, codes: codes, measures: measures)
            let plan = try PrivacyPlan.make(
                spec: spec, contribution: exact, parties: request.parties ?? (spec.participants.count + 1),
                store: store, config: config, at: Date())
            let output = request.json ? try plan.json() : plan.text()
            try await emitChunked(Data((output + "\n").utf8), emit)
        case .apply:
            try await ModelApplication.run(request, store: store, audit: audit, emit: emit)
        }
    }

    /// Emits `data` in slices of at most ``chunkBytes`` (admin messages stay far below gRPC's
    /// 4 MiB limit whatever the report's size).
    static func emitChunked(_ data: Data, _ emit: (Data) async throws -> Void) async throws {
        var start = data.startIndex
        while start < data.endIndex {
            let end = data.index(start, offsetBy: chunkBytes, limitedBy: data.endIndex) ?? data.endIndex
            try await emit(data.subdata(in: start..<end))
            start = end
        }
    }

    /// The as-of date in days since 1970-01-01, or `invalidMessage`.
    static func day(_ text: String) throws -> Int32 {
        guard let day = CivilTime.parseDate(text) else {
            throw NodeError(.invalidMessage, "as-of '\(text)' is not a valid date (YYYY-MM-DD)")
        }
        return Int32(day)
    }

    /// Loads the customers in scope (consenting now to `purpose`, or all) with their
    /// transactions up to the end of `asOf`, then audits the access durably (for `study`, if
    /// any) before returning.
    static func loadTables(
        _ request: Request, store: NodeStore, audit: any AuditRecording, purpose: Purpose?, asOf: String,
        study: String? = nil
    ) async throws -> (customers: Analytics.CustomerTable, transactions: Analytics.TransactionTable) {
        let end = try CivilTime.parseArgument(asOf, option: "as-of", endOfDay: true)
        let tables = try purpose.map { try store.loadAnalyticsTables(purpose: $0, consentAt: Date(), transactionsUpTo: end) }
            ?? store.loadAllAnalyticsTables(asOf: end)
        _ = try await audit.record(.localDataAccessed(
            actor: request.actor, purpose: purpose?.rawValue, study: study, command: request.command.rawValue,
            rows: tables.customers.count, transactions: tables.transactions.count, asOf: asOf))
        return tables
    }
}
