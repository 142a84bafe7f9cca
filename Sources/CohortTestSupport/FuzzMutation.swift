/// Byte-level mutations of valid inputs (the seeds of a fuzz campaign), in the style of
/// libFuzzer's mutators: bit flips, interesting bytes, insertions, deletions, duplications,
/// truncation, splices of dictionary tokens and replacement of digit runs by edge numbers.
public enum FuzzMutation {
    /// Bytes that often change how a parser reads its input.
    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x2C, 0x2D, 0x2E, 0x30, 0x39, 0x3A, 0x5C, 0x7B, 0x7D, 0x7F,
        0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF,
    ]

    /// Applies 1–`maxSteps` random mutations to `input` and returns the result. Tokens from
    /// `dictionary` (format words such as keys, separators, dates) are spliced in now and then.
    /// O(input size × steps).
    public static func mutate(
        _ input: [UInt8], using random: inout FuzzRandom, dictionary: [[UInt8]] = [], maxSteps: Int = 4
    ) -> [UInt8] {
        var bytes = input
        for _ in 0..<random.int(in: 1...max(1, maxSteps)) {
            step(&bytes, using: &random, dictionary: dictionary)
        }
        return bytes
    }

    /// Text form of ``mutate(_:using:dictionary:maxSteps:)`` (the result may be invalid UTF-8,
    /// so it is returned as bytes).
    public static func mutate(
        text: String, using random: inout FuzzRandom, dictionary: [String] = [], maxSteps: Int = 4
    ) -> [UInt8] {
        mutate(Array(text.utf8), using: &random, dictionary: dictionary.map { Array($0.utf8) }, maxSteps: maxSteps)
    }

    private static func step(_ bytes: inout [UInt8], using random: inout FuzzRandom, dictionary: [[UInt8]]) {
        let position = random.int(in: 0...bytes.count)
        switch random.int(in: 0...9) {
        case 0 where !bytes.isEmpty:  // flip one bit
            let i = min(position, bytes.count - 1)
            bytes[i] ^= 1 << UInt8(random.int(in: 0...7))
        case 1 where !bytes.isEmpty:  // overwrite with an interesting byte
            bytes[min(position, bytes.count - 1)] = random.element(of: interestingBytes)
        case 2:  // insert random bytes
            bytes.insert(contentsOf: random.bytes(random.int(in: 1...8)), at: position)
        case 3 where !bytes.isEmpty:  // delete a range
            let end = min(bytes.count, position + random.int(in: 1...16))
            bytes.removeSubrange(min(position, bytes.count - 1)..<end)
        case 4 where !bytes.isEmpty:  // duplicate a range
            let start = min(position, bytes.count - 1)
            let end = min(bytes.count, start + random.int(in: 1...32))
            bytes.insert(contentsOf: bytes[start..<end], at: random.int(in: 0...bytes.count))
        case 5:  // truncate
            bytes.removeSubrange(position..<bytes.count)
        case 6...7 where !dictionary.isEmpty:  // splice a dictionary token
            let token = random.element(of: dictionary)
            if random.oneIn(2) || bytes.isEmpty {
                bytes.insert(contentsOf: token, at: position)
            } else {
                let start = min(position, bytes.count - 1)
                let end = min(bytes.count, start + token.count)
                bytes.replaceSubrange(start..<end, with: token)
            }
        case 8:  // replace a run of digits by an edge number
            replaceNumber(&bytes, near: position, with: Array(random.edgeNumberText().utf8))
        default:  // insert an interesting byte
            bytes.insert(random.element(of: interestingBytes), at: position)
        }
    }

    /// Replaces the first run of ASCII digits (with an optional leading `-`) at or after
    /// `position` (wrapping around) by `number`; inserts it when there is none. O(n).
    public static func replaceNumber(_ bytes: inout [UInt8], near position: Int, with number: [UInt8]) {
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        let order = Array(position..<bytes.count) + Array(0..<min(position, bytes.count))
        guard let first = order.first(where: { isDigit(bytes[$0]) }) else {
            bytes.insert(contentsOf: number, at: min(position, bytes.count))
            return
        }
        var start = first
        while start > 0, isDigit(bytes[start - 1]) { start -= 1 }
        if start > 0, bytes[start - 1] == 0x2D { start -= 1 }
        var end = first
        while end < bytes.count, isDigit(bytes[end]) || bytes[end] == 0x2E { end += 1 }
        bytes.replaceSubrange(start..<end, with: number)
    }
}
