import CohortStore
import CohortNode
import Testing

/// Issue 16: the optional `data:` section of cohort.yaml (reporting currency, custom attributes).
@Suite("node config data section")
struct NodeConfigDataSectionTests {
    static let base = NodeConfigTemplate.text(name: "acme", consortium: "demo")

    @Test("an existing config without a data section loads unchanged and writes no data section")
    func backwardCompatible() throws {
        let config = try NodeConfig.parse(yaml: Self.base)
        #expect(config.data == NodeConfig.DataSection())
        #expect(!(try config.yaml()).contains("data:"))
        #expect(try NodeConfig.parse(yaml: try config.yaml()) == config)
    }

    @Test("a data section with a reporting currency and typed attributes loads and round-trips")
    func loads() throws {
        let text = Self.base + """
            data:
              reporting_currency: JPY
              attributes:
                contract: { type: category, values: [Month-to-month, One year] }
                senior_citizen: { type: boolean }
                tenure_months: { type: integer, min: 0, max: 120 }

            """
        let config = try NodeConfig.parse(yaml: text)
        #expect(config.data.reportingCurrency == "JPY")
        #expect(config.data.attributes["tenure_months"] == CustomAttribute(type: .integer, min: 0, max: 120))
        #expect(try NodeConfig.parse(yaml: try config.yaml()) == config)
    }

    @Test("invalid data sections are refused naming the key", arguments: [
        ("reporting_currency: EURO", "data.reporting_currency"),
        ("attributes:\n    Contract: { type: boolean }", "data.attributes.Contract"),
        ("attributes:\n    contract: { type: category }", "data.attributes.contract"),
        ("attributes:\n    tenure: { type: integer, min: 5, max: 1 }", "data.attributes.tenure"),
        ("attributes:\n    flag: { type: boolean, values: [a] }", "data.attributes.flag"),
    ])
    func refused(_ body: String, key: String) {
        #expect {
            _ = try NodeConfig.parse(yaml: Self.base + "data:\n  " + body + "\n")
        } throws: { error in
            (error as? NodeError)?.message.hasPrefix("key '\(key)'") == true
        }
    }
}
