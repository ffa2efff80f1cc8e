/// Why a post request was not accepted. The message is meant for the person who sent it.
public struct IntakeError: Error, CustomStringConvertible, Equatable {
    private enum Code: Equatable {
        case unknownTalent, unknownPlatform, noAccount, unreadableFile, emptyFile, noTargets, tooLarge, conflict, foreignAccount
    }
    private let code: Code
    public let description: String

    public static func unknownTalent(_ slug: String) -> IntakeError {
        IntakeError(code: .unknownTalent, description: "no talent has the slug '\(slug)'")
    }
    public static func unknownPlatform(_ raw: String) -> IntakeError {
        IntakeError(code: .unknownPlatform, description: "unknown platform '\(raw)' (use IG, TT or LI)")
    }
    public static func noAccount(_ platform: String, slug: String) -> IntakeError {
        IntakeError(code: .noAccount, description: "\(slug) has no active \(platform) account")
    }
    public static func unreadableFile(_ path: String) -> IntakeError {
        IntakeError(code: .unreadableFile, description: "cannot read \(path): it is missing or not readable")
    }
    public static func emptyFile(_ path: String) -> IntakeError {
        IntakeError(code: .emptyFile, description: "\(path) is empty (0 bytes)")
    }
    public static func noTargets(_ slug: String) -> IntakeError {
        IntakeError(code: .noTargets, description: "\(slug) has no active account to post to")
    }
    /// An account named by id is not one of the talent's active accounts.
    public static func foreignAccount(_ slug: String) -> IntakeError {
        IntakeError(code: .foreignAccount, description: "that account is not one of \(slug)'s active accounts")
    }
    public var isForeignAccount: Bool { code == .foreignAccount }
    /// The request collided with another on a unique key other than its intake key.
    public static let conflict = IntakeError(code: .conflict, description: "a request with the same message id already exists")
    public static func tooLarge(_ path: String, limit: Int64) -> IntakeError {
        IntakeError(code: .tooLarge, description: "\(path) is larger than the \(limit / (1 << 20)) MiB limit")
    }
}
