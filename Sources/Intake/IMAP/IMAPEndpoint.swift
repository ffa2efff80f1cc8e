import Foundation

/// The parts of `IMAP_URL` the client needs: the server's base URL, whether it is TLS, and the default mailbox.
struct IMAPEndpoint: Equatable {
    /// `imap://host:port` (no path, no credentials).
    var base: String
    /// True for `imaps://` (TLS from the first byte).
    var implicitTLS: Bool
    /// True when the host is this machine, where a plain-text login never crosses a network.
    var isLoopback: Bool
    /// The percent-decoded path, `INBOX` when empty.
    var defaultMailbox: String

    init(_ url: String) throws(CurlError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "imap" || scheme == "imaps"
        else { throw .invalidRequest("the IMAP URL must start with imap:// or imaps://") }
        guard components.user == nil, components.password == nil else {
            throw .invalidRequest("the IMAP URL must not hold credentials: set user and password instead")
        }
        guard var host = components.percentEncodedHost, !host.isEmpty else {
            throw .invalidRequest("the IMAP URL has no host")
        }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        let port = components.port ?? (scheme == "imaps" ? 993 : 143)
        base = "\(scheme)://\(host):\(port)"
        implicitTLS = scheme == "imaps"
        let bareHost = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        isLoopback = bareHost == "localhost" || bareHost == "::1" || bareHost.hasPrefix("127.")
        var path = components.path
        if let parameters = path.firstIndex(of: ";") { path = String(path[..<parameters]) }
        path = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        defaultMailbox = path.isEmpty ? "INBOX" : path
    }
}
