extension SecureAggregation {
    /// Unambiguous byte strings for signatures, key derivation info and AEAD associated data:
    /// strings are length-prefixed (UInt32 big-endian byte count, then UTF-8), integers are
    /// big-endian, raw fields have fixed lengths known to the reader.
    struct CanonicalBytes {
        var bytes: [UInt8]

        init(_ label: String) {
            bytes = []
            append(SecureAggregation.protocolLabel)
            append(label)
        }

        mutating func append(_ text: String) {
            let utf8 = Array(text.utf8)
            append(UInt32(truncatingIfNeeded: utf8.count))
            bytes += utf8
        }

        mutating func append(_ value: UInt64) {
            for k in (0 ..< 8).reversed() { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
        }

        mutating func append(_ value: UInt32) {
            for k in (0 ..< 4).reversed() { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt32(k)))) }
        }

        mutating func append(raw: [UInt8]) {
            bytes += raw
        }
    }
}
