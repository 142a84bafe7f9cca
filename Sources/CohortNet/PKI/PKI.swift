/// Namespace for Cohort's public-key infrastructure: consortium certificate authorities, node
/// certificates (identity = SAN URI `cohort://<consortium>/<node>`), trust bundles, revocation
/// lists, key rotation and peer-certificate verification.
///
/// All keys are ECDSA P-256. Private keys are written with mode 0600 and never logged.
public enum PKI {
    /// The URI scheme of node identities in certificates (`cohort://<consortium>/<node>`).
    public static let identityScheme = "cohort"

    /// Default validity of a consortium CA certificate, in days (10 years).
    public static let defaultCAValidityDays = 3650

    /// Default validity of a node certificate, in days.
    public static let defaultNodeValidityDays = 365

    /// Allowed clock skew when back-dating `notBefore` of new certificates, in seconds.
    public static let backdatingSeconds: Double = 300
}
