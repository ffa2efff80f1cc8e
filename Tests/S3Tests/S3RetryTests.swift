import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import S3

/// The client's retries against `flaky_s3.py`, a fake endpoint that fails on purpose the ways S3 does and moto
/// cannot be made to: 503 `SlowDown`, a dropped connection, and `CompleteMultipartUpload` answering 200 with an
/// `<Error>` body. Each test has a fake of its own.
@Suite(.enabled(if: TestEnvironment.available(MotoServer.python != nil)), .timeLimit(.minutes(10)))
final class S3RetryTests {
    let process = Process()
    let client: S3Client
    let port: Int

    init() throws {
        let python = try #require(MotoServer.python)
        process.executableURL = URL(filePath: python)
        process.arguments = [TestEnvironment.repositoryRoot.appending(path: "Tests/S3Tests/flaky_s3.py").path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let line = try #require(output.fileHandleForReading.readLine(), "flaky_s3.py did not start")
        port = try #require(Int(line.replacingOccurrences(of: "ready ", with: "")))
        client = S3Client(
            configuration: S3Configuration(
                endpoint: URL(string: "http://127.0.0.1:\(port)"),
                forcePathStyle: true,
                bucket: "b",
                credentials: S3Credentials(accessKeyID: "AKIAFAKE", secretAccessKey: "fake")
            ),
            retry: S3RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50)),
            logger: TestEnvironment.logger
        )
    }

    deinit {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stats() async throws -> [String: Any] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/_stats"), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
    }

    @Test func slowDownIsRetriedWithTheSameBody() async throws {
        let bytes = TestBytes.random(300_000)
        let put = try await client.putObject(key: "slow", data: bytes)
        #expect(put.etag == "etag-slow")
        let bodies = try #require(try await stats()["slow"] as? [String])
        #expect(bodies == Array(repeating: TestBytes.sha256(bytes), count: 3), "two 503s, then the same bytes accepted")
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        #expect(try await client.getObject(key: "dropped").data == Data("fine".utf8))
        #expect(try await stats()["dropped"] as? Int == 2)
    }

    @Test func anErrorInsideA200CompleteAnswerIsAnError() async throws {
        let part = S3UploadedPart(partNumber: 1, etag: "e1", checksumSHA256: nil)
        // InternalError: retried, and the second answer is the real one.
        let completed = try await client.completeMultipartUpload(key: "late", uploadID: "u", parts: [part])
        #expect(completed.etag == "etag-late-1")
        #expect(try await stats()["late"] as? Int == 2)

        // AccessDenied: not retried, and not taken for a success.
        do {
            _ = try await client.completeMultipartUpload(key: "denied", uploadID: "u", parts: [part])
            Issue.record("an <Error> answer was taken for a completed upload")
        } catch {
            #expect(error.status == 200 && error.code == "AccessDenied" && error.attempts == 1, "\(error)")
        }
        #expect(try await stats()["denied"] as? Int == 1)
    }

    /// A store may send nothing for minutes while it assembles a large object: the completion waits past the
    /// client's per-exchange deadline (here 1 s, against the fake's 3 s of silence) instead of timing out and
    /// retrying an upload the store is still completing.
    @Test func aCompletionWaitsWhileTheStoreAssemblesTheObject() async throws {
        let impatient = S3Client(
            configuration: client.configuration,
            retry: S3RetryPolicy(maximumAttempts: 2, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50)),
            requestTimeout: .seconds(1),
            logger: TestEnvironment.logger
        )
        let part = S3UploadedPart(partNumber: 1, etag: "e1", checksumSHA256: nil)
        let completed = try await impatient.completeMultipartUpload(key: "assembling", uploadID: "u", parts: [part])
        #expect(completed.etag == "etag-assembled")
        #expect(try await stats()["assembling"] as? Int == 1, "answered once, never retried")
    }

    @Test func notFoundIsNotRetried() async throws {
        do {
            _ = try await client.getObject(key: "missing")
            Issue.record("no error")
        } catch {
            #expect(error.isNotFound && error.code == "NoSuchKey" && error.attempts == 1, "\(error)")
        }
        #expect(try await client.headObject(key: "missing") != nil, "the fake answers every HEAD")
    }
}
