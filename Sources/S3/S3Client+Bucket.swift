import Foundation
import NIOCore
import NIOHTTP1

extension S3Client {
    // MARK: The bucket

    /// Checks that the bucket exists and the credentials may use it (`HEAD` on the bucket), so that a daemon
    /// fails at start-up with a clear message instead of at its first upload.
    /// - Throws: `S3Error` with `isNoSuchBucket` (404), `isAccessDenied` (403: unknown key, wrong secret, or no
    ///   permission on the bucket), code `PermanentRedirect` (301: the bucket is in another region, named in
    ///   the message), or a transport error when the endpoint cannot be reached.
    public func checkBucket() async throws(S3Error) {
        let bucket = configuration.bucket
        let endpoint = configuration.baseURL.absoluteString
        do {
            _ = try await send(.HEAD, storeKey: nil, operation: "HEAD bucket")
        } catch {
            guard error.kind == .service, let status = error.status else { throw error }
            var failure: S3Error
            switch status {
            case 404: failure = S3Error(.service, status: 404, code: "NoSuchBucket", "bucket \(bucket) does not exist at \(endpoint)")
            case 403:
                failure = S3Error(
                    .service,
                    status: 403,
                    code: error.code ?? "AccessDenied",
                    "the store refused access key \(configuration.credentials.accessKeyID) for bucket \(bucket) at \(endpoint): unknown key, wrong secret, or no permission on the bucket"
                )
            case 301:
                failure = S3Error(
                    .service,
                    status: 301,
                    code: "PermanentRedirect",
                    "bucket \(bucket) is not in region \(configuration.region); set S3_REGION to the bucket's region"
                )
            default: throw error
            }
            failure.operation = "HEAD bucket"
            failure.attempts = error.attempts
            throw failure
        }
    }

    /// Creates the bucket (tests and first-time set-up of a self-hosted store; production buckets are made by
    /// whoever owns the account). Outside `us-east-1` the region goes in a `CreateBucketConfiguration`.
    func createBucket() async throws(S3Error) {
        let body = configuration.region == "us-east-1"
            ? nil
            : #"<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>\#(configuration.region)</LocationConstraint></CreateBucketConfiguration>"#
        _ = try await send(.PUT, storeKey: nil, body: body.map { ByteBuffer(string: $0) }, operation: "create bucket")
    }
}
