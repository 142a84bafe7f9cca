import CohortCore
import CohortScenario
import Foundation
import Testing

/// Tests of the CSV files written by `Synthetic.Generator.write(to:)`.
@Suite("Synthetic generator CSV output")
struct GeneratorOutputTests {
    static let fileNames = ["customers.csv", "transactions.csv", "consent.csv", "ground_truth.csv"]

    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("cohort-generator-test-\(UUID().uuidString)", isDirectory: true)
    }

    /// FNV-1a 64 of a file's bytes.
    static func fnv1a(_ data: Data) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hashes(of directory: URL) throws -> [UInt64] {
        try fileNames.map { try fnv1a(Data(contentsOf: directory.appendingPathComponent($0))) }
    }

    static func lines(_ url: URL) throws -> [Substring] {
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.hasSuffix("\n"), "\(url.lastPathComponent) must end with a newline")
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 }
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func sameSeedGivesSameBytesRegardlessOfParallelism(profile: Synthetic.Profile) throws {
        let a = Self.temporaryDirectory()
        let b = Self.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        let customers = profile == .retail ? 2_100 : 1_100  // several chunks of 1 024
        var sequential = try Synthetic.Generator(profile: profile, customers: customers, seed: 42)
        sequential.parallel = false
        let parallel = try Synthetic.Generator(profile: profile, customers: customers, seed: 42)
        let summaryA = try sequential.write(to: a)
        let summaryB = try parallel.write(to: b)
        #expect(try Self.hashes(of: a) == Self.hashes(of: b))
        for name in Self.fileNames {
            #expect(
                try Data(contentsOf: a.appendingPathComponent(name))
                    == Data(contentsOf: b.appendingPathComponent(name)), "\(name) differs")
        }
        #expect(summaryA.transactionCount == summaryB.transactionCount)
        #expect(summaryA.customerCount == customers)
    }

    @Test func differentSeedGivesDifferentBytes() throws {
        let a = Self.temporaryDirectory()
        let b = Self.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        _ = try Synthetic.Generator(profile: .retail, customers: 800, seed: 1).write(to: a)
        _ = try Synthetic.Generator(profile: .retail, customers: 800, seed: 2).write(to: b)
        let ha = try Self.hashes(of: a)
        let hb = try Self.hashes(of: b)
        for i in 0..<Self.fileNames.count {
            #expect(ha[i] != hb[i], "\(Self.fileNames[i]) is identical for seeds 1 and 2")
        }
    }

    @Test(arguments: Synthetic.Profile.allCases)
    func filesMatchTheContract(profile: Synthetic.Profile) throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try Synthetic.Generator(profile: profile, customers: 700, seed: 9).write(to: dir)

        let customerLines = try Self.lines(summary.customersFile)
        let transactionLines = try Self.lines(summary.transactionsFile)
        let consentLines = try Self.lines(summary.consentFile)
        let truthLines = try Self.lines(summary.groundTruthFile)
        #expect(customerLines.first
            == "customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date")
        #expect(transactionLines.first == "customer_id,ts,amount_minor,currency,channel,category")
        #expect(consentLines.first == "customer_id,purpose,action,at,method,policy_version")
        #expect(truthLines.first == "customer_id,segment,churn_probability,churned")
        #expect(customerLines.count == 701 && truthLines.count == 701)
        #expect(transactionLines.count == summary.transactionCount + 1)
        #expect(consentLines.count == summary.consentEventCount + 1)

        // Customers: signup, churn date; ids unique with the profile prefix.
        var signup: [Substring: Int32] = [:]
        var churnEnd: [Substring: Int64] = [:]
        var churnedCount = 0
        for line in customerLines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            try #require(f.count == 10, "customers row '\(line)'")
            #expect(f[0].hasPrefix(profile.defaultIDPrefix) && f[0].count == profile.defaultIDPrefix.count + 6)
            #expect(signup[f[0]] == nil, "duplicate id \(f[0])")
            signup[f[0]] = try Synthetic.CalendarDay(parsing: String(f[1])).daysSinceEpoch
            if !f[2].isEmpty { #expect((1920...2010).contains(Int(f[2]) ?? 0)) }
            #expect(["", "F", "M", "X"].contains(f[3]))
            #expect(f[4].isEmpty || profile.regionNames.contains(String(f[4])))
            #expect(profile.channelNames.contains(String(f[5])))
            if !f[6].isEmpty { #expect((0...10).contains(Int(f[6]) ?? -1)) }
            if !f[7].isEmpty { #expect((1...5).contains(Int(f[7]) ?? -1)) }
            #expect(f[8] == "0" || f[8] == "1")
            #expect((f[8] == "1") == !f[9].isEmpty)
            if f[8] == "1" {
                churnedCount += 1
                let day = try Synthetic.CalendarDay(parsing: String(f[9])).daysSinceEpoch
                #expect(day >= summary.observationStart.daysSinceEpoch && day <= summary.asOf.daysSinceEpoch)
                churnEnd[f[0]] = (Int64(day) + 1) * 86_400
            }
        }
        #expect(churnedCount == summary.churnedCount)

        // Transactions: known customer, within [signup, churn date] and the history window,
        // sorted by customer then time.
        let historyStart = Int64(summary.historyStart.daysSinceEpoch) * 86_400
        let historyEnd = (Int64(summary.asOf.daysSinceEpoch) + 1) * 86_400
        var previous: (Substring, Int64)? = nil
        for line in transactionLines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            try #require(f.count == 6, "transactions row '\(line)'")
            let signupDay = try #require(signup[f[0]], "transaction of unknown customer \(f[0])")
            let ts = try Self.parseTimestamp(f[1])
            #expect(ts >= Int64(signupDay) * 86_400, "transaction before signup: \(line)")
            #expect(ts >= historyStart && ts < historyEnd, "transaction outside history: \(line)")
            if let end = churnEnd[f[0]] { #expect(ts < end, "transaction after churn date: \(line)") }
            #expect(Int64(f[2]) != nil && f[2] != "0")
            #expect(f[3] == "EUR")
            #expect(profile.channelNames.contains(String(f[4])))
            #expect(profile.categoryNames.contains(String(f[5])))
            if let (id, time) = previous, id == f[0] { #expect(time <= ts) }
            previous = (f[0], ts)
        }

        // Consent: valid purposes and actions; a withdrawal always follows a grant.
        var granted: Set<String> = []
        for line in consentLines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            try #require(f.count == 6, "consent row '\(line)'")
            #expect(signup[f[0]] != nil)
            #expect(Purpose(rawValue: String(f[1])) != nil)
            #expect(f[2] == "grant" || f[2] == "withdraw")
            let ts = try Self.parseTimestamp(f[3])
            #expect(ts < historyEnd)
            #expect(!f[4].isEmpty && (f[5] == "v1" || f[5] == "v2"))
            let key = "\(f[0])/\(f[1])"
            if f[2] == "withdraw" { #expect(granted.contains(key), "withdraw without grant: \(line)") }
            granted.insert(key)
        }

        // Ground truth: same ids, in the same order, with a valid segment and probability.
        for (c, t) in zip(customerLines.dropFirst(), truthLines.dropFirst()) {
            let cf = c.split(separator: ",", omittingEmptySubsequences: false)
            let tf = t.split(separator: ",", omittingEmptySubsequences: false)
            try #require(tf.count == 4)
            #expect(cf[0] == tf[0] && cf[8] == tf[3])
            #expect(profile.segmentNames.contains(String(tf[1])))
            #expect((0...1).contains(Double(tf[2]) ?? -1) && tf[2].count == 6)
        }
    }

    @Test func inMemoryDatasetMatchesTheFiles() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let generator = try Synthetic.Generator(profile: .telecom, customers: 1_300, seed: 5, idPrefix: "ACME-")
        let summary = try generator.write(to: dir)
        let data = generator.generate()
        #expect(data.customers.count == summary.customerCount)
        #expect(data.transactions.count == summary.transactionCount)
        #expect(data.consent.count == summary.consentEventCount)
        #expect(data.groundTruth.count == summary.customerCount)

        let customerLines = try Self.lines(summary.customersFile).dropFirst()
        for (i, line) in customerLines.enumerated() {
            let c = data.customers
            let expected = [
                c.ids[i], Synthetic.CalendarDay(daysSinceEpoch: c.signupDay[i]).description,
                c.birthYear[i].map { "\($0)" } ?? "", c.gender[i] ?? "", c.region[i] ?? "",
                c.primaryChannel[i] ?? "", c.nps[i].map { "\($0)" } ?? "", c.csat[i].map { "\($0)" } ?? "",
                c.churned[i] == true ? "1" : "0",
                c.churnDay[i].map { Synthetic.CalendarDay(daysSinceEpoch: $0).description } ?? "",
            ].joined(separator: ",")
            #expect(line == expected[...])
        }
        #expect(data.customers.ids.first == "ACME-000001")

        let transactionLines = try Self.lines(summary.transactionsFile).dropFirst()
        let t = data.transactions
        for (j, line) in transactionLines.enumerated() {
            let f = line.split(separator: ",")
            #expect(f[0] == data.customers.ids[Int(t.customer[j])][...])
            #expect(try Self.parseTimestamp(f[1]) == t.timestamp[j])
            #expect(Int64(f[2]) == t.amountMinor[j])
            #expect(f[4] == t.channelNames[Int(t.channel[j])][...])
            #expect(f[5] == t.categoryNames[Int(t.category[j])][...])
        }
    }

    @Test func rejectsInvalidParameters() {
        #expect(throws: ScenarioError.self) { try Synthetic.Generator(profile: .retail, customers: -1, seed: 1) }
        #expect(throws: ScenarioError.self) {
            try Synthetic.Generator(profile: .retail, customers: 100_000_000, seed: 1)
        }
        for prefix in ["", "a,b", "x\"y", "with space", "ÄÖ", String(repeating: "p", count: 17)] {
            #expect(throws: ScenarioError.self, "prefix '\(prefix)'") {
                try Synthetic.Generator(profile: .bank, customers: 10, seed: 1, idPrefix: prefix)
            }
        }
    }

    @Test func zeroCustomersWritesHeadersOnly() throws {
        let dir = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let summary = try Synthetic.Generator(profile: .retail, customers: 0, seed: 1).write(to: dir)
        #expect(summary.transactionCount == 0)
        #expect(try Self.lines(summary.customersFile).count == 1)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` strictly into seconds since 1970-01-01 UTC.
    static func parseTimestamp(_ text: Substring) throws -> Int64 {
        let bytes = Array(text.utf8)
        try #require(bytes.count == 20 && bytes[10] == 84 && bytes[13] == 58 && bytes[16] == 58 && bytes[19] == 90,
            "bad timestamp \(text)")
        let day = try Synthetic.CalendarDay(parsing: String(text.prefix(10)))
        func two(_ i: Int) -> Int64 { Int64(bytes[i] - 48) * 10 + Int64(bytes[i + 1] - 48) }
        let (h, m, s) = (two(11), two(14), two(17))
        try #require(h < 24 && m < 60 && s < 60, "bad time in \(text)")
        return Int64(day.daysSinceEpoch) * 86_400 + h * 3600 + m * 60 + s
    }
}
