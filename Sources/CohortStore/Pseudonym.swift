import Foundation

/// Customer pseudonyms: 16 random bytes from the OS CSPRNG (`SystemRandomNumberGenerator`:
/// `getrandom(2)` on Linux, `arc4random_buf` on Darwin). The audit log refers to customers by
/// pseudonym only; deleting the customer row deletes the only link to the person.
enum Pseudonym {
    /// 16 fresh random bytes.
    static func generate() -> Data {
        var rng = SystemRandomNumberGenerator()
        var a = rng.next() as UInt64
        var b = rng.next() as UInt64
        var data = Data(count: 16)
        withUnsafeBytes(of: &a) { data.replaceSubrange(0..<8, with: $0) }
        withUnsafeBytes(of: &b) { data.replaceSubrange(8..<16, with: $0) }
        return data
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hex of the bytes.
    static func hex(_ data: Data) -> String {
        var out = [UInt8]()
        out.reserveCapacity(data.count * 2)
        for byte in data {
            out.append(hexDigits[Int(byte >> 4)])
            out.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
