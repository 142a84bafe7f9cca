public import CohortCore
public import CohortStore
import Foundation
import Yams

/// The node configuration file `cohort.yaml` (YAML, snake_case keys).
///
/// Load with ``load(from:)``: decoding is done with Yams `Codable`, then ``validate()`` checks
/// that the values make sense. Every error names the offending key (e.g.
/// `privacy.purposes.segmentation.epsilon_per_period`).
public struct NodeConfig: Sendable, Equatable {
    /// `node:` — identity of this node.
    public var node: Node
    /// `network:` — listen addresses and peers. Optional in the file (defaults: loopback, port 0, no peers).
    public var network: Network
    /// `tls:` — certificate paths, relative to the node directory. Optional in the file.
    public var tls: TLS
    /// `privacy:` — δ, the minimum cohort size and per-purpose ε budgets.
    public var privacy: Privacy
    /// `studies:` — study approval policy. Optional in the file (default: no auto-approval).
    public var studies: Studies
    /// `data:` — reporting currency and custom customer attributes. Optional in the file
    /// (default: no reporting currency, no custom attributes).
    public var data: DataSection

    /// Creates a configuration.
    public init(
        node: Node, network: Network = Network(), tls: TLS = TLS(), privacy: Privacy, studies: Studies = Studies(),
        data: DataSection = DataSection()
    ) {
        self.node = node
        self.network = network
        self.tls = tls
        self.privacy = privacy
        self.studies = studies
        self.data = data
    }
}

extension NodeConfig {
    /// `node: { name, consortium, mode }`.
    public struct Node: Sendable, Equatable, Codable {
        /// Node name (lowercase letters, digits and `-`, 1–63 characters, starting with a letter or digit).
        public var name: String
        /// Consortium name (same syntax as the node name).
        public var consortium: String
        /// Production or simulation.
        public var mode: RunMode

        /// Creates the section.
        public init(name: String, consortium: String, mode: RunMode = .production) {
            self.name = name
            self.consortium = consortium
            self.mode = mode
        }
    }

    /// One entry of `network.peers`.
    public struct Peer: Sendable, Equatable, Codable {
        /// The peer's node name (must match its certificate).
        public var name: String
        /// `host:port` of the peer service.
        public var address: String

        /// Creates a peer entry.
        public init(name: String, address: String) {
            self.name = name
            self.address = address
        }
    }

    /// `network: { listen, metrics, peers }`.
    public struct Network: Sendable, Equatable, Codable {
        /// `host:port` the peer service listens on (port 0 = any free port).
        public var listen: String
        /// `host:port` of the Prometheus metrics endpoint (port 0 = any free port).
        public var metrics: String
        /// Known peers.
        public var peers: [Peer]

        /// Creates the section.
        public init(listen: String = "127.0.0.1:0", metrics: String = "127.0.0.1:0", peers: [Peer] = []) {
            self.listen = listen
            self.metrics = metrics
            self.peers = peers
        }

        enum CodingKeys: String, CodingKey { case listen, metrics, peers }

        /// Decodes, defaulting missing keys.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? "127.0.0.1:0"
            metrics = try c.decodeIfPresent(String.self, forKey: .metrics) ?? "127.0.0.1:0"
            peers = try c.decodeIfPresent([Peer].self, forKey: .peers) ?? []
        }
    }

    /// `tls: { certificate, key, trust_bundle, revoked }` — paths relative to the node directory.
    public struct TLS: Sendable, Equatable, Codable {
        /// The node certificate (PEM).
        public var certificate: String
        /// The node private key (PEM, 0600).
        public var key: String
        /// The consortium trust bundle (PEM).
        public var trustBundle: String
        /// The revocation list (one serial per line).
        public var revoked: String

        /// Creates the section.
        public init(
            certificate: String = "tls/node.pem", key: String = "tls/node.key",
            trustBundle: String = "tls/trust.pem", revoked: String = "tls/revoked.txt"
        ) {
            self.certificate = certificate
            self.key = key
            self.trustBundle = trustBundle
            self.revoked = revoked
        }

        enum CodingKeys: String, CodingKey {
            case certificate, key, revoked
            case trustBundle = "trust_bundle"
        }

        /// Decodes, defaulting missing keys.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            certificate = try c.decodeIfPresent(String.self, forKey: .certificate) ?? "tls/node.pem"
            key = try c.decodeIfPresent(String.self, forKey: .key) ?? "tls/node.key"
            trustBundle = try c.decodeIfPresent(String.self, forKey: .trustBundle) ?? "tls/trust.pem"
            revoked = try c.decodeIfPresent(String.self, forKey: .revoked) ?? "tls/revoked.txt"
        }
    }

    /// One purpose's budget: `{ epsilon_per_period, period_days, epsilon_per_study }`.
    public struct PurposePolicy: Sendable, Equatable, Codable {
        /// Total ε that may be spent for the purpose in any window of `periodDays` days.
        public var epsilonPerPeriod: Double
        /// Length of the budget window, in days.
        public var periodDays: Int
        /// Maximum ε one study may spend.
        public var epsilonPerStudy: Double

        /// Creates a policy.
        public init(epsilonPerPeriod: Double, periodDays: Int, epsilonPerStudy: Double) {
            self.epsilonPerPeriod = epsilonPerPeriod
            self.periodDays = periodDays
            self.epsilonPerStudy = epsilonPerStudy
        }

        enum CodingKeys: String, CodingKey {
            case epsilonPerPeriod = "epsilon_per_period"
            case periodDays = "period_days"
            case epsilonPerStudy = "epsilon_per_study"
        }
    }

    /// `privacy: { delta, min_customers, purposes }`.
    public struct Privacy: Sendable, Equatable, Codable {
        /// δ of the (ε, δ) guarantee, in (0, 1).
        public var delta: Double
        /// Minimum number of consenting customers for the node to take part in a study.
        public var minCustomers: Int
        /// Budget per purpose name (`segmentation`, `benchmarking`, `model-training`).
        public var purposes: [String: PurposePolicy]

        /// Creates the section.
        public init(delta: Double, minCustomers: Int, purposes: [String: PurposePolicy]) {
            self.delta = delta
            self.minCustomers = minCustomers
            self.purposes = purposes
        }

        enum CodingKeys: String, CodingKey {
            case delta, purposes
            case minCustomers = "min_customers"
        }
    }

    /// `studies: { auto_approve }`.
    public struct Studies: Sendable, Equatable, Codable {
        /// Accept incoming study proposals that fit the policy without operator approval.
        public var autoApprove: Bool

        /// Creates the section.
        public init(autoApprove: Bool = false) {
            self.autoApprove = autoApprove
        }

        enum CodingKeys: String, CodingKey { case autoApprove = "auto_approve" }

        /// Decodes, defaulting missing keys.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            autoApprove = try c.decodeIfPresent(Bool.self, forKey: .autoApprove) ?? false
        }
    }

    /// `data: { reporting_currency, attributes }`.
    public struct DataSection: Sendable, Equatable, Codable {
        /// The ISO 4217 currency money is reported in. Mapped transaction imports convert other
        /// currencies into it (with `--rates`) or refuse them. Nil: the currency already in the
        /// store (or else the first one imported) plays that role.
        public var reportingCurrency: String?
        /// Custom customer attributes by name.
        public var attributes: [String: CustomAttribute]

        /// Creates the section.
        public init(reportingCurrency: String? = nil, attributes: [String: CustomAttribute] = [:]) {
            self.reportingCurrency = reportingCurrency
            self.attributes = attributes
        }

        enum CodingKeys: String, CodingKey {
            case attributes
            case reportingCurrency = "reporting_currency"
        }

        /// Decodes, defaulting missing keys.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            reportingCurrency = try c.decodeIfPresent(String.self, forKey: .reportingCurrency)
            attributes = try c.decodeIfPresent([String: CustomAttribute].self, forKey: .attributes) ?? [:]
        }

        /// Encodes, leaving out empty keys.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(reportingCurrency, forKey: .reportingCurrency)
            if !attributes.isEmpty { try c.encode(attributes, forKey: .attributes) }
        }

        /// What the importer takes from this section.
        public var declarations: DataDeclarations {
            DataDeclarations(reportingCurrency: reportingCurrency, attributes: attributes)
        }
    }

    /// The budget policy for a purpose, or nil if the config does not allow the purpose.
    public func policy(for purpose: Purpose) -> PurposePolicy? {
        privacy.purposes[purpose.rawValue]
    }
}

extension NodeConfig: Codable {
    enum CodingKeys: String, CodingKey { case node, network, tls, privacy, studies, data }

    /// Decodes; `network`, `tls`, `studies` and `data` may be absent.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        node = try c.decode(Node.self, forKey: .node)
        network = try c.decodeIfPresent(Network.self, forKey: .network) ?? Network()
        tls = try c.decodeIfPresent(TLS.self, forKey: .tls) ?? TLS()
        privacy = try c.decode(Privacy.self, forKey: .privacy)
        studies = try c.decodeIfPresent(Studies.self, forKey: .studies) ?? Studies()
        data = try c.decodeIfPresent(DataSection.self, forKey: .data) ?? DataSection()
    }

    /// Encodes; an empty `data` section is left out (so configs without one read back unchanged).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(node, forKey: .node)
        try c.encode(network, forKey: .network)
        try c.encode(tls, forKey: .tls)
        try c.encode(privacy, forKey: .privacy)
        try c.encode(studies, forKey: .studies)
        if data != DataSection() { try c.encode(data, forKey: .data) }
    }
}

extension NodeConfig {
    /// Reads, decodes and validates a config file.
    ///
    /// - Throws: ``NodeError`` with code `.invalidConfiguration` naming the file and the offending key.
    public static func load(from path: String) throws -> NodeConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NodeError(.invalidConfiguration, "cannot read config file: \(error.localizedDescription)", file: path)
        }
        return try parse(yaml: text, file: path)
    }

    /// Decodes and validates config text; `file` is used in error messages only.
    public static func parse(yaml text: String, file: String = "cohort.yaml") throws -> NodeConfig {
        let config: NodeConfig
        do {
            config = try YAMLDecoder().decode(NodeConfig.self, from: text)
        } catch let error as DecodingError {
            throw NodeError(.invalidConfiguration, describe(error), file: file)
        } catch {
            throw NodeError(.invalidConfiguration, "not valid YAML: \(error)", file: file)
        }
        do {
            try config.validate()
        } catch var error as NodeError {
            error.file = file
            throw error
        }
        return config
    }

    /// The YAML text of this configuration (no comments; see ``NodeConfigTemplate`` for the commented file).
    public func yaml() throws -> String {
        // Numbers as a person writes them (δ as 1.0e-6, not 9.9999999999999995e-07).
        try YAMLNumbers.humanize(YAMLEncoder().encode(self))
    }

    private static func keyPath(_ path: [any CodingKey]) -> String {
        path.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            .joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let path = keyPath(context.codingPath + [key])
            return "key '\(path)': missing"
        case .typeMismatch(let type, let context):
            return "key '\(keyPath(context.codingPath))': expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "key '\(keyPath(context.codingPath))': expected \(typeName(type)), found null"
        case .dataCorrupted(let context):
            let path = keyPath(context.codingPath)
            return path.isEmpty ? context.debugDescription : "key '\(path)': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Double.Type: return "a number"
        case is Int.Type: return "an integer"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}

extension NodeConfig {
    /// Checks that the configuration makes sense.
    ///
    /// - Throws: ``NodeError`` `.invalidConfiguration` whose message starts with the offending key.
    public func validate() throws {
        func fail(_ key: String, _ reason: String) -> NodeError {
            NodeError(.invalidConfiguration, "key '\(key)': \(reason)")
        }
        guard Self.isValidName(node.name) else {
            throw fail("node.name", "'\(node.name)' is not a valid node name (lowercase letters, digits and '-', 1–63 characters, starting with a letter or digit)")
        }
        guard Self.isValidName(node.consortium) else {
            throw fail("node.consortium", "'\(node.consortium)' is not a valid consortium name (lowercase letters, digits and '-', 1–63 characters)")
        }
        guard Self.isValidAddress(network.listen, allowPortZero: true) else {
            throw fail("network.listen", "'\(network.listen)' is not a host:port address")
        }
        guard Self.isValidAddress(network.metrics, allowPortZero: true) else {
            throw fail("network.metrics", "'\(network.metrics)' is not a host:port address")
        }
        var seen: Set<String> = []
        for (i, peer) in network.peers.enumerated() {
            guard Self.isValidName(peer.name) else {
                throw fail("network.peers[\(i)].name", "'\(peer.name)' is not a valid node name")
            }
            guard peer.name != node.name else {
                throw fail("network.peers[\(i)].name", "'\(peer.name)' is this node's own name")
            }
            guard seen.insert(peer.name).inserted else {
                throw fail("network.peers[\(i)].name", "peer '\(peer.name)' is listed twice")
            }
            guard Self.isValidAddress(peer.address, allowPortZero: false) else {
                throw fail("network.peers[\(i)].address", "'\(peer.address)' is not a host:port address with a port in 1–65535")
            }
        }
        for (key, value) in [("tls.certificate", tls.certificate), ("tls.key", tls.key),
                             ("tls.trust_bundle", tls.trustBundle), ("tls.revoked", tls.revoked)]
        where value.isEmpty {
            throw fail(key, "must not be empty")
        }
        guard privacy.delta.isFinite, privacy.delta > 0, privacy.delta < 1 else {
            throw fail("privacy.delta", "\(privacy.delta) is not in the open interval (0, 1)")
        }
        guard privacy.minCustomers > 0 else {
            throw fail("privacy.min_customers", "must be a positive integer, got \(privacy.minCustomers)")
        }
        for name in privacy.purposes.keys.sorted() {
            guard let policy = privacy.purposes[name] else { continue }
            let base = "privacy.purposes.\(name)"
            guard Purpose(rawValue: name) != nil else {
                throw fail(base, "unknown purpose '\(name)' (expected one of: \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard policy.epsilonPerPeriod.isFinite, policy.epsilonPerPeriod > 0 else {
                throw fail(base + ".epsilon_per_period", "must be a positive number, got \(policy.epsilonPerPeriod)")
            }
            guard policy.periodDays > 0 else {
                throw fail(base + ".period_days", "must be a positive integer, got \(policy.periodDays)")
            }
            guard policy.epsilonPerStudy.isFinite, policy.epsilonPerStudy > 0 else {
                throw fail(base + ".epsilon_per_study", "must be a positive number, got \(policy.epsilonPerStudy)")
            }
            guard policy.epsilonPerStudy <= policy.epsilonPerPeriod else {
                throw fail(base + ".epsilon_per_study", "\(policy.epsilonPerStudy) exceeds epsilon_per_period \(policy.epsilonPerPeriod)")
            }
        }
        if let currency = data.reportingCurrency, CurrencyTable.exponent(of: currency) == nil {
            throw fail("data.reporting_currency", "'\(currency)' is not an ISO 4217 currency code with a minor unit (e.g. EUR, USD, JPY)")
        }
        for name in data.attributes.keys.sorted() {
            guard CustomAttribute.isValidName(name) else {
                throw fail("data.attributes.\(name)", "'\(name)' is not a valid attribute name (a lowercase letter, then lowercase letters, digits or '_'; at most 40)")
            }
            if let problem = data.attributes[name]?.problem() {
                throw fail("data.attributes.\(name)", problem)
            }
        }
    }

    /// Whether `name` is a valid node or consortium name (``CohortCore/NodeName``'s rule).
    public static func isValidName(_ name: String) -> Bool { NodeName.isValid(name) }

    /// Whether `address` is `host:port` (host a name, IPv4 address or `[IPv6]`; port 0–65535).
    public static func isValidAddress(_ address: String, allowPortZero: Bool) -> Bool {
        (try? HostPort(parsing: address, allowPortZero: allowPortZero)) != nil
    }
}
