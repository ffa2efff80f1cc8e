import Foundation

/// JSON text for the bodies the fake writes, and reading of the tool inputs a test scripts.
enum JSONText {
    /// `value` (dictionaries, arrays, strings, numbers, `Bool`, `NSNull`) as compact JSON.
    static func encode(_ value: Any) -> String {
        // Every value comes from this module's own dictionaries, so serialising cannot fail.
        let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// A scripted tool input, which must be a JSON object.
    static func object(_ text: String) throws -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw NotAnObject(text: text)
        }
        return object
    }

    /// A scripted tool input that is not a JSON object; the fake answers 500 `api_error` with this text.
    struct NotAnObject: Error, CustomStringConvertible {
        let text: String
        var description: String { "the scripted tool input is not a JSON object: \(text.prefix(200))" }
    }
}
