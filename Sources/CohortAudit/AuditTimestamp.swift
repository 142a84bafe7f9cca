public import Foundation

extension Audit {
    /// Entry timestamps: UTC, millisecond precision, `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 ASCII bytes),
    /// so that lexicographic order equals time order.
    public enum Timestamp {
        /// Formats milliseconds since 1970-01-01T00:00:00Z (years 0000–9999).
        public static func format(millisecondsSinceEpoch ms: Int64) -> String {
            var days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
            let msOfDay = ms - days * 86_400_000
            // Civil-from-days (H. Hinnant).
            days += 719_468
            let era = (days >= 0 ? days : days - 146_096) / 146_097
            let doe = days - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            var y = yoe + era * 400
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            let d = doy - (153 * mp + 2) / 5 + 1
            let m = mp < 10 ? mp + 3 : mp - 9
            if m <= 2 { y += 1 }
            var out = [UInt8](repeating: 0, count: 24)
            func put(_ v: Int64, _ at: Int, _ width: Int) {
                var v = v
                var i = at + width - 1
                while i >= at {
                    out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                    i -= 1
                }
            }
            put(max(0, min(9999, y)), 0, 4); out[4] = UInt8(ascii: "-")
            put(m, 5, 2); out[7] = UInt8(ascii: "-")
            put(d, 8, 2); out[10] = UInt8(ascii: "T")
            put(msOfDay / 3_600_000, 11, 2); out[13] = UInt8(ascii: ":")
            put(msOfDay / 60_000 % 60, 14, 2); out[16] = UInt8(ascii: ":")
            put(msOfDay / 1000 % 60, 17, 2); out[19] = UInt8(ascii: ".")
            put(msOfDay % 1000, 20, 3); out[23] = UInt8(ascii: "Z")
            return String(decoding: out, as: UTF8.self)
        }

        /// Formats a date.
        public static func format(_ date: Date) -> String {
            format(millisecondsSinceEpoch: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
        }

        /// Parses the entry format, or a date `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SSZ`, to
        /// milliseconds since the epoch; `nil` if malformed.
        public static func parse(_ s: String) -> Int64? {
            let u = Array(s.utf8)
            func num(_ at: Int, _ width: Int) -> Int64? {
                guard at + width <= u.count else { return nil }
                var v: Int64 = 0
                for i in at..<(at + width) {
                    let c = u[i]
                    guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                    v = v * 10 + Int64(c - UInt8(ascii: "0"))
                }
                return v
            }
            func lit(_ at: Int, _ c: Character) -> Bool { at < u.count && u[at] == c.asciiValue }
            guard let y = num(0, 4), lit(4, "-"), let mo = num(5, 2), lit(7, "-"), let d = num(8, 2),
                  (1...12).contains(mo), (1...31).contains(d) else { return nil }
            var msOfDay: Int64 = 0
            if u.count == 10 {
                msOfDay = 0
            } else {
                guard lit(10, "T"), let h = num(11, 2), lit(13, ":"), let mi = num(14, 2), lit(16, ":"),
                      let se = num(17, 2), h < 24, mi < 60, se < 60 else { return nil }
                var ms: Int64 = 0
                if u.count == 20, lit(19, "Z") {
                    ms = 0
                } else if u.count == 24, lit(19, "."), let f = num(20, 3), lit(23, "Z") {
                    ms = f
                } else {
                    return nil
                }
                msOfDay = ((h * 60 + mi) * 60 + se) * 1000 + ms
            }
            // Days-from-civil.
            let yy = mo <= 2 ? y - 1 : y
            let era = (yy >= 0 ? yy : yy - 399) / 400
            let yoe = yy - era * 400
            let mp = mo > 2 ? mo - 3 : mo + 9
            let doy = (153 * mp + 2) / 5 + d - 1
            let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
            let days = era * 146_097 + doe - 719_468
            return days * 86_400_000 + msOfDay
        }
    }
}
