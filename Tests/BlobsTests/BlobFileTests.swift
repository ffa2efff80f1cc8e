import Foundation
import TestSupport
import Testing

@testable import Blobs

/// The file under a blob writer: direct I/O for whole aligned buffers, the page cache for the rest, and the
/// same bytes on disk either way.
struct BlobFileTests {
    static let megabyte = 1 << 20

    /// Random bytes in a page-aligned buffer, `count` long, starting `shift` bytes in.
    final class Pattern: @unchecked Sendable {
        let storage: UnsafeMutableRawBufferPointer
        let bytes: UnsafeRawBufferPointer
        init(count: Int, shift: Int = 0, seed: UInt64) {
            storage = .allocate(byteCount: count + shift, alignment: BlobFile.alignment)
            var state = seed
            for index in 0..<storage.count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                storage[index] = UInt8(truncatingIfNeeded: state >> 56)
            }
            bytes = UnsafeRawBufferPointer(rebasing: storage[shift..<(shift + count)])
        }
        deinit { storage.deallocate() }
    }

    @Test(arguments: [true, false])
    func alignedBuffersThenATailReadBackExactly(direct: Bool) throws {
        let path = try TestEnvironment.temporaryDirectory("blob-file").appending(path: "blob.part")
        let file = try BlobFile(creating: path.path, direct: direct)
        let wholeBuffers = Pattern(count: 3 * Self.megabyte, seed: 1)
        let tail = Pattern(count: 12_345, seed: 2)
        let grantedDirect = file.isDirect
        #expect(direct || !grantedDirect, "direct I/O only when asked for")

        try file.append(wholeBuffers.bytes)
        #expect(file.isDirect == grantedDirect, "whole aligned buffers keep direct I/O")
        try file.append(tail.bytes)
        #expect(!file.isDirect, "an unaligned tail goes through the page cache")
        try file.sync()
        file.close()

        let stored = try Data(contentsOf: path)
        #expect(stored == Data(wholeBuffers.bytes) + Data(tail.bytes))
    }

    @Test func aBufferThatIsNotAlignedInMemoryIsStillWrittenWhole() throws {
        let path = try TestEnvironment.temporaryDirectory("blob-file").appending(path: "blob.part")
        let file = try BlobFile(creating: path.path)
        let aligned = Pattern(count: Self.megabyte, seed: 3)
        let shifted = Pattern(count: Self.megabyte, shift: 1, seed: 4)
        let afterwards = Pattern(count: Self.megabyte, seed: 5)
        try file.append(aligned.bytes)
        try file.append(shifted.bytes)
        #expect(!file.isDirect)
        try file.append(afterwards.bytes)
        try file.sync()
        file.close()
        #expect(try Data(contentsOf: path) == Data(aligned.bytes) + Data(shifted.bytes) + Data(afterwards.bytes))
    }

    @Test func anExistingPathIsRefusedWithItsName() throws {
        let path = try TestEnvironment.temporaryDirectory("blob-file").appending(path: "taken.part")
        try Data("already here".utf8).write(to: path)
        let error = #expect(throws: BlobError.self) { try BlobFile(creating: path.path) }
        #expect(error?.description.contains("taken.part") == true)
        #expect(try Data(contentsOf: path) == Data("already here".utf8), "the existing file is untouched")
    }

    @Test func buffersWrittenAtTheirOffsetsFromTwoThreadsReadBackInOrder() throws {
        let path = try TestEnvironment.temporaryDirectory("blob-file").appending(path: "blob.part")
        let file = try BlobFile(creating: path.path)
        let buffers = (0..<8).map { Pattern(count: Self.megabyte, seed: UInt64(10 + $0)) }
        let tail = Pattern(count: 999, seed: 99)
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            // Each thread writes every other buffer, the second one backwards.
            let mine = Array(stride(from: thread, to: buffers.count, by: 2))
            for index in thread == 0 ? mine : mine.reversed() {
                try! file.write(buffers[index].bytes, at: Int64(index * Self.megabyte))
            }
        }
        try file.write(tail.bytes, at: Int64(buffers.count * Self.megabyte))
        try file.sync()
        file.close()
        #expect(try Data(contentsOf: path) == buffers.reduce(Data()) { $0 + Data($1.bytes) } + Data(tail.bytes))
    }

    @Test func writingAfterCloseIsAnError() throws {
        let path = try TestEnvironment.temporaryDirectory("blob-file").appending(path: "closed.part")
        let file = try BlobFile(creating: path.path)
        file.close()
        #expect(throws: BlobError.self) { try file.append(UnsafeRawBufferPointer(start: nil, count: 0)) }
    }
}
