import Crypto
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import S3

/// The XML answers, error classification and the retry policy, without I/O.
struct S3ParsingTests {
    @Test func errorAnswers() throws {
        let body = Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>
            """.utf8
        )
        #expect(S3ErrorAnswer.looksLikeError(body))
        let answer = try #require(S3ErrorAnswer(parsing: body))
        #expect(answer.code == "SlowDown" && answer.message == "Please reduce your request rate.")
        #expect(!S3ErrorAnswer.looksLikeError(Data("<CompleteMultipartUploadResult/>".utf8)))
        #expect(S3ErrorAnswer(parsing: Data("not xml".utf8)) == nil)
    }

    @Test func completeAnswer() throws {
        let body = Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Location>https://b.s3.amazonaws.com/k</Location><Bucket>b</Bucket><Key>k</Key>
              <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag><ChecksumSHA256>abc=-9</ChecksumSHA256>
            </CompleteMultipartUploadResult>
            """.utf8
        )
        let completed = try #require(S3PutResult(parsing: body))
        #expect(completed.etag == "3858f62230ac3c915f300c664312c11f-9")
        #expect(completed.checksumSHA256 == "abc=-9")
    }

    @Test func uploadListing() throws {
        let body = Data(
            """
            <ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Bucket>b</Bucket><IsTruncated>true</IsTruncated>
              <NextKeyMarker>p/b</NextKeyMarker><NextUploadIdMarker>id-2</NextUploadIdMarker>
              <Upload><Key>p/a &amp; b</Key><UploadId>id-1</UploadId><Initiated>2010-11-10T20:48:33.000Z</Initiated></Upload>
              <Upload><Key>p/b</Key><UploadId>id-2</UploadId><Initiated>2010-11-10T20:49:33Z</Initiated></Upload>
            </ListMultipartUploadsResult>
            """.utf8
        )
        let page = try #require(S3MultipartUploadPage(parsing: body))
        #expect(page.isTruncated && page.nextKeyMarker == "p/b" && page.nextUploadIDMarker == "id-2")
        #expect(page.uploads.map(\.key) == ["p/a & b", "p/b"])
        #expect(page.uploads.map(\.initiated) == [Date(timeIntervalSince1970: 1_289_422_113), Date(timeIntervalSince1970: 1_289_422_173)])
    }

    @Test func compositeChecksum() {
        // S3's composite: SHA-256 over the parts' raw SHA-256 digests, base64, then "-N".
        func digest(_ data: Data) -> Data { Data(SHA256.hash(data: data)) }
        let one = digest(Data("one".utf8)).base64EncodedString()
        let two = digest(Data("two".utf8)).base64EncodedString()
        let expected = digest(digest(Data("one".utf8)) + digest(Data("two".utf8))).base64EncodedString() + "-2"
        let parts = [S3UploadedPart(partNumber: 2, etag: "b", checksumSHA256: two), S3UploadedPart(partNumber: 1, etag: "a", checksumSHA256: one)]
        #expect(S3UploadedPart.compositeChecksum(of: parts) == expected)
        #expect(S3UploadedPart.compositeChecksum(of: [S3UploadedPart(partNumber: 1, etag: "a", checksumSHA256: nil)]) == nil)
    }

    @Test func whatIsRetried() {
        #expect(S3Error(.service, status: 503, code: "SlowDown", "").isRetryable)
        #expect(S3Error(.service, status: 500, code: nil, "").isRetryable)
        #expect(S3Error(.service, status: 400, code: "RequestTimeout", "").isRetryable)
        #expect(S3Error(.service, status: 200, code: "InternalError", "").isRetryable)
        #expect(S3Error(.service, status: 429, code: nil, "").isRetryable)
        #expect(S3Error(.transport, "connection refused").isRetryable)
        #expect(!S3Error(.service, status: 403, code: "SignatureDoesNotMatch", "").isRetryable)
        #expect(!S3Error(.service, status: 404, code: "NoSuchKey", "").isRetryable)
        #expect(!S3Error(.cancelled, "").isRetryable)
        #expect(!S3Error(.checksumMismatch, "").isRetryable)
    }

    @Test func retriesWhatCanBeRetriedAndNoMore() async throws {
        let policy = S3RetryPolicy(maximumAttempts: 4, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(4))
        let calls = Atomic(0)
        let value = try await policy.run("test", logger: TestEnvironment.logger) { () async throws(S3Error) -> Int in
            if calls.add(1, ordering: .relaxed).newValue < 3 { throw S3Error(.service, status: 503, code: "SlowDown", "slow down") }
            return 42
        }
        #expect(value == 42 && calls.load(ordering: .relaxed) == 3)

        calls.store(0, ordering: .relaxed)
        do {
            _ = try await policy.run("test", logger: TestEnvironment.logger) { () async throws(S3Error) -> Int in
                calls.add(1, ordering: .relaxed)
                throw S3Error(.transport, "refused")
            }
        } catch {
            #expect(error.attempts == 4 && error.operation == "test")
        }
        #expect(calls.load(ordering: .relaxed) == 4)

        calls.store(0, ordering: .relaxed)
        await #expect(throws: S3Error.self) {
            _ = try await policy.run("test", logger: TestEnvironment.logger) { () async throws(S3Error) -> Int in
                calls.add(1, ordering: .relaxed)
                throw S3Error(.service, status: 403, code: "AccessDenied", "no")
            }
        }
        #expect(calls.load(ordering: .relaxed) == 1, "a refusal is not retried")
    }

    @Test func backoffGrowsWithJitterUpToItsCeiling() {
        let policy = S3RetryPolicy(initialDelay: .milliseconds(100), maximumDelay: .seconds(1))
        for _ in 0..<50 {
            #expect((Duration.milliseconds(50)...Duration.milliseconds(100)).contains(policy.delay(after: 1)))
            #expect((Duration.milliseconds(200)...Duration.milliseconds(400)).contains(policy.delay(after: 3)))
            #expect((Duration.milliseconds(500)...Duration.seconds(1)).contains(policy.delay(after: 12)))
        }
        let delays = Set((0..<20).map { _ in policy.delay(after: 2) })
        #expect(delays.count > 1, "jittered")
    }
}
