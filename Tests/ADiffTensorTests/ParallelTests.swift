import Foundation
import Synchronization
import Testing
@testable import ADiffTensor

/// Parallel.forEachChunk: exact coverage, disjoint chunks, and real use of two cores.
@Suite struct ParallelTests {
    struct Call: Sendable, Equatable {
        let chunk: Int
        let range: Range<Int>
    }

    @Test(arguments: [1, 2, 3, 7, 77, 1001, 65_537])
    func everyIndexExactlyOnce(_ count: Int) {
        for minimumChunk in [1, 5, 1000] {
            for threads in [1, 2, 3, 8] {
                let calls = Mutex<[Call]>([])
                let hits = UnsafeMutablePointer<Int>.allocate(capacity: count)
                hits.initialize(repeating: 0, count: count)
                defer { hits.deallocate() }
                Parallel.forEachIndexedChunk(count: count, minimumChunk: minimumChunk, threads: threads) {
                    chunk, range in
                    calls.withLock { $0.append(Call(chunk: chunk, range: range)) }
                    for i in range { hits[i] += 1 }
                }
                let recorded = calls.withLock { $0 }.sorted { $0.range.lowerBound < $1.range.lowerBound }
                let expectedChunks = Parallel.chunkCount(count: count, minimumChunk: minimumChunk, threads: threads)
                // Ranges tile 0..<count in order, with distinct chunk indices below the announced count.
                var next = 0
                for call in recorded {
                    #expect(call.range.lowerBound == next && !call.range.isEmpty)
                    next = call.range.upperBound
                }
                #expect(next == count)
                #expect(Set(recorded.map(\.chunk)).count == recorded.count)
                #expect(recorded.allSatisfy { $0.chunk >= 0 && $0.chunk < expectedChunks })
                #expect(recorded.count <= threads)
                #expect(
                    (0..<count).allSatisfy { hits[$0] == 1 }, "count \(count) min \(minimumChunk) threads \(threads)")
            }
        }
        var called = false
        Parallel.forEachChunk(count: 0) { _ in called = true }
        #expect(!called)
    }

    /// Two chunks that are alive at the same moment (each waits until the other has started)
    /// run on different threads and never touch each other's indices.
    @Test(.enabled(if: Parallel.availableCores >= 2), .timeLimit(.minutes(1)))
    func chunksRunConcurrentlyOnBothCores() {
        let count = 2 * 4099
        let arrived = Mutex<Int>(0)
        let threads = Mutex<Set<UInt>>([])
        let owner = UnsafeMutablePointer<Int>.allocate(capacity: count)
        owner.initialize(repeating: -1, count: count)
        defer { owner.deallocate() }
        let sawPartner = Mutex<Int>(0)
        Parallel.forEachIndexedChunk(count: count, minimumChunk: 1000, threads: 2) { chunk, range in
            threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            arrived.withLock { $0 += 1 }
            let deadline = Date().addingTimeInterval(10)
            while arrived.withLock({ $0 }) < 2, Date() < deadline { usleep(100) }
            if arrived.withLock({ $0 }) == 2 { sawPartner.withLock { $0 += 1 } }
            for i in range {
                #expect(owner[i] == -1)
                owner[i] = chunk
            }
        }
        #expect(sawPartner.withLock { $0 } == 2)
        #expect(threads.withLock { $0.count } == 2)
        #expect((0..<count).allSatisfy { owner[$0] >= 0 })
        #expect(Parallel.chunkRange(0, of: 2, count: count).upperBound == 4099)
    }
}
