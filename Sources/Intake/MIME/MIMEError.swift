/// Why an e-mail could not be parsed. The message names the limit or the problem, never the e-mail's contents.
public struct MIMEError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable { case tooManyParts, tooDeep, unparseable }
    private let code: Code
    public let description: String

    /// The message has more MIME parts than `limit`.
    public static func tooManyParts(_ limit: Int) -> MIMEError {
        MIMEError(code: .tooManyParts, description: "the e-mail has more than \(limit) MIME parts")
    }
    /// The message nests MIME parts deeper than `limit`.
    public static func tooDeep(_ limit: Int) -> MIMEError {
        MIMEError(code: .tooDeep, description: "the e-mail nests MIME parts more than \(limit) levels deep")
    }
    /// GMime found no message in the bytes (empty input, or no header at all).
    public static let unparseable = MIMEError(code: .unparseable, description: "the data is not an e-mail message GMime can parse")
}
