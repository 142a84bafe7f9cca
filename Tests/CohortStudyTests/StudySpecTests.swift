import CohortTestSupport
import CohortStudy
import CohortCore
import Foundation
import Testing

@Suite("Study spec parsing and validation")
struct StudySpecTests {
    @Test func parsesHistogramExample() throws {
        let spec = try Study.Spec.load(yaml: StudyFixtures.histogramYAML)
        #expect(spec.id == nil)
        #expect(spec.kind == .histogram)
        #expect(spec.purpose == .segmentation)
        #expect(spec.asOf.description == "2025-03-31")
        #expect(spec.dimensions == [.rfmSegment])
        #expect(spec.privacy == Study.PrivacyParameters(epsilon: 1, delta: 1e-6, minCount: 20))
        #expect(spec.participants == ["globex", "initech"])
        #expect(spec.deadlineSeconds == 600)
        #expect(spec.layout.cellCount == 11)
        #expect(spec.coordinateCount == 11)
    }

    @Test func parsesMeanExample() throws {
        let spec = try Study.Spec.load(yaml: StudyFixtures.meanYAML)
        #expect(spec.id == "churn-by-segment-2025q1")
        #expect(spec.mean == Study.MeanMeasure(measure: .churnRate, lower: 0, upper: 1))
        #expect(spec.regions == ["north", "south"])
        #expect(spec.layout.cellCount == 33)
        #expect(spec.coordinateCount == 66)
        #expect(spec.layout.labels(ofCell: 5) == ["loyal", "other"])
        #expect(spec.layout.labels(ofCell: 7) == ["potential-loyalist", "south"])
        #expect(spec.layout.index(of: [2, 1]) == 7)
        #expect(spec.layout.codes(ofCell: 7) == [2, 1])
    }

    @Test func jsonAndYAMLRoundTrip() throws {
        let spec = try Study.Spec.load(yaml: StudyFixtures.meanYAML)
        let json = try spec.canonicalJSON()
        #expect(try Study.Spec.load(json: json) == spec)
        #expect(try Study.Spec.load(yaml: try spec.yaml()) == spec)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"as_of\":\"2025-03-31\""))
        #expect(text.contains("\"min_count\":25"))
        #expect(text.contains("\"deadline_seconds\":900"))
    }

    @Test func withIDValidatesTheName() throws {
        let spec = try Study.Spec.load(yaml: StudyFixtures.histogramYAML)
        #expect(try spec.withID("rfm-1").id == "rfm-1")
        #expect(throws: StudyError.self) { try spec.withID("bad id!") }
        #expect(throws: StudyError.self) { try spec.requireID() }
    }

    /// (description, replacement applied to the histogram example or a full document, code, key)
    static let badSpecs: [(String, String, StudyError.Code, String?)] = [
        ("kind missing", "purpose: segmentation\nas_of: 2025-03-31\ndimensions: [rfm_segment]\nprivacy: {epsilon: 1, delta: 1.0e-6}\nparticipants: [a]\ndeadline_seconds: 60", .missingKey, "kind"),
        ("unknown kind", "kind: median", .invalidValue, "kind"),
        ("unknown purpose", "purpose: marketing", .invalidValue, "purpose"),
        ("bad date", "as_of: 2025-02-30", .invalidValue, "as_of"),
        ("date format", "as_of: 31/03/2025", .invalidValue, "as_of"),
        ("no dimensions", "dimensions: []", .invalidValue, "dimensions"),
        ("unknown dimension", "dimensions: [rfm_segment, age]", .invalidValue, "dimensions[1]"),
        ("duplicate dimension", "dimensions: [value_tier, value_tier]", .invalidValue, "dimensions"),
        ("dimensions not a list", "dimensions: 7", .invalidValue, "dimensions"),
        ("region without regions", "dimensions: [region]", .missingKey, "regions"),
        ("regions without region", "dimensions: [rfm_segment]\nregions: [north]", .invalidValue, "regions"),
        ("other listed", "dimensions: [region]\nregions: [north, Other]", .invalidValue, "regions[1]"),
        ("duplicate region", "dimensions: [region]\nregions: [north, North]", .invalidValue, "regions"),
        ("measure on histogram", "measure: nps\nlower: 0\nupper: 10", .invalidValue, "measure"),
        ("bounds on histogram", "lower: 0", .invalidValue, "lower"),
        ("mean without measure", "kind: mean", .missingKey, "measure"),
        ("unknown measure", "kind: mean\nmeasure: income\nlower: 0\nupper: 1", .invalidValue, "measure"),
        ("mean without upper", "kind: mean\nmeasure: nps\nlower: 0", .missingKey, "upper"),
        ("lower above upper", "kind: mean\nmeasure: clv\ncurrency: EUR\nlower: 500\nupper: 100", .invalidValue, "upper"),
        ("equal bounds", "kind: mean\nmeasure: clv\ncurrency: EUR\nlower: 100\nupper: 100", .invalidValue, "upper"),
        ("infinite bound", "kind: mean\nmeasure: clv\ncurrency: EUR\nlower: 0\nupper: .inf", .invalidValue, "upper"),
        ("nps outside domain", "kind: mean\nmeasure: nps\nlower: 0\nupper: 11", .invalidValue, "upper"),
        ("money measure without currency", "kind: mean\nmeasure: aov\nlower: 0\nupper: 100", .missingKey, "currency"),
        ("lowercase currency", "kind: mean\nmeasure: clv\ncurrency: eur\nlower: 0\nupper: 100", .invalidValue, "currency"),
        ("currency on a non-money measure", "kind: mean\nmeasure: nps\ncurrency: EUR\nlower: 0\nupper: 10", .invalidValue, "currency"),
        ("currency on a histogram", "currency: EUR", .invalidValue, "currency"),
        ("churn outside domain", "kind: mean\nmeasure: churn_rate\nlower: -1\nupper: 1", .invalidValue, "lower"),
        ("epsilon zero", "privacy: {epsilon: 0, delta: 1.0e-6}", .invalidValue, "privacy.epsilon"),
        ("epsilon negative", "privacy: {epsilon: -1, delta: 1.0e-6}", .invalidValue, "privacy.epsilon"),
        ("epsilon text", "privacy: {epsilon: lots, delta: 1.0e-6}", .invalidValue, "privacy.epsilon"),
        ("delta one", "privacy: {epsilon: 1, delta: 1}", .invalidValue, "privacy.delta"),
        ("delta missing", "privacy: {epsilon: 1}", .missingKey, "privacy.delta"),
        ("min_count negative", "privacy: {epsilon: 1, delta: 1.0e-6, min_count: -5}", .invalidValue, "privacy.min_count"),
        ("privacy typo", "privacy: {epsilom: 1, delta: 1.0e-6}", .unknownKey, "privacy.epsilom"),
        ("privacy scalar", "privacy: 1", .invalidValue, "privacy"),
        ("no participants", "participants: []", .invalidValue, "participants"),
        ("bad participant", "participants: [globex, 'bad name']", .invalidValue, "participants[1]"),
        ("duplicate participant", "participants: [globex, globex]", .invalidValue, "participants"),
        ("deadline zero", "deadline_seconds: 0", .invalidValue, "deadline_seconds"),
        ("deadline too long", "deadline_seconds: 3601", .invalidValue, "deadline_seconds"),
        ("deadline fractional", "deadline_seconds: 1.5", .invalidValue, "deadline_seconds"),
        ("unknown key", "colour: blue", .unknownKey, "colour"),
        ("bad id", "id: 'no spaces'", .invalidValue, "id"),
        ("not a mapping", "- just\n- a list", .malformedSpec, nil),
    ]

    /// Replaces the lines of the histogram example whose keys the snippet sets; a snippet that
    /// starts with `purpose:` and has `kind` absent is taken as a whole document.
    static func document(_ snippet: String) -> String {
        if snippet.hasPrefix("purpose: segmentation\n") || snippet.hasPrefix("- ") { return snippet }
        var lines = StudyFixtures.histogramYAML.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Drop the nested privacy block to keep line-based replacement simple.
        if let start = lines.firstIndex(of: "privacy:") {
            lines.removeSubrange(start...(start + 3))
            lines.insert("privacy: {epsilon: 1.0, delta: 1.0e-6, min_count: 20}", at: start)
        }
        for line in snippet.split(separator: "\n").map(String.init) {
            let key = String(line.prefix { $0 != ":" })
            if let i = lines.firstIndex(where: { $0.hasPrefix(key + ":") }) { lines[i] = line } else { lines.append(line) }
        }
        return lines.joined(separator: "\n")
    }

    @Test(arguments: badSpecs)
    func rejectsBadSpec(_ testCase: (String, String, StudyError.Code, String?)) throws {
        let (name, snippet, code, key) = testCase
        let yaml = Self.document(snippet)
        do {
            _ = try Study.Spec.load(yaml: yaml)
            Issue.record("\(name): accepted\n\(yaml)")
        } catch let error as StudyError {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.key == key, "\(name): \(error)")
        }
    }

    @Test func goodVariantsAreAccepted() throws {
        for snippet in [
            "dimensions: [rfm_segment, lifecycle_stage, value_tier, channel_band, nps_class]",
            "dimensions: [region]\nregions: [north, south, east, west]",
            "kind: mean\nmeasure: aov\ncurrency: EUR\nlower: 0\nupper: 50000",
            "kind: mean\nmeasure: clv\ncurrency: GBP\nlower: -10000\nupper: 200000",
            "kind: mean\nmeasure: nps\nlower: 0\nupper: 10",
            "purpose: model-training",
            "deadline_seconds: 3600",
            "privacy: {epsilon: 0.25, delta: 1.0e-9}",
            "privacy: {epsilon: 1, delta: 1e-6, min_count: 0}",
            "privacy: {epsilon: 2, delta: 0.000001}",
            "id: churn.2025-q1_v2",
        ] {
            let yaml = Self.document(snippet)
            do { _ = try Study.Spec.load(yaml: yaml) } catch { Issue.record("rejected \(snippet): \(error)") }
        }
        let json = #"{"kind":"histogram","purpose":"segmentation","as_of":"2025-03-31","dimensions":["nps_class"],"privacy":{"epsilon":1,"delta":1e-6},"participants":["a"],"deadline_seconds":60}"#
        let spec = try Study.Spec.load(json: Data(json.utf8))
        #expect(spec.privacy.minCount == 0)
        #expect(spec.layout.categories == [["promoter", "passive", "detractor", "unanswered"]])
    }

    @Test func tooManyCellsIsRefused() throws {
        let regions = (0..<200).map { "r\($0)" }
        #expect(throws: StudyError.self) {
            try Study.Spec(
                kind: .histogram, purpose: .segmentation, asOf: CalendarDate("2025-01-01")!,
                dimensions: [.rfmSegment, .lifecycleStage, .valueTier, .region, .npsClass], regions: regions,
                privacy: .init(epsilon: 1, delta: 1e-6), participants: ["a"], deadlineSeconds: 60)
        }
    }

    @Test func calendarDate() {
        #expect(CalendarDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(CalendarDate("2000-03-01")?.daysSinceEpoch == 11_017)
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2023-02-29") == nil)
        #expect(CalendarDate("2023-1-05") == nil)
    }

    @Test func regionCodes() {
        let regions = ["north", "south"]
        #expect(Study.Dimension.regionCode("South ", regions: regions) == 1)
        #expect(Study.Dimension.regionCode("east", regions: regions) == 2)
        #expect(Study.Dimension.regionCode(nil, regions: regions) == 2)
    }
}
