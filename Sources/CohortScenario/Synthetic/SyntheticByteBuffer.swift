extension Synthetic {
    /// A growable byte buffer with hand-written formatting of integers, dates and timestamps.
    ///
    /// No `String(format:)`, no `DateFormatter`, no locale: the bytes depend only on the values.
    struct ByteBuffer: Sendable {
        /// The bytes written so far.
        var bytes: [UInt8]

        init(capacity: Int) {
            bytes = []
            bytes.reserveCapacity(capacity)
        }

        var count: Int { bytes.count }

        var string: String { String(decoding: bytes, as: UTF8.self) }

        mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

        @inline(__always)
        mutating func append(_ byte: UInt8) { bytes.append(byte) }

        @inline(__always)
        mutating func append(_ other: [UInt8]) { bytes.append(contentsOf: other) }

        mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

        /// Appends a signed decimal integer.
        mutating func appendInt(_ value: Int64) {
            if value < 0 {
                bytes.append(45)  // "-"
                appendUnsigned(value.magnitude, width: 1)
            } else {
                appendUnsigned(UInt64(value), width: 1)
            }
        }

        /// Appends an unsigned decimal integer left-padded with zeros to at least `width` digits.
        mutating func appendUnsigned(_ value: UInt64, width: Int) {
            var digits = 1
            var probe = value
            while probe >= 10 {
                probe /= 10
                digits += 1
            }
            let total = max(digits, width)
            let start = bytes.count
            bytes.append(contentsOf: repeatElement(48, count: total))
            var v = value
            bytes.withUnsafeMutableBufferPointer { buffer in
                var i = start + total - 1
                while v > 0 {
                    buffer[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                    v /= 10
                    i -= 1
                }
            }
        }

        /// Appends `YYYY-MM-DD` for a day count since 1970-01-01.
        mutating func appendDate(days: Int32) {
            let (y, m, d) = CalendarDay.civil(fromDays: Int(days))
            appendUnsigned(UInt64(max(0, y)), width: 4)
            bytes.append(45)
            appendTwoDigits(m)
            bytes.append(45)
            appendTwoDigits(d)
        }

        /// Appends `HH:MM:SS` for seconds since midnight (0 ..< 86 400).
        mutating func appendTimeOfDay(_ seconds: Int) {
            appendTwoDigits(seconds / 3600)
            bytes.append(58)
            appendTwoDigits((seconds / 60) % 60)
            bytes.append(58)
            appendTwoDigits(seconds % 60)
        }

        @inline(__always)
        mutating func appendTwoDigits(_ value: Int) {
            bytes.append(UInt8(truncatingIfNeeded: value / 10) &+ 48)
            bytes.append(UInt8(truncatingIfNeeded: value % 10) &+ 48)
        }

        /// Appends a value in [0, 1] with exactly four decimals, e.g. `0.0425` (half-up rounding).
        mutating func appendFraction4(_ value: Double) {
            let scaled = Int((min(max(value, 0), 1) * 10_000).rounded(.toNearestOrAwayFromZero))
            appendUnsigned(UInt64(scaled / 10_000), width: 1)
            bytes.append(46)
            appendUnsigned(UInt64(scaled % 10_000), width: 4)
        }
    }

    /// Pre-formatted `YYYY-MM-DD` bytes for a contiguous range of days (the history window).
    struct DateTable: Sendable {
        let firstDay: Int32
        let storage: [UInt8]

        init(firstDay: Int32, lastDay: Int32) {
            self.firstDay = firstDay
            var buffer = ByteBuffer(capacity: Int(lastDay - firstDay + 1) * 10)
            var day = firstDay
            while day <= lastDay {
                buffer.appendDate(days: day)
                day += 1
            }
            storage = buffer.bytes
        }
    }
}
