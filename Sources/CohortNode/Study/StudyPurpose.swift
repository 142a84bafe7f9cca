extension Study {
    /// The consent purpose a study runs under. Only customers who consented to this purpose (as
    /// of the study start) are used, and the privacy budget of this purpose is charged.
    public enum Purpose: String, Sendable, Hashable, Codable, CaseIterable {
        /// Customer segmentation (`segmentation`).
        case segmentation
        /// Cross-partner benchmarks (`benchmarking`).
        case benchmarking
        /// Training models (`model-training`).
        case modelTraining = "model-training"
    }
}
