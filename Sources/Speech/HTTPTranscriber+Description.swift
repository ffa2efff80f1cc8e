import Foundation

extension HTTPTranscriber.Configuration: CustomStringConvertible {
    /// Everything but the key (`TRANSCRIBE_API_KEY`), which is never logged or shown.
    public var description: String {
        "HTTPTranscriber.Configuration(url: \(url), apiKey: \(apiKey == nil ? "none" : "<redacted>"), model: \(model), "
            + "timeoutSeconds: \(timeoutSeconds), attempts: \(attempts))"
    }
}
