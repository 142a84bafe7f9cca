import CohortCore
extension Synthetic {
    /// The four CSV files of one chunk, as bytes without header rows.
    struct FormattedChunk: Sendable {
        var customers: ByteBuffer
        var transactions: ByteBuffer
        var consent: ByteBuffer
        var groundTruth: ByteBuffer
        var customerCount: Int
        var transactionCount: Int
        var consentCount: Int
        var churnedCount: Int
    }

    /// Formats chunk rows as CSV bytes by hand (integers, dates and timestamps without
    /// `String(format:)` or `DateFormatter`). No field ever needs quoting: every value is a
    /// number, a date or a token from the profile's fixed vocabulary.
    ///
    /// All vocabulary tokens live in one flat byte array addressed by ranges, and the hot loops
    /// copy from it through buffer pointers (no per-field reference counting).
    struct ChunkFormatter: Sendable {
        let context: GenerationContext
        let idPrefix: [UInt8]
        let idWidth: Int
        private let vocabulary: [UInt8]
        private let channels: [Range<Int>]
        private let categories: [Range<Int>]
        private let regions: [Range<Int>]
        private let segments: [Range<Int>]
        private let methods: [Range<Int>]
        private let genders: [Range<Int>]
        private let policies: [Range<Int>]
        private let purposes: [Range<Int>]
        private let grant: Range<Int>
        private let withdraw: Range<Int>
        private let currencyField: Range<Int>

        static let customersHeader =
            "customer_id,signup_date,birth_year,gender,region,primary_channel,nps,csat,churned,churn_date\n"
        static let transactionsHeader = "customer_id,ts,amount_minor,currency,channel,category\n"
        static let consentHeader = "customer_id,purpose,action,at,method,policy_version\n"
        static let groundTruthHeader = "customer_id,segment,churn_probability,churned\n"

        init(context: GenerationContext, idPrefix: String, idWidth: Int) {
            self.context = context
            self.idPrefix = Array(idPrefix.utf8)
            self.idWidth = idWidth
            var flat: [UInt8] = []
            func add(_ words: [String]) -> [Range<Int>] {
                words.map { word in
                    let start = flat.count
                    flat.append(contentsOf: word.utf8)
                    return start..<flat.count
                }
            }
            let spec = context.spec
            channels = add(spec.channels)
            categories = add(spec.categories)
            regions = add(spec.regions)
            segments = add(spec.segments.map(\.name))
            methods = add(spec.grantMethods + spec.withdrawMethods)
            genders = add(ChunkData.genderNames)
            policies = add(ChunkData.policyNames)
            purposes = add(Purpose.allCases.map(\.rawValue))
            grant = add(["grant"])[0]
            withdraw = add(["withdraw"])[0]
            currencyField = add([",\(spec.currency),"])[0]
            vocabulary = flat
        }

        /// Bytes of every id: prefix plus the number zero-padded to `idWidth` digits.
        var idLength: Int { idPrefix.count + idWidth }

        /// The id of global customer index `index` (0-based): prefix + zero-padded `index + 1`.
        func id(_ index: Int) -> [UInt8] {
            var buffer = ByteBuffer(capacity: idLength)
            buffer.append(idPrefix)
            buffer.appendUnsigned(UInt64(index + 1), width: idWidth)
            return buffer.bytes
        }

        /// Formats all rows of `chunk`. O(rows).
        func format(_ chunk: ChunkData) -> FormattedChunk {
            var idBuffer = ByteBuffer(capacity: chunk.count * idLength)
            for i in 0..<chunk.count {
                idBuffer.append(idPrefix)
                idBuffer.appendUnsigned(UInt64(chunk.firstIndex + i + 1), width: idWidth)
            }
            return idBuffer.bytes.withUnsafeBufferPointer { ids in
                vocabulary.withUnsafeBufferPointer { vocab in
                    context.dates.storage.withUnsafeBufferPointer { dates in
                        format(chunk, ids: ids, vocab: vocab, dates: dates)
                    }
                }
            }
        }

        private func format(
            _ chunk: ChunkData, ids: UnsafeBufferPointer<UInt8>, vocab: UnsafeBufferPointer<UInt8>,
            dates: UnsafeBufferPointer<UInt8>
        ) -> FormattedChunk {
            let idLength = self.idLength
            let firstDay = context.dates.firstDay
            @inline(__always)
            func put(_ buffer: inout ByteBuffer, _ range: Range<Int>) {
                buffer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: vocab[range]))
            }
            @inline(__always)
            func putID(_ buffer: inout ByteBuffer, _ row: Int) {
                let start = row * idLength
                buffer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: ids[start..<(start + idLength)]))
            }
            @inline(__always)
            func putDate(_ buffer: inout ByteBuffer, _ day: Int32) {
                let offset = Int(day - firstDay) * 10
                if day >= firstDay, offset + 10 <= dates.count {
                    buffer.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: dates[offset..<(offset + 10)]))
                } else {
                    buffer.appendDate(days: day)
                }
            }
            @inline(__always)
            func putTimestamp(_ buffer: inout ByteBuffer, _ seconds: Int64) {
                var day = seconds / 86_400
                var rest = seconds % 86_400
                if rest < 0 {
                    rest += 86_400
                    day -= 1
                }
                putDate(&buffer, Int32(day))
                buffer.append(84)  // "T"
                buffer.appendTimeOfDay(Int(rest))
                buffer.append(90)  // "Z"
            }

            var customers = ByteBuffer(capacity: chunk.count * (idLength + 60))
            var truth = ByteBuffer(capacity: chunk.count * (idLength + 30))
            var churned = 0
            for i in 0..<chunk.count {
                putID(&customers, i)
                customers.append(44)
                putDate(&customers, chunk.signupDay[i])
                customers.append(44)
                if chunk.birthYear[i] != 0 { customers.appendInt(Int64(chunk.birthYear[i])) }
                customers.append(44)
                if chunk.gender[i] != 255 { put(&customers, genders[Int(chunk.gender[i])]) }
                customers.append(44)
                if chunk.region[i] != 255 { put(&customers, regions[Int(chunk.region[i])]) }
                customers.append(44)
                put(&customers, channels[Int(chunk.primaryChannel[i])])
                customers.append(44)
                if chunk.nps[i] >= 0 { customers.appendInt(Int64(chunk.nps[i])) }
                customers.append(44)
                if chunk.csat[i] >= 0 { customers.appendInt(Int64(chunk.csat[i])) }
                customers.append(44)
                if let day = chunk.churnDay[i] {
                    churned += 1
                    customers.append(49)
                    customers.append(44)
                    putDate(&customers, day)
                } else {
                    customers.append(48)
                    customers.append(44)
                }
                customers.append(10)

                putID(&truth, i)
                truth.append(44)
                put(&truth, segments[Int(chunk.segment[i])])
                truth.append(44)
                truth.appendFraction4(chunk.churnProbability[i])
                truth.append(44)
                truth.append(chunk.churnDay[i] == nil ? 48 : 49)
                truth.append(10)
            }

            let txCount = chunk.txCustomer.count
            var transactions = ByteBuffer(capacity: txCount * (idLength + 50))
            for j in 0..<txCount {
                putID(&transactions, Int(chunk.txCustomer[j]))
                transactions.append(44)
                putTimestamp(&transactions, chunk.txTimestamp[j])
                transactions.append(44)
                transactions.appendInt(chunk.txAmount[j])
                put(&transactions, currencyField)
                put(&transactions, channels[Int(chunk.txChannel[j])])
                transactions.append(44)
                put(&transactions, categories[Int(chunk.txCategory[j])])
                transactions.append(10)
            }

            let consentCount = chunk.consentCustomer.count
            var consent = ByteBuffer(capacity: consentCount * (idLength + 60))
            for j in 0..<consentCount {
                putID(&consent, Int(chunk.consentCustomer[j]))
                consent.append(44)
                put(&consent, purposes[Int(chunk.consentPurpose[j])])
                consent.append(44)
                put(&consent, chunk.consentWithdraw[j] ? withdraw : grant)
                consent.append(44)
                putTimestamp(&consent, chunk.consentAt[j])
                consent.append(44)
                put(&consent, methods[Int(chunk.consentMethod[j])])
                consent.append(44)
                put(&consent, policies[Int(chunk.consentPolicy[j])])
                consent.append(10)
            }

            return FormattedChunk(
                customers: customers, transactions: transactions, consent: consent,
                groundTruth: truth, customerCount: chunk.count, transactionCount: txCount,
                consentCount: consentCount, churnedCount: churned)
        }
    }
}
