public import Foundation

extension CivilTime {
    /// Parses a command-line date or time (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ` or
    /// `YYYY-MM-DD HH:MM:SS`, UTC). A bare date means its first second, or with `endOfDay`
    /// its last second (so `--as-of 2024-03-01` includes events during that day).
    public static func parseArgument(_ text: String, option: String, endOfDay: Bool = false) throws -> Date {
        guard let seconds = parseTimestamp(text) else {
            throw StoreError(.invalidArgument, "\(option): \(dateProblem(text, timestamp: true))")
        }
        let bareDate = text.utf8.count == 10
        return date(unixSeconds: bareDate && endOfDay ? seconds + 86399 : seconds)
    }
}
