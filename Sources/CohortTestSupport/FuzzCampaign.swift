#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded, seeded fuzz run: `iterations` cases, case `i` drawn from its own generator seeded
/// by ``caseSeed(_:)``. `COHORT_FUZZ_CASE=<iteration>:<seed>` (printed with every failure) runs
/// only that case; campaigns whose cases share state (a store, a study engine) are reproduced
/// exactly by rerunning with `COHORT_FUZZ_ITERATIONS=<iteration + 1>`. `COHORT_FUZZ_ITERATIONS`
/// also runs longer campaigns.
///
/// A case fails when its body throws: the error is wrapped in a ``FuzzFailure`` naming the
/// campaign, iteration, case seed and input. A trap cannot be caught in-process, so while a
/// case runs its seed is also kept where a signal handler (SIGILL, SIGTRAP, SIGSEGV, SIGBUS,
/// SIGABRT, SIGFPE) prints it to stderr before the process dies.
public struct FuzzCampaign: Sendable {
    /// Name shown in failure messages.
    public let name: String
    /// Base seed of the campaign.
    public let seed: UInt64
    /// Number of cases run.
    public let iterations: Int

    /// Creates a campaign; the environment can override the iterations or pick one case.
    public init(_ name: String, seed: UInt64, iterations: Int) {
        self.name = name
        self.seed = seed
        let environment = FuzzEnvironment.current
        self.iterations = environment.iterations ?? iterations
    }

    /// Whether this run covers every case (false when `COHORT_FUZZ_CASE` picks one): tests
    /// check that a campaign reached each outcome only on full runs.
    public var coversAllCases: Bool { FuzzEnvironment.current.onlyCase == nil }

    /// The seed of case `iteration`. O(1).
    public func caseSeed(_ iteration: Int) -> UInt64 {
        var mixer = FuzzRandom(seed: seed ^ (UInt64(truncatingIfNeeded: iteration) &* 0xD6E8_FEB8_6659_FD93))
        return mixer.next()
    }

    /// The case seeds this run covers (one when `COHORT_FUZZ_CASE` is set).
    func caseSeeds() -> [(iteration: Int, seed: UInt64)] {
        if let only = FuzzEnvironment.current.onlyCase { return [only] }
        return (0..<iterations).map { ($0, caseSeed($0)) }
    }

    /// Runs every case; `body` gets the case and throws to report a failure.
    /// - Throws: ``FuzzFailure`` for the first failing case.
    public func run(_ body: (inout FuzzCase) throws -> Void) throws {
        for (iteration, caseSeed) in caseSeeds() {
            var fuzzCase = FuzzCase(campaign: name, iteration: iteration, seed: caseSeed)
            let slot = FuzzCrashReporter.enter(fuzzCase.label)
            defer { FuzzCrashReporter.leave(slot) }
            do {
                try body(&fuzzCase)
            } catch {
                throw FuzzFailure(fuzzCase: fuzzCase, error: error)
            }
        }
    }

    /// Asynchronous form of ``run(_:)``.
    public func run(_ body: (inout FuzzCase) async throws -> Void) async throws {
        for (iteration, caseSeed) in caseSeeds() {
            var fuzzCase = FuzzCase(campaign: name, iteration: iteration, seed: caseSeed)
            let slot = FuzzCrashReporter.enter(fuzzCase.label)
            defer { FuzzCrashReporter.leave(slot) }
            do {
                try await body(&fuzzCase)
            } catch {
                throw FuzzFailure(fuzzCase: fuzzCase, error: error)
            }
        }
    }
}

/// One case of a ``FuzzCampaign``: its generator and the input it built (for messages).
public struct FuzzCase: Sendable {
    /// Campaign name.
    public let campaign: String
    /// Iteration number within the campaign.
    public let iteration: Int
    /// The case's seed (reproduce with `COHORT_FUZZ_CASE=<iteration>:<seed>`).
    public let seed: UInt64
    /// The case's generator.
    public var random: FuzzRandom
    /// Description of the input under test (set with ``input(_:)``), shown on failure.
    public private(set) var inputDescription = ""

    init(campaign: String, iteration: Int, seed: UInt64) {
        self.campaign = campaign
        self.iteration = iteration
        self.seed = seed
        self.random = FuzzRandom(seed: seed)
    }

    /// `fuzz campaign '…' iteration i (reproduce: COHORT_FUZZ_CASE=i:0x…)`.
    public var label: String {
        "fuzz campaign '\(campaign)' iteration \(iteration) (reproduce: COHORT_FUZZ_CASE=\(iteration):0x\(String(seed, radix: 16)))"
    }

    /// Records the input under test (escaped, at most 512 bytes shown).
    public mutating func input(_ bytes: [UInt8]) {
        inputDescription = FuzzFailure.escape(bytes)
    }

    /// Records a textual input under test.
    public mutating func input(_ text: String) {
        input(Array(text.utf8))
    }

    /// Throws a failure with `message` unless `condition` holds.
    public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw FuzzViolation(message: message()) }
    }
}

/// A property the fuzz body checks did not hold.
public struct FuzzViolation: Error, CustomStringConvertible, Sendable {
    /// What did not hold.
    public let message: String
    /// Creates a violation.
    public init(message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}

/// A failing fuzz case: campaign, iteration, case seed, input and the error.
public struct FuzzFailure: Error, CustomStringConvertible, Sendable {
    /// The case label (with its reproduction seed).
    public let label: String
    /// The escaped input, if recorded.
    public let input: String
    /// The error thrown by the case body.
    public let reason: String

    init(fuzzCase: FuzzCase, error: any Error) {
        label = fuzzCase.label
        input = fuzzCase.inputDescription
        reason = "\(error)"
    }

    /// `label: reason; input: …`.
    public var description: String {
        "\(label): \(reason)" + (input.isEmpty ? "" : "; input: \"\(input)\"")
    }

    /// The bytes as printable ASCII with `\xNN` escapes (at most 512 bytes). O(n).
    static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        for b in bytes.prefix(512) {
            switch b {
            case 0x5C: out += "\\\\"
            case 0x22: out += "\\\""
            case 0x0A: out += "\\n"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(b))
            default: out += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
        }
        return bytes.count > 512 ? out + "… (\(bytes.count) bytes)" : out
    }
}

/// Environment overrides of fuzz runs.
enum FuzzEnvironment {
    struct Values {
        var iterations: Int?
        var onlyCase: (iteration: Int, seed: UInt64)?
    }

    static let current: Values = {
        let env = { (name: String) -> String? in getenv(name).map { String(cString: $0) } }
        var values = Values()
        values.iterations = env("COHORT_FUZZ_ITERATIONS").flatMap { Int($0) }.map { max(0, min($0, 10_000_000)) }
        if let text = env("COHORT_FUZZ_CASE") {
            let parts = text.split(separator: ":", maxSplits: 1)
            let seedText = parts.last ?? ""
            let seed = seedText.hasPrefix("0x") ? UInt64(seedText.dropFirst(2), radix: 16) : UInt64(seedText)
            let iteration = parts.count == 2 ? Int(parts[0]) : 0
            if let seed, let iteration { values.onlyCase = (iteration, seed) }
        }
        return values
    }()
}

/// Prints the labels of the fuzz cases in progress when the process dies of a signal (a Swift
/// trap is SIGILL or SIGTRAP), so a crash names the case seed that reproduces it.
enum FuzzCrashReporter {
    static let slotCount = 32
    static let slotBytes = 256
    /// Fixed storage read by the signal handler (no allocation there); slot `i` holds a
    /// NUL-terminated label or starts with NUL when free.
    nonisolated(unsafe) static let storage: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotBytes)
        p.initialize(repeating: 0, count: slotCount * slotBytes)
        installHandlers()
        return p
    }()
    private static let lock = FuzzLock()

    /// Claims a slot and writes `label` into it. O(label).
    static func enter(_ label: String) -> Int? {
        let base = storage
        return lock.withLock {
            for slot in 0..<slotCount where base[slot * slotBytes] == 0 {
                let bytes = Array(label.utf8.prefix(slotBytes - 2)) + [0x0A]
                for (i, b) in bytes.enumerated() { base[slot * slotBytes + i] = CChar(bitPattern: b) }
                base[slot * slotBytes + bytes.count] = 0
                return slot
            }
            return nil
        }
    }

    /// Frees the slot.
    static func leave(_ slot: Int?) {
        guard let slot else { return }
        let base = storage
        lock.withLock { base[slot * slotBytes] = 0 }
    }

    /// The handlers that were installed before ours (the Swift runtime's backtracer), by signal
    /// number; ours hands the signal on to them.
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 64)

    private static func installHandlers() {
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = fuzzCrashHandler
            #else
            action.__sigaction_u.__sa_handler = fuzzCrashHandler
            #endif
            // Keep running on the alternate signal stack if the previous handler did (a stack
            // overflow cannot be reported on the overflowing stack).
            sigaction(signal, nil, previous + Int(signal))
            action.sa_flags = previous[Int(signal)].sa_flags & Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, nil)
        }
    }
}

/// The signal handler: writes every in-progress case label and puts back the previous handler
/// (the runtime's backtracer, or the default action). Returning re-executes the faulting
/// instruction (a Swift trap is `ud2`/`brk`), which now reaches that handler with the original
/// context; SIGTRAP from `int3` resumes after it, so it is raised again instead.
private func fuzzCrashHandler(_ signal: Int32) {
    let header: StaticString = "\n*** process died of a signal during fuzzing; cases in progress:\n"
    let base = FuzzCrashReporter.storage
    var wroteHeader = false
    for slot in 0..<FuzzCrashReporter.slotCount where base[slot * FuzzCrashReporter.slotBytes] != 0 {
        if !wroteHeader {
            _ = write(2, header.utf8Start, header.utf8CodeUnitCount)
            wroteHeader = true
        }
        let p = base + slot * FuzzCrashReporter.slotBytes
        _ = write(2, p, strlen(p))
    }
    sigaction(signal, FuzzCrashReporter.previous + Int(signal), nil)
    #if arch(x86_64)
    if signal == SIGTRAP { raise(signal) }
    #endif
}

/// A minimal mutex for the crash-reporter slots.
final class FuzzLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
