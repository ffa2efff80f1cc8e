import Crypto
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Blobs

/// When the disk falls behind, an async writer waits for room without holding a thread of the cooperative
/// pool, and picks up where it was once the disk catches up.
@Suite(.timeLimit(.minutes(20)))
struct BlobWriterBackpressureTests {
    static let megabyte = 1 << 20

    func fullWriter() throws -> (LocalBlobWriter, Data) {
        let writer = try LocalBlobWriter(root: try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs")).root)
        writer.writing.forEach { $0.suspend() }  // the disk "falls behind": no buffer comes back until resume()
        let bytes = Data(repeating: 0x5A, count: LocalBlobWriter.buffersInFlight * Self.megabyte)
        try writer.write(bytes)  // fills every buffer; none can be reused yet
        return (writer, bytes)
    }

    @Test func aWriterWithRoomDoesNotWait() async throws {
        let writer = try LocalBlobWriter(root: try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs")).root)
        await writer.waitForRoom(64 << 10)
        await writer.waitForRoom(100 * Self.megabyte)  // more than it can ever hold: waits for all of it, at most
        writer.abort()
    }

    @Test func waitingForRoomEndsWhenTheDiskCatchesUp() async throws {
        let (writer, first) = try fullWriter()
        let waited = Atomic(false)
        let waiter = Task {
            await writer.waitForRoom(64 << 10)
            waited.store(true, ordering: .sequentiallyConsistent)
        }
        try await Task.sleep(for: .milliseconds(200))
        let early = waited.load(ordering: .sequentiallyConsistent)
        #expect(!early, "no buffer is free while the queue is held up")
        writer.writing.forEach { $0.resume() }
        await waiter.value
        let late = waited.load(ordering: .sequentiallyConsistent)
        #expect(late)

        let second = Data(repeating: 7, count: 12_345)
        try writer.write(second)
        let blob = try await writer.commit(in: .unassigned)
        #expect(blob.sha256 == SHA256.hash(data: first + second).map { String(format: "%02x", $0) }.joined())
    }

    @Test func manyWaitingWritersLeaveThePoolFree() async throws {
        // More waiting writers than the cooperative pool has threads: were any of them holding a thread,
        // the task below could not run and the test would hit its time limit.
        let writers = try (0..<(2 * ProcessInfo.processInfo.activeProcessorCount + 2)).map { _ in try fullWriter().0 }
        let waiting = writers.map { writer in Task { await writer.waitForRoom(64 << 10) } }
        try await Task.sleep(for: .milliseconds(100))
        let answer = await Task { 6 * 7 }.value
        #expect(answer == 42)
        writers.forEach { $0.writing.forEach { $0.resume() } }
        for task in waiting { await task.value }
        writers.forEach { $0.abort() }
    }

    @Test func abortingReleasesWhoeverWaits() async throws {
        let (writer, _) = try fullWriter()
        let waiter = Task { await writer.waitForRoom(64 << 10) }
        try await Task.sleep(for: .milliseconds(50))
        // abort() ends the wait at once, then waits itself for the (held up) queue to close the file.
        let aborted = Thread { writer.abort() }
        aborted.start()
        await waiter.value
        writer.writing.forEach { $0.resume() }
        #expect(throws: BlobError.self) { try writer.write(Data([1])) }
    }
}
