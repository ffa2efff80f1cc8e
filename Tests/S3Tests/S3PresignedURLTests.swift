import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

@testable import S3

/// A presigned URL fetched with a plain HTTP client, no credentials. Moto answers 500 to presigned URLs when
/// it checks signatures, so this suite has a server that does not; the signature itself is checked against
/// botocore's (`SigV4ReferenceTests`) and AWS's published example (`SigV4SignerTests`).
@Suite(.enabled(if: TestEnvironment.available(MotoServer.isInstalled)), .motoServer(authenticated: false), .timeLimit(.minutes(10)))
struct S3PresignedURLTests {
    @Test func aPresignedURLFetchesTheObject() async throws {
        let server = try #require(MotoServer.current)
        let client = server.client(keyPrefix: "presigned/")
        let key = "reels/été 2026/final cut+1.mp4"
        let bytes = TestBytes.random(50_000)
        _ = try await client.putObject(key: key, data: bytes)

        let now = Date()
        let url = try client.presignedGetURL(key: key, expires: .seconds(120), date: now)
        let query = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems)
        let value = { (name: String) in query.first { $0.name == name }?.value }
        #expect(value("X-Amz-Expires") == "120" && value("X-Amz-SignedHeaders") == "host")
        #expect(value("X-Amz-Date") == AmzDate(now).dateTime)
        #expect(value("X-Amz-Credential") == "\(server.credentials.accessKeyID)/\(AmzDate(now).date)/us-east-1/s3/aws4_request")
        #expect(url.absoluteString.contains("/presigned/reels/%C3%A9t%C3%A9%202026/final%20cut%2B1.mp4?"))

        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .GET
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        #expect(response.status.code == 200)
        #expect(try await response.body.collect(upTo: 1 << 20).data == bytes)

        #expect(throws: S3Error.self) { try client.presignedGetURL(key: key, expires: .seconds(8 * 86_400)) }
        #expect(throws: S3Error.self) { try client.presignedGetURL(key: key, expires: .zero) }
    }
}
