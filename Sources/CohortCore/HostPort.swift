/// A network address written `host:port`: the host a DNS name, an IPv4 address or a bracketed
/// IPv6 address, the port 0–65535.
public struct HostPort: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The host, without brackets for IPv6.
    public let host: String
    /// The TCP port.
    public let port: Int

    /// Creates an address from its parts.
    /// - Throws: ``CoreError/Code/invalidAddress`` for an empty or malformed host or a port
    ///   outside 0–65535 (or 0 when `allowPortZero` is false).
    public init(host: String, port: Int, allowPortZero: Bool = false) throws {
        guard (allowPortZero ? 0 : 1) <= port, port <= 65_535 else {
            throw CoreError(.invalidAddress, "port \(port) is outside \(allowPortZero ? 0 : 1)–65535")
        }
        guard Self.isValidHost(host) else {
            throw CoreError(.invalidAddress, "'\(host)' is not a host name or IP address")
        }
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (IPv6 as `[addr]:port`).
    /// - Parameter what: how the value is named in the error, e.g. `network.listen`.
    /// - Throws: ``CoreError/Code/invalidAddress`` naming `what` and the text.
    public init(parsing text: String, what: String = "address", allowPortZero: Bool = false) throws {
        guard let colon = text.lastIndex(of: ":") else {
            throw CoreError(.invalidAddress, "\(what): '\(text)' is not host:port")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }),
              let port = Int(portText) else {
            throw CoreError(.invalidAddress, "\(what): '\(text)' is not host:port (the port must be a number)")
        }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else {
                throw CoreError(.invalidAddress, "\(what): '\(text)' has an unclosed IPv6 bracket")
            }
            host = String(host.dropFirst().dropLast())
        }
        do {
            try self.init(host: host, port: port, allowPortZero: allowPortZero)
        } catch let error as CoreError {
            throw CoreError(.invalidAddress, "\(what): '\(text)': \(error.message)")
        }
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    private static func isValidHost(_ host: String) -> Bool {
        guard !host.isEmpty, host.count <= 253 else { return false }
        if host.contains(":") {
            return host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }
}
