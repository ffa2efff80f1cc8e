import Crypto
import Foundation
import Testing

@testable import S3

/// The signer against AWS's own published examples (the S3 API reference, "Signature Calculations for the
/// Authorization Header" and "Authenticating Requests: Using Query Parameters"): examplebucket, the example
/// key pair, us-east-1, 24 May 2013 00:00:00 UTC.
struct SigV4SignerTests {
    static let example = SigV4Signer(
        credentials: S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1"
    )
    static let may24 = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = "examplebucket.s3.amazonaws.com"

    static func signature(_ request: SigV4Request) -> String? {
        request.header("authorization")?.components(separatedBy: "Signature=").last
    }

    @Test func getObjectExample() {
        var request = SigV4Request(method: "GET", host: Self.host, path: "/test.txt", headers: [(name: "Range", value: "bytes=0-9")])
        Self.example.sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.may24)
        #expect(
            request.header("authorization")
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
        #expect(request.header("x-amz-date") == "20130524T000000Z")
        request.headers.removeAll { $0.name == "authorization" }
        let (canonical, _) = Self.example.canonicalRequest(request, payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            SigV4Signer.hexSHA256(Data(canonical.utf8)) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
            "the published canonical request's hash"
        )
    }

    @Test func putObjectExample() {
        let body = Data("Welcome to Amazon S3.".utf8)
        let hash = SigV4Signer.hexSHA256(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        var request = SigV4Request(
            method: "PUT",
            host: Self.host,
            path: "/test$file.text",
            headers: [(name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"), (name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY")]
        )
        #expect(request.encodedPath == "/test%24file.text")
        Self.example.sign(&request, payloadHash: hash, date: Self.may24)
        #expect(request.header("authorization")?.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,") == true)
        #expect(Self.signature(request) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func bucketExamples() {
        var lifecycle = SigV4Request(method: "GET", host: Self.host, path: "/", query: [(name: "lifecycle", value: "")])
        Self.example.sign(&lifecycle, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.may24)
        #expect(Self.signature(lifecycle) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
        #expect(lifecycle.url == "https://examplebucket.s3.amazonaws.com/?lifecycle=")

        // Given out of order: the canonical query sorts it.
        var list = SigV4Request(method: "GET", host: Self.host, path: "/", query: [(name: "prefix", value: "J"), (name: "max-keys", value: "2")])
        Self.example.sign(&list, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.may24)
        #expect(Self.signature(list) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func presignedExample() {
        let url = Self.example.presignedURL(for: SigV4Request(method: "GET", host: Self.host, path: "/test.txt"), expires: 86_400, date: Self.may24)
        #expect(
            url
                == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        )
    }

    // MARK: Pieces

    @Test func encodesTheS3Way() {
        #expect(SigV4Signer.uriEncode("/a b/c+d~e_f.g-h/été😀", encodeSlash: false) == "/a%20b/c%2Bd~e_f.g-h/%C3%A9t%C3%A9%F0%9F%98%80")
        #expect(SigV4Signer.uriEncode("a/b=c&d*", encodeSlash: true) == "a%2Fb%3Dc%26d%2A")
        // Nothing is normalised: S3 keys may hold empty or dot segments.
        #expect(SigV4Request(method: "GET", host: "h", path: "/b//./x").encodedPath == "/b//./x")
    }

    @Test func sortsQueryByEncodedNameThenValue() {
        let request = SigV4Request(method: "GET", host: "h", path: "/", query: [(name: "b", value: "2"), (name: "a", value: "z"), (name: "a", value: "y"), (name: "A", value: "")])
        #expect(request.encodedQuery == "A=&a=y&a=z&b=2")
    }

    @Test func trimsHeaderValues() {
        let request = SigV4Request(method: "GET", host: "h", path: "/", headers: [(name: " X-Amz-Meta-A ", value: "  one   two \t three ")])
        #expect(SigV4Signer.canonicalHeaders(request).text == "host:h\nx-amz-meta-a:one two three\n")
    }

    @Test func formatsDatesInUTC() {
        #expect(AmzDate(Date(timeIntervalSince1970: 0)).dateTime == "19700101T000000Z")
        #expect(AmzDate(Self.may24.addingTimeInterval(86_399.9)).dateTime == "20130524T235959Z")
        #expect(AmzDate(Date(timeIntervalSince1970: 951_782_400)).dateTime == "20000229T000000Z")
        #expect(AmzDate(Date(timeIntervalSince1970: 4_102_444_800)).date == "21000101")
    }

    @Test func reSigningReplacesTheEarlierSignature() {
        var request = SigV4Request(method: "GET", host: Self.host, path: "/test.txt", headers: [(name: "Range", value: "bytes=0-9")])
        Self.example.sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Date())
        Self.example.sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.may24)
        #expect(request.headers.filter { $0.name == "authorization" }.count == 1)
        #expect(Self.signature(request) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func secretsStayOutOfDescriptions() {
        let credentials = S3Credentials(accessKeyID: "AKIAVISIBLE", secretAccessKey: "s3cr3t-value", sessionToken: "t0k3n-value")
        let signer = SigV4Signer(credentials: credentials, region: "eu-west-1")
        let configuration = S3Configuration(bucket: "b", credentials: credentials)
        for text in ["\(credentials)", "\(signer)", "\(configuration)", String(reflecting: credentials)] {
            #expect(text.contains("AKIAVISIBLE"))
            #expect(!text.contains("s3cr3t-value") && !text.contains("t0k3n-value"), "\(text)")
        }
    }
}
