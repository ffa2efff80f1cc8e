import Blobs
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import S3

/// The blob store on a real S3 server (moto, checking every signature): blobs streamed in under their
/// content address, the same bytes stored once, nothing left behind by an abort, and local copies for the
/// libraries that read files, checked and bounded.
@Suite(.enabled(if: TestEnvironment.available(MotoServer.isInstalled)), .motoServer(authenticated: true), .timeLimit(.minutes(20)))
struct S3BlobStoreTests {
    let server: MotoServer
    let client: S3Client
    let namespace = BlobNamespace.talent(tenantID: UUID(), talentID: UUID())

    init() throws {
        server = try #require(MotoServer.current)
        client = server.client(keyPrefix: "blobs-\(UUID().uuidString.prefix(8))/")
    }

    func store(maxScratchBytes: Int64 = 1 << 30) throws -> S3BlobStore {
        S3BlobStore(
            client: client,
            scratch: try ScratchCache(directory: try TestEnvironment.temporaryDirectory("scratch"), maxBytes: maxScratchBytes)
        )
    }

    func hex(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    /// Keys under the client's prefix, without it.
    func keys() async throws -> [String] {
        try await client.listMultipartUploads().map(\.key) + (try await listedObjects())
    }

    func listedObjects() async throws -> [String] {
        let answer = try await client.send(.GET, storeKey: nil, query: [(name: "list-type", value: "2"), (name: "prefix", value: client.configuration.keyPrefix)], operation: "LIST")
        let text = String(buffer: answer.body)
        return text.components(separatedBy: "<Key>").dropFirst().compactMap { $0.components(separatedBy: "</Key>").first }
    }

    @Test func aBlobStreamedInComesBackUnderItsContentAddress() async throws {
        let blobs = try store()
        let bytes = TestBytes.random(21 << 20 + 12_345)  // three parts and a tail
        let file = try TestEnvironment.temporaryDirectory("s3-blob").appending(path: "video.bin")
        try bytes.write(to: file)
        let stored = try await blobs.store(file: file, in: namespace)
        #expect(stored.path == namespace.path(sha256: hex(bytes)) && stored.bytes == Int64(bytes.count))
        #expect(try await blobs.read(stored.path) == bytes)
        #expect(try await blobs.exists(stored.path))
        let local = try await blobs.localFile(for: stored.path)
        #expect(try Data(contentsOf: local) == bytes)
        #expect(try await listedObjects().map { String($0.dropFirst(client.configuration.keyPrefix.count)) } == [stored.path], "the incoming key is gone")
        #expect(try await client.listMultipartUploads().isEmpty)
    }

    @Test func theSameBytesTwiceAreOneObject() async throws {
        let blobs = try store()
        let first = try await blobs.store(data: Data("same bytes".utf8), in: namespace)
        let second = try await blobs.store(data: Data("same bytes".utf8), in: namespace)
        #expect(first == second)
        #expect(try await listedObjects().count == 1)
    }

    @Test func anAbortedWriterLeavesNothingBehind() async throws {
        let blobs = try store()
        let writer = try blobs.makeWriter()
        for _ in 0..<12 {
            await writer.waitForRoom(1 << 20)
            try writer.write(TestBytes.random(1 << 20))
        }
        writer.abort()
        // The abort runs in the background; wait for the store to show it (bounded by the store, not a clock).
        var left = try await keys()
        for _ in 0..<200 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(50))
            left = try await keys()
        }
        #expect(left.isEmpty, "\(left)")
        await #expect(throws: BlobError.self) { try await writer.commit(in: namespace) }
    }

    @Test func aMissingBlobIsAClearErrorAndABadPathIsRefused() async throws {
        let blobs = try store()
        let missing = namespace.path(sha256: String(repeating: "ab", count: 32))
        await #expect(throws: BlobError.self) { try await blobs.read(missing) }
        await #expect(throws: BlobError.self) { try await blobs.localFile(for: missing) }
        #expect(try await !blobs.exists(missing))
        await #expect(throws: BlobError.self) { try await blobs.read("../secret") }
    }

    @Test func theScratchCacheKeepsWhatFitsAndRefusesACorruptCopy() async throws {
        let blobs = try store(maxScratchBytes: 3 << 20)
        var paths: [String] = []
        for index in 0..<3 { paths.append(try await blobs.store(data: TestBytes.random((1 << 20) + index), in: namespace).path) }
        let first = try await blobs.localFile(for: paths[0])
        #expect(try await blobs.localFile(for: paths[0]) == first, "fetched once, then served from the cache")
        _ = try await blobs.localFile(for: paths[1])
        _ = try await blobs.localFile(for: paths[2])
        #expect(!FileManager.default.fileExists(atPath: first.path), "the least recently used copy made room")
        // An object whose bytes do not match its content address is refused, not cached.
        let forged = namespace.path(sha256: String(repeating: "cd", count: 32))
        _ = try await client.putObject(key: forged, data: Data("not those bytes".utf8))
        await #expect(throws: BlobError.self) { try await blobs.localFile(for: forged) }
    }
}
