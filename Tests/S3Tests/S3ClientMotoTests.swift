import Crypto
import Foundation
import NIOCore
import TestSupport
import Testing

@testable import S3

/// The client against a real S3 server (moto) that checks the SigV4 signature of every request: objects,
/// ranges, multipart uploads and their checksums, aborts, the stale-upload sweep, and the bucket check.
@Suite(.enabled(if: TestEnvironment.available(MotoServer.isInstalled)), .motoServer(authenticated: true), .timeLimit(.minutes(20)))
struct S3ClientMotoTests {
    let server: MotoServer
    /// Each test works under a prefix of its own, so that tests running together do not see each other's keys.
    let client: S3Client

    init() throws {
        server = try #require(MotoServer.current)
        client = server.client(keyPrefix: "test-\(UUID().uuidString.prefix(8))/")
    }

    @Test func smallObjectsRoundTripByteForByte() async throws {
        // Keys that need encoding: the server recomputes the signature from the path it received.
        for key in ["plain.bin", "with space/and+plus~tilde.bin", "unicode/été 😀.jpg", "odd/chars !'()*=&$@,;:.bin"] {
            let bytes = TestBytes.random(100_003)
            let put = try await client.putObject(key: key, data: bytes)
            #expect(put.etag != nil)
            let read = try await client.getObject(key: key)
            #expect(read.data == bytes, "\(key)")
            let head = try #require(try await client.headObject(key: key, checksumMode: true))
            #expect(head.size == 100_003)
            #expect(head.checksumSHA256 == TestBytes.checksum(bytes), "the checksum the client declared, as the server kept it")
            try await client.deleteObject(key: key)
            #expect(try await client.headObject(key: key) == nil)
        }
        let empty = try await client.putObject(key: "empty", data: Data())
        #expect(empty.etag != nil)
        #expect(try await client.getObject(key: "empty").readableBytes == 0)
        #expect(try await client.headObject(key: "empty")?.size == 0)
    }

    /// An object above the single-copy limit (5 GiB on S3; lowered here) is copied by `UploadPartCopy` ranges
    /// and comes out byte for byte; one below it in one `CopyObject`.
    @Test func largeObjectsAreCopiedPartByPart() async throws {
        let partSize = S3MultipartWriter.minimumPartSize
        let bytes = TestBytes.random(2 * partSize + 98_765)
        _ = try await client.putObject(key: "source.bin", data: bytes)
        try await client.copyObject(
            from: "source.bin", to: "in parts.bin", size: Int64(bytes.count), singleCopyLimit: Int64(partSize), partBytes: Int64(partSize)
        )
        #expect(try await client.getObject(key: "in parts.bin", maximumBytes: 32 << 20).data == bytes)
        let head = try #require(try await client.headObject(key: "in parts.bin"))
        #expect(head.etag?.hasSuffix("-3") == true, "three copied parts: \(head.etag ?? "no ETag")")
        try await client.copyObject(from: "source.bin", to: "whole.bin", size: Int64(bytes.count))
        #expect(try await client.getObject(key: "whole.bin", maximumBytes: 32 << 20).data == bytes)
        #expect(try await client.listMultipartUploads().isEmpty, "no upload left open")
    }

    @Test func multipartUploadRoundTripsByteForByte() async throws {
        let partSize = S3MultipartWriter.minimumPartSize
        let bytes = TestBytes.random(3 * partSize + 123_457)
        let writer = try S3MultipartWriter(client: client, key: "video/big file.mp4", partSize: partSize)
        // Chunks of an uneven size, so that parts fill across chunk boundaries.
        for start in stride(from: 0, to: bytes.count, by: 700_001) {
            try await writer.write(bytes[start..<min(start + 700_001, bytes.count)])
        }
        let stored = try await writer.finish()
        #expect(stored.sha256 == TestBytes.sha256(bytes))
        #expect(stored.size == Int64(bytes.count) && stored.parts == 4)
        #expect(stored.etag?.hasSuffix("-4") == true)

        let read = try await client.getObject(key: "video/big file.mp4", maximumBytes: 32 << 20)
        #expect(read.readableBytes == bytes.count)
        #expect(read.data == bytes)
        let head = try #require(try await client.headObject(key: "video/big file.mp4", checksumMode: true))
        #expect(head.size == Int64(bytes.count))
        // Computed by the server from the parts it received; the client compared it with the parts' declared
        // checksums on completion, and here it is checked against the bytes themselves (moto's HEAD leaves out
        // the "-N" part count that AWS appends).
        let composite = TestBytes.composite(bytes, partSize: partSize)
        #expect(head.checksumSHA256 == composite || head.checksumSHA256.map { "\($0)-4" } == composite, "\(head.checksumSHA256 ?? "none") against \(composite)")
        #expect(try await client.listMultipartUploads().isEmpty)

        // Ranges: the first byte, across the boundary of parts 1 and 2, the last bytes, one past the end.
        let last = Int64(bytes.count - 1)
        for range: ClosedRange<Int64> in [0...0, Int64(partSize - 1000)...Int64(partSize + 5000), (last - 9)...last, 17...(last + 100)] {
            let slice = try await client.getObject(key: "video/big file.mp4", range: range)
            let expected = bytes[Int(range.lowerBound)...Int(min(range.upperBound, last))]
            #expect(slice.data == Data(expected), "\(range)")
        }
    }

    @Test func aSmallObjectGoesInOnePut() async throws {
        let bytes = TestBytes.random(1_000_000)
        let writer = try S3MultipartWriter(client: client, key: "small")
        try await writer.write(bytes[..<400_000])
        try await writer.write(bytes[400_000...])
        let stored = try await writer.finish()
        #expect(stored.parts == 1 && stored.size == 1_000_000 && stored.sha256 == TestBytes.sha256(bytes))
        #expect(try await client.getObject(key: "small").data == bytes)
        #expect(try await client.headObject(key: "small", checksumMode: true)?.checksumSHA256 == TestBytes.checksum(bytes))
    }

    @Test func aPartWhoseDeclaredChecksumDoesNotMatchItsBytesIsRefused() async throws {
        let key = "corrupt.bin"
        let first = TestBytes.random(S3MultipartWriter.minimumPartSize)
        let second = TestBytes.random(1000)
        let uploadID = try await client.createMultipartUpload(key: key)
        var parts: [S3UploadedPart] = []
        do {
            // The checksum of other bytes: AWS refuses this part at once (400 BadDigest).
            parts.append(
                try await client.uploadPart(
                    key: key,
                    uploadID: uploadID,
                    partNumber: 1,
                    body: ByteBuffer(bytes: first),
                    checksumSHA256: SHA256.hash(data: second)
                )
            )
        } catch {
            #expect(error.kind == .service && error.status == 400, "refused at upload: \(error)")
            try await client.abortMultipartUpload(key: key, uploadID: uploadID)
            return
        }
        // Moto takes the part (its checksum check is a to-do), but computes the object's composite checksum from
        // the bytes it received, and the client compares it with what the parts declared.
        parts.append(try await client.uploadPart(key: key, uploadID: uploadID, partNumber: 2, body: ByteBuffer(bytes: second)))
        do {
            _ = try await client.completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
            Issue.record("a part with a wrong checksum was accepted all the way")
        } catch {
            #expect(error.kind == .checksumMismatch, "\(error)")
        }
        #expect(try await client.headObject(key: key) == nil, "the mismatching object is not left behind")
    }

    @Test func anAbortedUploadLeavesNothing() async throws {
        let writer = try S3MultipartWriter(client: client, key: "aborted", partSize: S3MultipartWriter.minimumPartSize)
        try await writer.write(TestBytes.random(2 * S3MultipartWriter.minimumPartSize + 10))
        let open = try await client.listMultipartUploads()
        #expect(open.map(\.key) == ["aborted"], "two parts sent, the upload is open")
        await writer.abort()
        #expect(try await client.listMultipartUploads().isEmpty)
        #expect(try await client.headObject(key: "aborted") == nil)
        await #expect(throws: S3Error.self) { try await writer.finish() }
    }

    @Test func staleUploadsAreSwept() async throws {
        let kept = server.client(keyPrefix: "elsewhere-\(UUID().uuidString.prefix(8))/")
        let keptID = try await kept.createMultipartUpload(key: "other")
        let first = try await client.createMultipartUpload(key: "stale/one")
        _ = try await client.createMultipartUpload(key: "stale/two")
        let listed = try await client.listMultipartUploads(prefix: "stale/")
        #expect(Set(listed.map(\.key)) == ["stale/one", "stale/two"], "only this prefix, keys relative to it")
        #expect(listed.first { $0.uploadID == first }?.initiated != nil)
        // Moto dates every upload 2010-11-10: none is younger than the epoch, both are older than a day.
        #expect(try await client.abortMultipartUploads(startedBefore: Date(timeIntervalSince1970: 0)) == 0)
        #expect(try await client.abortMultipartUploads(startedBefore: Date().addingTimeInterval(-86_400)) == 2)
        #expect(try await client.listMultipartUploads().isEmpty)
        #expect(try await kept.listMultipartUploads().map(\.uploadID) == [keptID], "another prefix's upload is left alone")
        try await kept.abortMultipartUpload(key: "other", uploadID: keptID)
    }

    @Test func prefixesSeparateKeys() async throws {
        let tenant = server.client(keyPrefix: "tenant-\(UUID().uuidString.prefix(8))/7")
        _ = try await tenant.putObject(key: "blob", data: Data("seven".utf8))
        let root = server.client()
        #expect(try await root.getObject(key: "\(tenant.configuration.keyPrefix)blob").data == Data("seven".utf8))
        #expect(tenant.configuration.keyPrefix.hasSuffix("/7/"))
    }

    @Test func theBucketCheckTellsAMissingBucketFromRefusedCredentials() async throws {
        try await client.checkBucket()

        do {
            try await server.client(bucket: "no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())").checkBucket()
            Issue.record("a missing bucket passed")
        } catch {
            #expect(error.isNoSuchBucket && !error.isAccessDenied, "\(error)")
            #expect(error.description.contains("does not exist"))
        }

        let wrongSecret = S3Credentials(accessKeyID: server.credentials.accessKeyID, secretAccessKey: "not-the-secret")
        do {
            try await server.client(credentials: wrongSecret).checkBucket()
            Issue.record("a wrong secret passed")
        } catch {
            #expect(error.isAccessDenied && !error.isNoSuchBucket, "\(error)")
            #expect(error.attempts == 1, "a refusal is not retried")
            #expect(!error.description.contains("not-the-secret"))
        }

        do {
            try await server.client(credentials: S3Credentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "x")).checkBucket()
            Issue.record("an unknown key passed")
        } catch {
            #expect(error.isAccessDenied, "\(error)")
        }

        // With a body to read, the server says why: the signature it computed is not the one sent.
        do {
            _ = try await server.client(credentials: wrongSecret).getObject(key: "anything")
            Issue.record("a wrong secret read an object")
        } catch {
            #expect(error.status == 403 && error.code == "SignatureDoesNotMatch", "\(error)")
        }
    }
}
