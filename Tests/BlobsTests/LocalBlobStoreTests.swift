import Blobs
import Crypto
import Foundation
import TestSupport
import Testing

struct LocalBlobStoreTests {
    let namespace = BlobNamespace.talent(tenantID: UUID(), talentID: UUID())

    @Test func storedBytesComeBackUnderTheirContentAddress() async throws {
        let store = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs"))
        let file = TestEnvironment.testmedia("photo.jpg")
        let original = try Data(contentsOf: file)
        let blob = try await store.store(file: file, in: namespace, chunkSize: 4096)

        let digest = SHA256.hash(data: original).map { String(format: "%02x", $0) }.joined()
        #expect(blob.sha256 == digest)
        #expect(blob.bytes == Int64(original.count))
        #expect(blob.path == namespace.path(sha256: digest))
        #expect(try await store.read(blob.path) == original)
    }

    @Test func aBlobOfManyBuffersWrittenInOddChunksComesBackWhole() async throws {
        let store = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs"))
        var original = Data(count: (5 << 20) + 777)
        original.withUnsafeMutableBytes { bytes in
            var generator = SystemRandomNumberGenerator()
            for index in stride(from: 0, to: bytes.count, by: 8) {
                withUnsafeBytes(of: generator.next()) { random in
                    let count = min(8, bytes.count - index)
                    UnsafeMutableRawBufferPointer(rebasing: bytes[index..<(index + count)])
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: random[0..<count]))
                }
            }
        }
        let writer = try store.makeWriter()
        var offset = 0
        while offset < original.count {
            let end = min(original.count, offset + 65_537)
            try writer.write(original[offset..<end])
            offset = end
        }
        let blob = try await writer.commit(in: namespace)
        #expect(blob.bytes == Int64(original.count))
        #expect(blob.sha256 == SHA256.hash(data: original).map { String(format: "%02x", $0) }.joined())
        #expect(try await store.read(blob.path) == original)
    }

    @Test func theSameBytesTwiceGiveOneBlob() async throws {
        let root = try TestEnvironment.temporaryDirectory("blobs")
        let store = try LocalBlobStore(root: root)
        let first = try await store.store(data: Data("same bytes".utf8), in: namespace)
        let second = try await store.store(data: Data("same bytes".utf8), in: namespace)
        #expect(first == second)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.appending(path: "tmp").path)
        #expect(leftovers.isEmpty, "temporary files are renamed or removed")
    }

    @Test func nothingIsVisibleBeforeCommitAndAbortLeavesNothing() async throws {
        let root = try TestEnvironment.temporaryDirectory("blobs")
        let store = try LocalBlobStore(root: root)
        let writer = try store.makeWriter()
        try writer.write(Data("half an upload".utf8))
        #expect(writer.bytesWritten == 14)
        let digest = SHA256.hash(data: Data("half an upload".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(!(await store.exists(namespace.path(sha256: digest))))
        writer.abort()
        writer.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appending(path: "tmp").path).isEmpty)
    }

    @Test(arguments: ["../etc/passwd", "/etc/passwd", "tenants/../../x", "", "a/./b"])
    func pathsLeavingTheRootAreRefused(path: String) async throws {
        let store = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs"))
        await #expect(throws: BlobError.self) { try await store.read(path) }
        #expect(!(await store.exists(path)))
    }

    @Test func anUnreadableSourceIsAClearError() async throws {
        let store = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs"))
        let error = await #expect(throws: BlobError.self) {
            try await store.store(file: URL(filePath: "/nonexistent/file.jpg"), in: namespace)
        }
        #expect(error?.description.contains("/nonexistent/file.jpg") == true)
    }
}
