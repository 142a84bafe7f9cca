@testable import CohortStudy
import Foundation
import Testing

/// Spec errors in plain words, located at file:line:column, with the fix (issue 17, item 5).
@Suite struct StudySpecDiagnosticTests {
    static let good = """
        kind: histogram
        purpose: segmentation
        as_of: 2026-06-30
        dimensions: [rfm_segment]
        privacy: { epsilon: 1.0, delta: 1.0e-6, min_count: 20 }
        participants: [globex]
        deadline_seconds: 120
        """

    static func diagnostic(_ yaml: String) throws -> Study.SpecDiagnostic {
        do {
            _ = try Study.Spec.check(yaml: yaml, file: "study.yaml")
        } catch let diagnostic as Study.SpecDiagnostic {
            return diagnostic
        }
        throw StudyError(.invalidConfiguration, "expected a diagnostic")
    }

    @Test func missingDeadlineSecondsIsNamedInPlainWordsWithItsPlaceAndTheFix() throws {
        // Before: `missingKey at 'deadline_seconds': required key is missing`, no place, no fix.
        let yaml = Self.good.replacingOccurrences(of: "deadline_seconds: 120", with: "")
        let d = try Self.diagnostic(yaml)
        #expect(d.key == "deadline_seconds")
        #expect(d.line == 1 && d.column == 1, "the top-level mapping that lacks the key starts at 1:1")
        #expect(d.description.hasPrefix("study.yaml:1:1: the required key `deadline_seconds` is missing"), "\(d)")
        #expect(d.fix.contains("deadline_seconds: 120"), "the fix shows a line to add: \(d.fix)")
        #expect(!d.description.contains("missingKey at"))
    }

    @Test func outOfRangeValueIsLocatedAtTheValue() throws {
        let yaml = Self.good.replacingOccurrences(of: "epsilon: 1.0", with: "epsilon: 0")
        let d = try Self.diagnostic(yaml)
        #expect(d.key == "privacy.epsilon")
        #expect(d.line == 5 && d.column == 21, "\(d)")
        #expect(d.message.contains("must be a number in (0, 10.0]"), "\(d.message)")
        #expect(d.fix.contains("epsilon: 1.0"))
    }

    @Test func missingNestedKeyPointsAtItsMapping() throws {
        let yaml = Self.good.replacingOccurrences(of: "delta: 1.0e-6, ", with: "")
        let d = try Self.diagnostic(yaml)
        #expect(d.key == "privacy.delta")
        #expect(d.line == 5 && d.column == 10, "the privacy mapping starts at 5:10: \(d)")
    }

    @Test func misspelledKeySuggestsTheNearestKey() throws {
        let yaml = Self.good.replacingOccurrences(of: "deadline_seconds: 120", with: "deadline_secs: 120")
        let d = try Self.diagnostic(yaml)
        #expect(d.code == "unknownKey")
        #expect(d.line == 7 && d.column == 1)
        #expect(d.fix.contains("did you mean `deadline_seconds`?"), "\(d.fix)")
    }

    @Test func unknownListItemIsLocatedAtTheItem() throws {
        let yaml = Self.good.replacingOccurrences(of: "[rfm_segment]", with: "[rfm_segment, colour]")
        let d = try Self.diagnostic(yaml)
        #expect(d.key == "dimensions[1]")
        #expect(d.line == 4 && d.column == 27, "\(d)")
        #expect(d.message.contains("unknown dimension 'colour'"))
    }

    @Test func yamlSyntaxErrorCarriesTheParsersPosition() throws {
        let yaml = "kind: histogram\npurpose: [segmentation\nas_of: 2026-06-30\n"
        let d = try Self.diagnostic(yaml)
        #expect(d.code == "malformedSpec")
        #expect(d.line != nil && d.column != nil, "\(d)")
        #expect(d.description.hasPrefix("study.yaml:"))
    }

    @Test func duplicatedKeyIsNamed() throws {
        let d = try Self.diagnostic(Self.good + "\nkind: mean\n")
        #expect(d.message.contains("`kind`"), "\(d)")
        #expect(d.line != nil)
    }

    @Test func aValidSpecPasses() throws {
        let spec = try Study.Spec.check(yaml: Self.good, file: "study.yaml")
        #expect(spec.deadlineSeconds == 120)
    }

    @Test func everySpecKeyIsDocumentedOnceInTheKeyTable() {
        let documented = Study.Spec.keyDocs.map(\.key)
        let keys = Study.Spec.topLevelKeys + Study.Spec.privacyKeys.map { "privacy." + $0 }
            + Study.LearningParameters.keys.map { "learning." + $0 }
            + Study.Spec.secureAggregationKeys.map { "secure_aggregation." + $0 }
        #expect(Set(documented) == Set(keys))
        #expect(documented.count == Set(documented).count)
    }

    @Test func everySpecKeyHasARowWithItsDefaultInTheReadme() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for doc in Study.Spec.keyDocs {
            let row = readme.split(separator: "\n").first { $0.hasPrefix("| `\(doc.key)` |") }
            #expect(row != nil, "README has no key-table row for \(doc.key)")
            if let row { #expect(row.contains(doc.defaultValue), "README row of \(doc.key) states its default \(doc.defaultValue)") }
        }
    }
}
