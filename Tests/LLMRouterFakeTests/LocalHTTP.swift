import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Plain HTTP requests to the fake on 127.0.0.1, for the wire-format tests that need no SDK.
enum LocalHTTP {
    struct Answer: Sendable {
        let status: Int
        let contentType: String?
        let retryAfter: String?
        let body: Data

        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        var text: String { String(decoding: body, as: UTF8.self) }

        /// The `data:` payloads of a server-sent-event body, in order.
        var eventData: [String] {
            text.components(separatedBy: "\n").filter { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        }

        /// The `event:` names of a server-sent-event body, in order.
        var eventNames: [String] {
            text.components(separatedBy: "\n").filter { $0.hasPrefix("event: ") }.map { String($0.dropFirst(7)) }
        }
    }

    /// Sends one request; `json` (when given) is the body, with `content-type: application/json`.
    static func send(
        _ method: String,
        _ url: String,
        headers: [String: String] = [:],
        json: [String: Any]? = nil
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 120
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "content-type")
        }
        let (body, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        return Answer(
            status: http.statusCode,
            contentType: http.value(forHTTPHeaderField: "content-type"),
            retryAfter: http.value(forHTTPHeaderField: "retry-after"),
            body: body
        )
    }
}
