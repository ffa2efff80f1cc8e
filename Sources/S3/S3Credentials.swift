/// The keys that sign requests to an S3-compatible store (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`).
///
/// Its `description` shows the access key id only: the secret and the session token never appear in a
/// description, an error or a log line.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    /// The access key id; it names the key and is not secret.
    public var accessKeyID: String
    /// The secret access key.
    public var secretAccessKey: String
    /// A session token, for temporary credentials (sent as `x-amz-security-token`); nil for long-lived keys.
    public var sessionToken: String?

    public var description: String {
        "S3Credentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }
}
