import Crypto
import Foundation
import Testing
@testable import CohortStore

@Suite("CSVRecordReader")
struct StoreCSVRecordReaderTests {
    /// Reads every record as [String] with its line number.
    static func read(_ path: String, chunkSize: Int = 1 << 20, maxRecord: Int = 1 << 20) throws -> [(line: Int, fields: [String])] {
        let reader = try CSVRecordReader(path: path, maxRecordBytes: maxRecord, chunkSize: chunkSize)
        var out: [(Int, [String])] = []
        while try reader.next() {
            out.append((reader.recordLine, (0..<reader.count).map { String(decoding: reader.field($0), as: UTF8.self) }))
        }
        return out
    }

    static let tricky = "\u{FEFF}a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\r\n\n2,\"multi\nline\",\r\n3,,\"\"\n\"4\",last,\"end\""

    @Test("RFC 4180 features at every chunk size", arguments: [1, 2, 3, 5, 7, 16, 1 << 20])
    func rfc4180(chunkSize: Int) throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = try temp.write("t.csv", Self.tricky)
        let records = try Self.read(path, chunkSize: chunkSize)
        #expect(records.map(\.fields) == [
            ["a", "b", "c"], ["1", "x,y", "he said \"hi\""], ["2", "multi\nline", ""], ["3", "", ""], ["4", "last", "end"],
        ])
        #expect(records.map(\.line) == [1, 2, 4, 6, 7])
    }

    @Test("file SHA-256 covers every byte")
    func digest() throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = try temp.write("t.csv", "a\n1\n")
        let reader = try CSVRecordReader(path: path, chunkSize: 1)
        while try reader.next() {}
        let expected = SHA256.hash(data: Data("a\n1\n".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(reader.fileDigestHex() == expected)
    }

    @Test("a record over the limit is an error naming the line")
    func tooLong() throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = try temp.write("t.csv", "a,b\n1,2\n" + String(repeating: "x", count: 300) + ",1\n")
        #expect {
            _ = try Self.read(path, chunkSize: 64, maxRecord: 256)
        } throws: { error in
            guard let problem = error as? CSVRecordReader.Problem else { return false }
            return problem.kind == .recordTooLong && problem.line == 3
        }
    }

    @Test("unterminated quote is fatal")
    func unterminated() throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = try temp.write("t.csv", "a,b\n1,\"open\n2,3\n")
        #expect {
            _ = try Self.read(path)
        } throws: { error in
            (error as? CSVRecordReader.Problem)?.kind == .unterminatedQuote
        }
    }

    @Test("a misplaced quote skips the line and reading continues")
    func misplaced() throws {
        let temp = try TemporaryDirectory()
        defer { temp.cleanup() }
        let path = try temp.write("t.csv", "a,b\n1,x\"y\n2,\"ok\"z\n3,4\n")
        let reader = try CSVRecordReader(path: path)
        #expect(try reader.next())
        var problems: [Int] = []
        var rows: [String] = []
        while true {
            do {
                guard try reader.next() else { break }
                rows.append(String(decoding: reader.field(0), as: UTF8.self))
            } catch {
                #expect(error.kind == .misplacedQuote)
                problems.append(error.line)
            }
        }
        #expect(problems == [2, 3])
        #expect(rows == ["3"])
    }
}
