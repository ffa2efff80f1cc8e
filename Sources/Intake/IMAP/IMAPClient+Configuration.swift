extension IMAPClient {
    /// Where the IMAP server is and how to log in.
    ///
    /// ```swift
    /// let configuration = IMAPClient.Configuration(
    ///     url: "imap://127.0.0.1:1143/INBOX", user: "intake", password: secret)
    /// ```
    public struct Configuration: Sendable {
        /// `imap://host:port/MAILBOX` or `imaps://host:port/MAILBOX`: scheme, host, port and the default
        /// mailbox (`INBOX` when the path is empty). Credentials do not belong in it.
        public var url: String
        /// The login name.
        public var user: String
        /// The password; it never appears in errors or logs.
        public var password: String
        /// How long connecting and logging in may take, in seconds.
        public var connectTimeoutSeconds = 10
        /// How long one operation (a fetch, an append …) may take, in seconds.
        public var operationTimeoutSeconds = 60
        /// Whether the server's TLS certificate and host name are checked.
        public var verifyTLS = true
        /// A PEM file of trusted certificates instead of the system store.
        public var caInfoPath: String?

        /// The server and login with the defaults above, changed by `adjust`.
        public init(url: String, user: String, password: String, _ adjust: (inout Self) -> Void = { _ in }) {
            self.url = url
            self.user = user
            self.password = password
            adjust(&self)
        }
    }
}

extension IMAPClient.Configuration: CustomStringConvertible {
    /// The configuration without its password.
    public var description: String {
        "IMAPClient.Configuration(url: \(url), user: \(user), password: <redacted>, connectTimeoutSeconds: \(connectTimeoutSeconds), "
            + "operationTimeoutSeconds: \(operationTimeoutSeconds), verifyTLS: \(verifyTLS), caInfoPath: \(caInfoPath ?? "nil"))"
    }
}
