/// The version `cohort --version` prints: the release, then the admin protocol it speaks.
enum CohortVersion {
    /// The release of this build of `cohort`.
    static let release = "0.17.0"
    /// What `--version` prints.
    static var text: String { "cohort \(release) (admin protocol cohort.admin.v1, peer protocol cohort.peer.v1)" }
}
