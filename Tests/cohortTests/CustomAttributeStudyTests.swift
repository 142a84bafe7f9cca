import CohortStudy
import CohortAnalytics
import CohortNode
import CohortStore
import Foundation
import Testing

/// Issue 16: custom category attributes as study dimensions (`attribute:<name>` with agreed
/// `attribute_values`), refused at proposal by a participant lacking the attribute.
@Suite("custom attributes as study dimensions")
struct CustomAttributeStudyTests {
    static func spec(_ extra: String = "attribute_values: { contract: [Month-to-month, One year, Two year] }",
                     dimensions: String = "[attribute:contract, value_tier]") throws -> Study.Spec {
        try Study.Spec.load(yaml: """
            kind: histogram
            purpose: segmentation
            as_of: 2024-06-30
            dimensions: \(dimensions)
            \(extra)
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
            participants: [globex]
            deadline_seconds: 60
            """)
    }

    @Test("an attribute dimension loads with its agreed categories plus other, and round-trips")
    func loads() throws {
        let spec = try Self.spec()
        #expect(spec.attributeNames == ["contract"])
        #expect(spec.layout.categories[0] == ["Month-to-month", "One year", "Two year", "other"])
        #expect(spec.layout.cellCount == 4 * 3)
        let again = try Study.Spec.load(json: try JSONEncoder().encode(spec))
        #expect(again == spec)
    }

    @Test("attribute dimension specs are validated naming the key", arguments: [
        ("", "[attribute:contract]", "attribute_values.contract"),
        ("attribute_values: { tenure: [a] }", "[value_tier]", "attribute_values.tenure"),
        ("attribute_values: { contract: [a, a] }", "[attribute:contract]", "attribute_values.contract"),
        ("attribute_values: { contract: [other] }", "[attribute:contract]", "attribute_values.contract"),
        ("", "[attribute:Contract]", "dimensions[0]"),
    ])
    func refused(extra: String, dimensions: String, key: String) {
        #expect {
            _ = try Self.spec(extra, dimensions: dimensions)
        } throws: { error in
            (error as? StudyError)?.key == key
        }
    }

    static let config = NodeConfig(
        node: .init(name: "globex", consortium: "demo"),
        privacy: .init(delta: 1e-6, minCustomers: 1, purposes: ["segmentation": .init(epsilonPerPeriod: 4, periodDays: 30, epsilonPerStudy: 1)]),
        data: .init(attributes: ["contract": .init(type: .category, values: ["Month-to-month", "One year", "Two year"])]))

    @Test("a participant without the attribute refuses at proposal with a clear reason; one with it does not")
    func proposalRefusal() throws {
        let spec = try Self.spec()
        var lacking = Self.config
        lacking.data = .init()
        let refusal = NodeRuntime.studyPolicy(lacking).decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 10)
        guard case .reject(let rejection) = refusal else {
            Issue.record("expected a rejection, got \(refusal)")
            return
        }
        #expect(rejection.description.contains("the study uses the custom attribute 'contract', which this node does not have"))
        var fewer = Self.config
        fewer.data.attributes["contract"] = .init(type: .category, values: ["Month-to-month"])
        guard case .reject(let partial) = NodeRuntime.studyPolicy(fewer).decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 10) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(partial.description.contains("One year, Two year of attribute 'contract' are not declared by this node"))
        #expect(NodeRuntime.studyPolicy(Self.config).decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 10) == .queue)
    }

    @Test("study inputs code each customer by its attribute value; no value or an unlisted one is other")
    func inputs() throws {
        let spec = try Self.spec(dimensions: "[attribute:contract]")
        let customers = Analytics.CustomerTable(
            ids: ["a", "b", "c", "d"], signupDay: [0, 0, 0, 0], birthYear: [nil, nil, nil, nil], gender: [nil, nil, nil, nil],
            region: [nil, nil, nil, nil], primaryChannel: [nil, nil, nil, nil], nps: [nil, nil, nil, nil],
            csat: [nil, nil, nil, nil], churned: [nil, nil, nil, nil], churnDay: [nil, nil, nil, nil])
        let (codes, _) = try NodeStudyServices.studyInputs(
            spec: spec, customers: customers, transactions: Analytics.TransactionTable(),
            attributes: ["a": ["contract": "Two year"], "b": ["contract": "Month-to-month"], "d": ["contract": "Weekly"]])
        #expect(codes == [[2, 0, 3, 3]])
    }

    static func meanSpec() throws -> Study.Spec {
        try Study.Spec.load(yaml: """
            kind: mean
            purpose: segmentation
            as_of: 2024-06-30
            dimensions: [value_tier]
            measure: attribute:tenure_months
            lower: 0
            upper: 120
            privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 0 }
            participants: [globex]
            deadline_seconds: 60
            """)
    }

    @Test("an integer or boolean attribute is a bounded mean measure; a node without it refuses at proposal")
    func attributeMeasure() throws {
        let spec = try Self.meanSpec()
        #expect(spec.mean?.measure.attributeName == "tenure_months")
        guard case .reject(let rejection) = NodeRuntime.studyPolicy(Self.config).decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 10) else {
            Issue.record("expected a rejection")
            return
        }
        #expect(rejection.description.contains("averages the custom attribute 'tenure_months', which this node does not have"))
        var having = Self.config
        having.data.attributes["tenure_months"] = .init(type: .integer, min: 0, max: 120)
        #expect(NodeRuntime.studyPolicy(having).decide(spec, remainingPeriodEpsilon: 4, consentingCustomers: 10) == .queue)
        let customers = Analytics.CustomerTable(
            ids: ["a", "b", "c"], signupDay: [0, 0, 0], birthYear: [nil, nil, nil], gender: [nil, nil, nil],
            region: [nil, nil, nil], primaryChannel: [nil, nil, nil], nps: [nil, nil, nil],
            csat: [nil, nil, nil], churned: [nil, nil, nil], churnDay: [nil, nil, nil])
        let (_, measures) = try NodeStudyServices.studyInputs(
            spec: spec, customers: customers, transactions: Analytics.TransactionTable(),
            attributes: ["a": ["tenure_months": "8"], "c": ["tenure_months": "45"]])
        #expect(measures == [8, nil, 45])
    }
}
