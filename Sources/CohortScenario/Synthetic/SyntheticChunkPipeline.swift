import Dispatch
import Synchronization

extension Synthetic {
    /// Runs independent chunk jobs on all cores and hands their results over strictly in chunk
    /// order, so the output never depends on thread scheduling.
    enum ChunkPipeline {
        /// Produces results for chunks `0 ..< chunkCount` (in parallel batches when
        /// `parallel`), passing each to `consume` in increasing chunk order.
        static func run<Result: Sendable>(
            chunkCount: Int, parallel: Bool,
            produce: @escaping @Sendable (Int) -> Result,
            consume: (Result) throws -> Void
        ) rethrows {
            let batchSize = 16
            var start = 0
            while start < chunkCount {
                let n = min(batchSize, chunkCount - start)
                let base = start
                if parallel, n > 1 {
                    let slots = ResultSlots<Result>(count: n)
                    DispatchQueue.concurrentPerform(iterations: n) { i in
                        slots.store(produce(base + i), at: i)
                    }
                    for result in slots.drain() { try consume(result) }
                } else {
                    for i in 0..<n { try consume(produce(base + i)) }
                }
                start += n
            }
        }
    }

    /// Fixed slots filled concurrently, then read out in index order.
    final class ResultSlots<Result: Sendable>: Sendable {
        private let storage: Mutex<[Result?]>

        init(count: Int) {
            storage = Mutex(Array(repeating: nil, count: count))
        }

        func store(_ result: sending Result, at index: Int) {
            storage.withLock { $0[index] = result }
        }

        func drain() -> [Result] {
            storage.withLock { slots in slots.compactMap { $0 } }
        }
    }
}
