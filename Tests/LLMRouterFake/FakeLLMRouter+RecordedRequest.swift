public import Foundation

extension FakeLLMRouter {
    /// One request as the fake received it.
    public struct RecordedRequest: Sendable {
        /// `GET`, `POST`, …
        public var method: String
        /// The path without the query string, such as `/v1/messages`.
        public var path: String
        /// Header names lower-cased; repeated headers joined with `, `.
        public var headers: [String: String]
        public var body: Data

        public init(method: String, path: String, headers: [String: String], body: Data) {
            self.method = method
            self.path = path
            self.headers = headers
            self.body = body
        }

        /// The body decoded as a JSON object; nil when it is empty or not a JSON object.
        /// Decoded on each use, so that the request stays `Sendable`.
        public var json: [String: Any]? {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        }
    }
}
