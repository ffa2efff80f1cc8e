import Foundation
import NIOHTTP1
import Testing

@testable import S3

/// `S3Configuration.fromEnvironment` and addressing, without I/O.
struct S3ConfigurationTests {
    static let keys = ["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "top-secret"]

    @Test func localStoreWhenUnsetOrFile() throws {
        #expect(try S3Configuration.fromEnvironment([:]) == nil)
        #expect(try S3Configuration.fromEnvironment(["BLOB_STORE_URL": ""]) == nil)
        #expect(try S3Configuration.fromEnvironment(["BLOB_STORE_URL": "file:///var/lib/drsocial/blobs"]) == nil)
    }

    @Test func readsEverything() throws {
        let configuration = try #require(
            try S3Configuration.fromEnvironment(
                Self.keys.merging([
                    "BLOB_STORE_URL": "s3://media-bucket/drsocial/prod",
                    "S3_ENDPOINT": "http://127.0.0.1:9000",
                    "S3_REGION": "eu-west-3",
                    "S3_FORCE_PATH_STYLE": "true",
                    "AWS_SESSION_TOKEN": "session",
                ]) { $1 }
            )
        )
        #expect(configuration.bucket == "media-bucket")
        #expect(configuration.keyPrefix == "drsocial/prod/")
        #expect(configuration.endpoint == URL(string: "http://127.0.0.1:9000"))
        #expect(configuration.region == "eu-west-3")
        #expect(configuration.forcePathStyle)
        #expect(configuration.credentials == S3Credentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "top-secret", sessionToken: "session"))
    }

    @Test func defaults() throws {
        let configuration = try #require(try S3Configuration.fromEnvironment(Self.keys.merging(["BLOB_STORE_URL": "s3://bucket"]) { $1 }))
        #expect(configuration.keyPrefix == "")
        #expect(configuration.region == "us-east-1")
        #expect(configuration.endpoint == nil)
        #expect(configuration.baseURL.absoluteString == "https://s3.us-east-1.amazonaws.com")
        #expect(!configuration.forcePathStyle && !configuration.usesPathStyle)
        #expect(configuration.credentials.sessionToken == nil)
    }

    @Test func missingCredentialsAreNamed() {
        do {
            _ = try S3Configuration.fromEnvironment(["BLOB_STORE_URL": "s3://bucket/p", "AWS_ACCESS_KEY_ID": "AKIA"])
            Issue.record("no error")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("AWS_SECRET_ACCESS_KEY") && !error.message.contains("AWS_ACCESS_KEY_ID and"))
        }
        do {
            _ = try S3Configuration.fromEnvironment(["BLOB_STORE_URL": "s3://bucket"])
            Issue.record("no error")
        } catch {
            #expect(error.message.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"))
        }
    }

    @Test func refusesWhatItCannotUse() {
        for environment in [
            ["BLOB_STORE_URL": "gs://bucket"],
            ["BLOB_STORE_URL": "s3:///prefix"],
            ["BLOB_STORE_URL": "s3://bucket", "S3_ENDPOINT": "ftp://host"],
            ["BLOB_STORE_URL": "s3://bucket", "S3_FORCE_PATH_STYLE": "maybe"],
        ] {
            #expect(throws: S3Error.self, "\(environment)") { try S3Configuration.fromEnvironment(environment.merging(Self.keys) { $1 }) }
        }
        // A key pasted into the URL by mistake is refused, and not repeated.
        do {
            _ = try S3Configuration.fromEnvironment(Self.keys.merging(["BLOB_STORE_URL": "s3://AKIAX:hunter2@bucket/p"]) { $1 })
            Issue.record("no error")
        } catch {
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func addressing() {
        let credentials = S3Credentials(accessKeyID: "a", secretAccessKey: "s")
        let aws = S3Client(configuration: S3Configuration(region: "eu-west-1", bucket: "media", keyPrefix: "/p/q/", credentials: credentials))
        let virtual = aws.makeRequest(.GET, storeKey: aws.storeKey("a b.jpg"))
        #expect(virtual.url == "https://media.s3.eu-west-1.amazonaws.com/p/q/a%20b.jpg")
        #expect(virtual.host == "media.s3.eu-west-1.amazonaws.com")
        #expect(aws.makeRequest(.HEAD, storeKey: nil).url == "https://media.s3.eu-west-1.amazonaws.com/")

        let minio = S3Client(
            configuration: S3Configuration(endpoint: URL(string: "http://10.0.0.5:9000"), forcePathStyle: true, bucket: "media", credentials: credentials)
        )
        let path = minio.makeRequest(.PUT, storeKey: "k~+", query: [(name: "partNumber", value: "1")])
        #expect(path.url == "http://10.0.0.5:9000/media/k~%2B?partNumber=1")
        #expect(path.host == "10.0.0.5:9000")
        #expect(minio.makeRequest(.HEAD, storeKey: nil).url == "http://10.0.0.5:9000/media")

        // A dotted bucket over HTTPS: no wildcard certificate covers it, so it goes in the path.
        let dotted = S3Client(configuration: S3Configuration(bucket: "media.example.com", credentials: credentials))
        #expect(dotted.makeRequest(.GET, storeKey: "k").url == "https://s3.us-east-1.amazonaws.com/media.example.com/k")
        #expect(!"\(dotted)".contains("\"s\""))
    }
}
