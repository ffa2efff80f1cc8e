import Foundation
import TestSupport
import Testing

@testable import S3

/// `SigV4Signer` against botocore's own signers: `sigv4_reference.py` signs a set of requests with
/// `S3SigV4Auth` / `S3SigV4QueryAuth` (fixed credentials, fixed clock) and prints them; each is signed again
/// here and must come out the same, byte for byte.
@Suite(.enabled(if: TestEnvironment.available(MotoServer.isInstalled)))
struct SigV4ReferenceTests {
    struct Case: Decodable {
        var name: String
        var kind: String
        var method: String
        var scheme: String
        var host: String
        var path: String
        var region: String
        var query: [[String]]
        var headers: [[String]]
        var body: String?
        var unsigned: Bool?
        var token: String?
        var expires: Int?
        var access_key: String
        var secret_key: String
        var epoch: Double
        var expected_authorization: String?
        var expected_payload_hash: String?
        var expected_date: String?
        var expected_url: String?

        var signer: SigV4Signer {
            SigV4Signer(credentials: S3Credentials(accessKeyID: access_key, secretAccessKey: secret_key, sessionToken: token), region: region)
        }

        var request: SigV4Request {
            SigV4Request(
                method: method,
                scheme: scheme,
                host: host,
                path: path,
                query: query.map { (name: $0[0], value: $0[1]) },
                headers: headers.map { (name: $0[0], value: $0[1]) }
            )
        }
    }

    static func referenceCases() throws -> [Case] {
        let python = try #require(MotoServer.python)
        let process = Process()
        process.executableURL = URL(filePath: python)
        process.arguments = [TestEnvironment.repositoryRoot.appending(path: "Tests/S3Tests/sigv4_reference.py").path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try JSONDecoder().decode([Case].self, from: data)
    }

    @Test func headerSignaturesMatchBotocore() throws {
        let cases = try Self.referenceCases().filter { $0.kind == "header" }
        #expect(cases.count >= 7)
        for reference in cases {
            var request = reference.request
            let payloadHash = reference.unsigned == true ? SigV4Signer.unsignedPayload : SigV4Signer.hexSHA256(Data((reference.body ?? "").utf8))
            reference.signer.sign(&request, payloadHash: payloadHash, date: Date(timeIntervalSince1970: reference.epoch))
            #expect(request.header("authorization") == reference.expected_authorization, "\(reference.name)")
            #expect(request.header("x-amz-content-sha256") == reference.expected_payload_hash, "\(reference.name)")
            #expect(request.header("x-amz-date") == reference.expected_date, "\(reference.name)")
            #expect(request.header("x-amz-security-token") == reference.token, "\(reference.name)")
        }
    }

    @Test func presignedURLsMatchBotocore() throws {
        let cases = try Self.referenceCases().filter { $0.kind == "presign" }
        #expect(cases.count >= 2)
        for reference in cases {
            let ours = reference.signer.presignedURL(
                for: reference.request,
                expires: try #require(reference.expires),
                date: Date(timeIntervalSince1970: reference.epoch)
            )
            let theirs = try #require(reference.expected_url)
            // The same URL but for the order of the query's parameters (botocore puts the token last but one,
            // we keep the canonical order): compared piece by piece, exactly.
            let split = { (url: String) -> (String, [String]) in
                let parts = url.split(separator: "?", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? parts[1].split(separator: "&").map(String.init).sorted() : [])
            }
            #expect(split(ours).0 == split(theirs).0, "\(reference.name)")
            #expect(split(ours).1 == split(theirs).1, "\(reference.name)")
            let signature = try #require(theirs.components(separatedBy: "&X-Amz-Signature=").last)
            #expect(ours.hasSuffix("&X-Amz-Signature=\(signature)"), "\(reference.name)")
        }
    }
}
