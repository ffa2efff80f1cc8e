import Foundation
public import HTTPTypes
public import Hummingbird

/// A request refused for going too fast: `429 Too Many Requests` with `Retry-After` in seconds and a short body
/// (JSON for the API and the portal's scripts, text otherwise).
public struct RateLimitError: Error, CustomStringConvertible, HTTPResponseError {
    /// Seconds until the next request of the same key passes.
    public let retryAfterSeconds: Int
    /// Whether the body is `{"error": …}` JSON.
    public let json: Bool

    /// - Parameters:
    ///   - retryAfterSeconds: Seconds until a retry passes (at least 1).
    ///   - json: JSON body instead of text.
    public init(retryAfterSeconds: Int, json: Bool) {
        self.retryAfterSeconds = max(1, retryAfterSeconds)
        self.json = json
    }

    public var description: String { "too many requests: try again in \(retryAfterSeconds) s" }

    public var status: HTTPResponse.Status { .tooManyRequests }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = json ? #"{"error":"\#(description)"}"# : description + "\n"
        return Response(
            status: .tooManyRequests,
            headers: [
                .retryAfter: String(retryAfterSeconds),
                .contentType: json ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: .init(string: body))
        )
    }
}
