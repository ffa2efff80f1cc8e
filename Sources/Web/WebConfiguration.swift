/// Settings of the HTTP server.
public struct WebConfiguration: Sendable {
    /// Address to bind (`HTTP_HOST`). Default 127.0.0.1.
    public var host: String
    /// Port to bind (`HTTP_PORT`). Default 8080.
    public var port: Int
    /// The operators' shared secret (`OPS_TOKEN`), accepted as a bearer token or from the login form.
    public var opsToken: String

    public init(host: String = "127.0.0.1", port: Int = 8080, opsToken: String) {
        self.host = host
        self.port = port
        self.opsToken = opsToken
    }
}
