public import Foundation

/// Where the objects live and how to reach them: the endpoint, region, addressing, bucket, key prefix and
/// credentials. Read from the environment with `fromEnvironment(_:)`.
public struct S3Configuration: Sendable, Equatable, CustomStringConvertible {
    /// The store's base URL (`S3_ENDPOINT`, as `http://127.0.0.1:9000`); nil means AWS,
    /// `https://s3.<region>.amazonaws.com`.
    public var endpoint: URL?
    /// The region in the signature's scope (`S3_REGION`); default `us-east-1`.
    public var region: String
    /// Address the bucket in the path (`https://host/bucket/key`) instead of the host name
    /// (`https://bucket.host/key`) (`S3_FORCE_PATH_STYLE`); default false. MinIO and most self-hosted stores
    /// want it. A bucket name with a dot is always addressed in the path over HTTPS (no certificate covers it).
    public var forcePathStyle: Bool
    /// The bucket (`BLOB_STORE_URL=s3://bucket/…`).
    public var bucket: String
    /// Put before every key the client is given: empty, or ending with `/` (`BLOB_STORE_URL=s3://bucket/prefix`).
    public var keyPrefix: String
    public var credentials: S3Credentials

    public init(
        endpoint: URL? = nil,
        region: String = "us-east-1",
        forcePathStyle: Bool = false,
        bucket: String,
        keyPrefix: String = "",
        credentials: S3Credentials
    ) {
        self.endpoint = endpoint
        self.region = region
        self.forcePathStyle = forcePathStyle
        self.bucket = bucket
        self.keyPrefix = Self.normalisedPrefix(keyPrefix)
        self.credentials = credentials
    }

    /// The endpoint requests go to: `endpoint`, or AWS's for the region.
    public var baseURL: URL { endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")! }

    /// Whether requests name the bucket in the path rather than in the host.
    public var usesPathStyle: Bool {
        forcePathStyle || (bucket.contains(".") && baseURL.scheme == "https")
    }

    public var description: String {
        "s3://\(bucket)/\(keyPrefix) at \(baseURL.absoluteString) (\(region), \(usesPathStyle ? "path-style" : "virtual-hosted"), \(credentials))"
    }

    /// An empty prefix, or one that ends with exactly one `/` and does not start with one.
    static func normalisedPrefix(_ prefix: String) -> String {
        let trimmed = prefix.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
        return trimmed.isEmpty ? "" : trimmed + "/"
    }
}
