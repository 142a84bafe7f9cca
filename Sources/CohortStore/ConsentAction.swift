/// What a consent event does.
public enum ConsentAction: String, Sendable, Hashable, CaseIterable, Codable {
    /// The customer grants consent for the purpose.
    case grant
    /// The customer withdraws consent for the purpose.
    case withdraw
}
