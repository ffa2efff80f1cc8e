public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a running daemon's pages as operators and talents do: with the operator token, or with a portal
/// session (and its CSRF token for state changes). Redirects are not followed, so a page answers for itself.
public struct PageClient: Sendable {
    /// An answer: its status and its body as text.
    public struct Page: Sendable {
        public let status: Int
        public let text: String
    }

    public let base: String
    public let opsToken: String

    public init(base: String, opsToken: String) {
        self.base = base
        self.opsToken = opsToken
    }

    /// `GET path` with the operator token, or with `session` (a portal session token) or `bearer` instead.
    public func get(_ path: String, session: String? = nil, bearer: String? = nil) async throws -> Page {
        var request = URLRequest(url: URL(string: base + path)!)
        request.setValue("Bearer \(session ?? bearer ?? opsToken)", forHTTPHeaderField: "Authorization")
        return try await send(request)
    }

    /// `POST path` in a portal session with its CSRF token and a JSON body.
    public func post(_ path: String, session: String, csrf: String, json: [String: String] = [:]) async throws -> Page {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(session)", forHTTPHeaderField: "Authorization")
        request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(json)
        return try await send(request)
    }

    /// `POST path` as the portal's form sends it: `multipart/form-data` with `fields` and one file.
    public func upload(_ path: String, session: String, csrf: String, fields: [String: String], file: URL) async throws -> Page {
        let boundary = "drsocial-test-\(UUID().uuidString)"
        var body = Data()
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Data(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\(file.lastPathComponent)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8
        )
        body += try Data(contentsOf: file)
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("Bearer \(session)", forHTTPHeaderField: "Authorization")
        request.setValue(csrf, forHTTPHeaderField: "X-CSRF-Token")
        request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        return try await send(request)
    }

    /// A portal upload as the browser makes it: the portal page for `session`'s CSRF token, then the form with
    /// `prompt`, the target `account` and `file`. The upload's answer (201 when the request was recorded).
    public func portalUpload(session: String, prompt: String, account: UUID, file: URL) async throws -> Page {
        let page = try await get("/me/", session: session)
        guard let csrf = Self.csrf(in: page.text) else { return page }
        return try await upload(
            "/me/requests", session: session, csrf: csrf, fields: ["account": account.uuidString.lowercased(), "prompt": prompt], file: file
        )
    }

    /// The CSRF token a portal page carries in its `csrf-token` meta tag.
    public static func csrf(in page: String) -> String? {
        page.firstMatch(of: #/name="csrf-token" content="([^"]+)"/#).map { String($0.1) }
    }

    private func send(_ request: URLRequest) async throws -> Page {
        let (data, response) = try await URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil).data(for: request)
        return Page(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self))
    }
}

/// Keeps a redirect as the answer.
private final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
