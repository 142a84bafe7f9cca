import CohortStudy
import CohortTestSupport
import Foundation
import Testing

/// Fuzzes the study spec loader (YAML from the operator and the admin socket, JSON from peers'
/// `ProposeStudy`): a spec is accepted only if it validates, everything else is a
/// ``StudyError``; nothing traps; an accepted spec survives a canonical-JSON round trip.
@Suite struct StudySpecFuzzTests {
    static let yamlSeeds = [StudyFixtures.histogramYAML, StudyFixtures.meanYAML, StudyFixtures.engineHistogramYAML]
    static let jsonSeeds: [String] = yamlSeeds.compactMap { yaml in
        guard var spec = try? Study.Spec.load(yaml: yaml) else { return nil }
        if spec.id == nil { spec = (try? spec.withID("s-1")) ?? spec }
        return (try? spec.canonicalJSON()).map { String(decoding: $0, as: UTF8.self) }
    }

    static let dictionary = StudyFixtures.specFuzzDictionary

    /// Checks one document; `json` selects the JSON loader. Returns whether it was accepted.
    @discardableResult
    static func check(_ bytes: [UInt8], json: Bool, _ c: FuzzCase) throws -> Bool {
        let spec: Study.Spec
        do {
            spec = json ? try Study.Spec.load(json: Data(bytes)) : try Study.Spec.load(yaml: String(decoding: bytes, as: UTF8.self))
        } catch is StudyError {
            return false
        }
        try c.require((1...3600).contains(spec.deadlineSeconds), "accepted deadline_seconds \(spec.deadlineSeconds)")
        try c.require(spec.privacy.minCount >= 0, "accepted min_count \(spec.privacy.minCount)")
        try c.require(spec.privacy.epsilon > 0 && spec.privacy.epsilon <= Study.Spec.maxEpsilon, "accepted ε \(spec.privacy.epsilon)")
        try c.require(spec.regions.count <= Study.Spec.maxRegions, "accepted \(spec.regions.count) regions")
        _ = spec.layout
        let again = try Study.Spec.load(json: try spec.canonicalJSON())
        try c.require(again == spec, "the canonical JSON of an accepted spec loads to another spec")
        return true
    }

    @Test("mutated YAML specs: a validated spec or StudyError, never a trap")
    func mutatedYAMLNeverTraps() throws {
        var accepted = 0, refused = 0
        let campaign = FuzzCampaign("study spec YAML", seed: 0x5BEC_0001, iterations: 2_000)
        try campaign.run { c in
            var bytes = FuzzMutation.mutate(text: c.random.element(of: Self.yamlSeeds), using: &c.random, dictionary: Self.dictionary)
            if c.random.oneIn(3) { let position = c.random.int(in: 0...bytes.count), number = Array(c.random.edgeNumberText().utf8)
                FuzzMutation.replaceNumber(&bytes, near: position, with: number) }
            c.input(bytes)
            if try Self.check(bytes, json: false, c) { accepted += 1 } else { refused += 1 }
        }
        #expect(!campaign.coversAllCases || (accepted > 0 && refused > 0), "accepted \(accepted), refused \(refused)")
    }

    @Test("mutated JSON specs (the ProposeStudy spec_json): a validated spec or StudyError, never a trap")
    func mutatedJSONNeverTraps() throws {
        var accepted = 0, refused = 0
        let campaign = FuzzCampaign("study spec JSON", seed: 0x5BEC_0002, iterations: 2_000)
        try campaign.run { c in
            var bytes = FuzzMutation.mutate(text: c.random.element(of: Self.jsonSeeds), using: &c.random, dictionary: Self.dictionary)
            if c.random.oneIn(3) { let position = c.random.int(in: 0...bytes.count), number = Array(c.random.edgeNumberText().utf8)
                FuzzMutation.replaceNumber(&bytes, near: position, with: number) }
            c.input(bytes)
            if try Self.check(bytes, json: true, c) { accepted += 1 } else { refused += 1 }
        }
        #expect(!campaign.coversAllCases || (accepted > 0 && refused > 0), "accepted \(accepted), refused \(refused)")
    }

    /// Regression corpus: numbers and sizes at the edges of every numeric spec key.
    @Test("edge numbers in specs are refused with StudyError naming the key", arguments: [
        ("deadline_seconds: 600", "deadline_seconds: 9223372036854775808", "deadline_seconds"),
        ("deadline_seconds: 600", "deadline_seconds: -9223372036854775808", "deadline_seconds"),
        ("deadline_seconds: 600", "deadline_seconds: 1e300", "deadline_seconds"),
        ("deadline_seconds: 600", "deadline_seconds: .nan", "deadline_seconds"),
        ("min_count: 20", "min_count: 18446744073709551616", "privacy.min_count"),
        ("min_count: 20", "min_count: -1", "privacy.min_count"),
        ("epsilon: 1.0", "epsilon: .inf", "privacy.epsilon"),
        ("epsilon: 1.0", "epsilon: .nan", "privacy.epsilon"),
        ("epsilon: 1.0", "epsilon: 1e309", "privacy.epsilon"),
        ("delta: 1.0e-6", "delta: 4.9e-324", nil),
        ("as_of: 2025-03-31", "as_of: 0000-01-01", "as_of"),
        ("as_of: 2025-03-31", "as_of: 10000-01-01", "as_of"),
        ("as_of: 2025-03-31", "as_of: 2025-02-29", "as_of"),
    ] as [(String, String, String?)])
    func edgeNumbersRefused(original: String, replacement: String, key: String?) throws {
        let yaml = StudyFixtures.histogramYAML.replacingOccurrences(of: original, with: replacement)
        #expect(yaml != StudyFixtures.histogramYAML)
        do {
            let spec = try Study.Spec.load(yaml: yaml)
            // A subnormal δ is a valid δ in (0, 1); the spec must still be self-consistent.
            #expect(key == nil && spec.privacy.delta > 0)
        } catch let error as StudyError {
            #expect(key != nil && error.key == key, "\(error)")
        }
    }

    /// Regression corpus: documents built to exhaust the stack or memory of the decoders.
    static var hostileDocuments: [(String, Bool)] {
        let deep = String(repeating: "[", count: 30_000) + String(repeating: "]", count: 30_000)
        var bomb = "a0: &a0 [x,x,x,x,x,x,x,x,x,x]\n"
        for i in 1..<10 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]\n" }
        return [
            ("dimensions: " + deep, false), ("{\"dimensions\":" + deep + "}", true),
            (bomb + "participants: *a9\n", false),
            (StudyFixtures.histogramYAML.replacingOccurrences(of: "participants: [globex, initech]", with: bomb + "participants: *a9"), false),
        ]
    }

    @Test("deeply nested and alias-bomb documents are refused with StudyError")
    func hostileDocumentsRefused() {
        for (text, json) in Self.hostileDocuments {
            #expect(throws: StudyError.self) {
                json ? try Study.Spec.load(json: Data(text.utf8)) : try Study.Spec.load(yaml: text)
            }
        }
    }

    @Test("a region list far over the limit is refused, not expanded")
    func hugeRegionListRefused() {
        let regions = (0..<100_000).map { "r\($0)" }.joined(separator: ",")
        let yaml = StudyFixtures.meanYAML.replacingOccurrences(of: "regions: [north, south]", with: "regions: [\(regions)]")
        #expect(throws: StudyError.self) { try Study.Spec.load(yaml: yaml) }
    }
}
