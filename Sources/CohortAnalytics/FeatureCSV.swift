extension Analytics {
    /// The per-customer feature table as CSV text (RFC 4180 quoting, UTF-8), for
    /// `cohort data features`. Pure: produces lines *without* line terminators; the caller joins
    /// them with `"\n"` (or `"\r\n"`) and writes the file.
    ///
    /// Columns: `customer_id, recency_days, last_purchase_date, frequency, monetary_minor,
    /// tenure_days, aov_minor, clv_minor, r_score, f_score, m_score, fm_score, rfm_segment,
    /// lifecycle_stage, value_tier, dependence_channel, channel_share, channel_band, nps,
    /// nps_class, churned`. Categorical columns use the category slugs; empty cells mean unknown.
    public enum FeatureCSV {
        /// Column names in order.
        public static let columns: [String] = [
            "customer_id", "recency_days", "last_purchase_date", "frequency", "monetary_minor", "tenure_days",
            "aov_minor", "clv_minor", "r_score", "f_score", "m_score", "fm_score", "rfm_segment",
            "lifecycle_stage", "value_tier", "dependence_channel", "channel_share", "channel_band", "nps",
            "nps_class", "churned",
        ]

        /// The header line.
        public static var header: String { columns.joined(separator: ",") }

        /// The CSV line of customer row `i`. O(columns).
        public static func row(_ table: FeatureTable, at i: Int) -> String {
            func category<C: Category>(_ code: UInt8, _ type: C.Type) -> String {
                C(rawValue: code)?.slug ?? ""
            }
            let channel = table.dependenceChannel[i]
            let channelName = channel >= 0 && Int(channel) < table.channelNames.count ? table.channelNames[Int(channel)] : ""
            let fields: [String] = [
                quote(table.ids[i]),
                String(table.recencyDays[i]),
                table.lastPurchaseDay[i].map { CivilDay.isoString(ofDay: Int64($0)) } ?? "",
                String(table.frequency[i]),
                String(table.monetaryMinor[i]),
                String(table.tenureDays[i]),
                TextTable.fixed(table.aovMinor[i], 2),
                String(table.clvMinor[i]),
                String(table.recencyScore[i]),
                String(table.frequencyScore[i]),
                String(table.monetaryScore[i]),
                String(table.fmScore[i]),
                category(table.segment[i], RFMSegment.self),
                category(table.lifecycleStage[i], LifecycleStage.self),
                category(table.valueTier[i], ValueTier.self),
                quote(channelName),
                TextTable.fixed(table.channelShare[i], 4),
                category(table.channelBand[i], ChannelBand.self),
                table.nps[i].map { String($0) } ?? "",
                category(table.npsClass[i], NPSClass.self),
                table.churned[i].map { $0 ? "1" : "0" } ?? "",
            ]
            return fields.joined(separator: ",")
        }

        /// The header (if `includeHeader`) followed by one line per customer, produced lazily so a
        /// caller can stream a large table to a file. O(customers) overall.
        public static func lines(_ table: FeatureTable, includeHeader: Bool = true) -> Lines {
            Lines(table: table, includeHeader: includeHeader)
        }

        /// A lazy sequence of feature-CSV lines (header first if requested).
        public struct Lines: Sequence, Sendable {
            let table: FeatureTable
            let includeHeader: Bool

            /// Iterator over the lines.
            public struct Iterator: IteratorProtocol {
                let table: FeatureTable
                var position: Int

                /// The next line, or `nil` at the end.
                public mutating func next() -> String? {
                    defer { position += 1 }
                    if position < 0 { return FeatureCSV.header }
                    return position < table.count ? FeatureCSV.row(table, at: position) : nil
                }
            }

            /// Starts at the header (or the first row).
            public func makeIterator() -> Iterator { Iterator(table: table, position: includeHeader ? -1 : 0) }

            /// Number of lines.
            public var underestimatedCount: Int { table.count + (includeHeader ? 1 : 0) }
        }

        /// Quotes a field per RFC 4180 when it contains a comma, quote, CR or LF.
        public static func quote(_ field: String) -> String {
            guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
            return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
        }
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for ch in self {
            if ch == target { out += replacement } else { out.append(ch) }
        }
        return out
    }
}
