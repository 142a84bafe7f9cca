/// Raw protobuf wire bytes for fuzzing message decoders: a small encoder (varints, keys,
/// length-delimited and fixed fields) and generators of random and mutated messages with
/// random field numbers and wire types, varints at the edges (0, 2^31, 2^63, 2^64 − 1),
/// truncations and length prefixes larger than the message.
public enum FuzzProtobuf {
    /// Wire types 0–7 (3, 4 are the deprecated groups; 6, 7 are invalid).
    public enum WireType: UInt8, CaseIterable, Sendable {
        /// Varint.
        case varint = 0
        /// 8 little-endian bytes.
        case fixed64 = 1
        /// Length-prefixed bytes.
        case lengthDelimited = 2
        /// Start of a group (deprecated).
        case startGroup = 3
        /// End of a group (deprecated).
        case endGroup = 4
        /// 4 little-endian bytes.
        case fixed32 = 5
        /// Not a wire type.
        case invalid6 = 6
        /// Not a wire type.
        case invalid7 = 7
    }

    /// The base-128 varint encoding of `value` (1–10 bytes).
    public static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    /// A field key: `field << 3 | wireType` as a varint (field numbers are not range-checked,
    /// so 0 and numbers above 2^29 − 1 can be written on purpose).
    public static func key(field: UInt64, _ wireType: WireType) -> [UInt8] {
        varint(field << 3 | UInt64(wireType.rawValue))
    }

    /// A varint field.
    public static func varintField(_ field: UInt64, _ value: UInt64) -> [UInt8] {
        key(field: field, .varint) + varint(value)
    }

    /// A length-delimited field (bytes, string or embedded message).
    public static func bytesField(_ field: UInt64, _ value: [UInt8]) -> [UInt8] {
        key(field: field, .lengthDelimited) + varint(UInt64(value.count)) + value
    }

    /// A fixed64 field.
    public static func fixed64Field(_ field: UInt64, _ value: UInt64) -> [UInt8] {
        key(field: field, .fixed64) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// A fixed32 field.
    public static func fixed32Field(_ field: UInt64, _ value: UInt32) -> [UInt8] {
        key(field: field, .fixed32) + (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    /// One random field: a field number from `fields` (the message's own) or an unknown/invalid
    /// one, a random wire type (invalid ones now and then), edge-valued payloads, and now and
    /// then a length prefix that lies (larger than what follows) or a cut-off varint.
    public static func randomField(using random: inout FuzzRandom, fields: [UInt64], payloads: [[UInt8]] = []) -> [UInt8] {
        let field: UInt64
        switch random.int(in: 0...9) {
        case 0: field = random.element(of: [0, 15, 16, 2047, 2048, 19_000, 19_999, (1 << 29) - 1, 1 << 29, UInt64.max >> 3])
        case 1: field = UInt64(random.int(in: 1...64))
        default: field = fields.isEmpty ? 1 : random.element(of: fields)
        }
        let type: WireType = random.oneIn(12) ? random.element(of: WireType.allCases)
            : random.element(of: [.varint, .lengthDelimited, .fixed64, .fixed32, .lengthDelimited, .varint])
        var out = key(field: field, type)
        switch type {
        case .varint:
            let value = varint(random.edgeUInt64())
            out += random.oneIn(20) ? Array(value.dropLast()) + [0x80] : value  // unterminated varint
        case .fixed64:
            out += (0..<8).map { _ in UInt8(truncatingIfNeeded: random.next()) }.prefix(random.oneIn(20) ? 3 : 8)
        case .fixed32:
            out += (0..<4).map { _ in UInt8(truncatingIfNeeded: random.next()) }.prefix(random.oneIn(20) ? 1 : 4)
        case .lengthDelimited:
            let body: [UInt8]
            if !payloads.isEmpty, random.oneIn(2) {
                body = random.element(of: payloads)
            } else if random.oneIn(3) {
                body = Array(random.edgeNumberText().utf8)
            } else {
                body = random.bytes(random.int(in: 0...24))
            }
            let declared: UInt64 = random.oneIn(10)
                ? random.element(of: [UInt64(body.count + 1), 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1 << 63, .max])
                : UInt64(body.count)
            out += varint(declared) + body
        case .startGroup, .endGroup, .invalid6, .invalid7:
            out += random.bytes(random.int(in: 0...4))
        }
        return out
    }

    /// A random message of 0–`maxFields` random fields. O(maxFields).
    public static func randomMessage(
        using random: inout FuzzRandom, fields: [UInt64], payloads: [[UInt8]] = [], maxFields: Int = 8
    ) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<random.int(in: 0...maxFields) {
            out += randomField(using: &random, fields: fields, payloads: payloads)
        }
        return out
    }

    /// A mutation of a valid message: appends or prepends random fields (later fields
    /// override earlier ones, unknown ones must be kept or ignored), cuts it at a random byte,
    /// or applies byte mutations. O(message size).
    public static func mutate(
        _ message: [UInt8], using random: inout FuzzRandom, fields: [UInt64], payloads: [[UInt8]] = []
    ) -> [UInt8] {
        switch random.int(in: 0...4) {
        case 0: return message + randomField(using: &random, fields: fields, payloads: payloads)
        case 1: return randomField(using: &random, fields: fields, payloads: payloads) + message
        case 2: return Array(message.prefix(random.int(in: 0...message.count)))
        default: return FuzzMutation.mutate(message, using: &random)
        }
    }
}
