import Testing
@testable import CohortLearning

@Suite struct LearningErrorTests {
    @Test func descriptionCarriesCodeAndMessage() {
        let error = LearningError(.invalidK, "k = 1 must be ≥ 2")
        #expect(error.description == "invalid-k: k = 1 must be ≥ 2")
    }
}
