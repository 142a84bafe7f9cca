import CohortCore
import Testing

/// The one rule of node names, addresses and dates that the config, the PKI and study specs share.
@Suite struct CoreConceptTests {
    @Test(arguments: ["alpha", "a", "node-7", "0day", String(repeating: "x", count: 63)])
    func validNodeNames(_ name: String) throws {
        #expect(NodeName.isValid(name))
        #expect(try NodeName(name).value == name)
    }

    @Test(arguments: [
        ("", "1 to 63"), ("Alpha", "lowercase"), ("-a", "start"), ("a_b", "may only"), ("a.b", "may only"),
        (String(repeating: "x", count: 64), "1 to 63"), ("é", "start"),
    ])
    func invalidNodeNamesAreRefusedSayingWhy(_ name: String, _ words: String) {
        #expect(!NodeName.isValid(name))
        #expect(throws: CoreError.self) { try NodeName(name) }
        do {
            try NodeName.validate(name, what: "node name")
        } catch let error as CoreError {
            #expect(error.code == .invalidName)
            #expect(error.message.contains(words))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test(arguments: [
        ("127.0.0.1:7400", "127.0.0.1", 7400), ("node.example:1", "node.example", 1), ("[::1]:443", "::1", 443),
    ])
    func addressesParse(_ text: String, _ host: String, _ port: Int) throws {
        let address = try HostPort(parsing: text)
        #expect(address.host == host && address.port == port)
        #expect(address.description == text)
    }

    @Test(arguments: ["127.0.0.1", "host:", ":80", "host:65536", "host:-1", "host:0", "[::1:80", "ho st:80", "h:1a"])
    func badAddressesAreRefused(_ text: String) {
        #expect(throws: CoreError.self) { try HostPort(parsing: text, what: "network.listen") }
    }

    @Test func portZeroOnlyWhenAllowed() throws {
        #expect(try HostPort(parsing: "127.0.0.1:0", allowPortZero: true).port == 0)
        #expect(throws: CoreError.self) { try HostPort(parsing: "127.0.0.1:0") }
    }

    /// Known answers of the day arithmetic, and the round trip over the whole range.
    @Test(arguments: [
        ("1970-01-01", 0), ("2000-03-01", 11_017), ("1969-12-31", -1), ("0001-01-01", -719_162),
        ("9999-12-31", 2_932_896), ("2024-02-29", 19_782),
    ])
    func calendarDays(_ text: String, _ days: Int) throws {
        let date = try #require(CalendarDate(text))
        #expect(date.daysSinceEpoch == days)
        #expect(CalendarDate(daysSinceEpoch: days) == date)
        #expect(date.description == text)
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-00-10", "0000-01-01", "24-01-01", "2024-1-01", "2024-01-32", "２０２４-01-01"])
    func impossibleDatesAreRefused(_ text: String) {
        #expect(CalendarDate(text) == nil)
        #expect(throws: CoreError.self) { try CalendarDate(parsing: text, what: "as_of") }
    }

    @Test func daysOutsideTheRangeHaveNoDate() {
        #expect(CalendarDate(daysSinceEpoch: CalendarDate.minDays - 1) == nil)
        #expect(CalendarDate(daysSinceEpoch: CalendarDate.maxDays + 1) == nil)
    }

    @Test func purposesParseAndNameTheKnownOnes() throws {
        #expect(try Purpose.parse("model-training") == .modelTraining)
        #expect(throws: CoreError.self) { try Purpose.parse("marketing") }
    }
}
