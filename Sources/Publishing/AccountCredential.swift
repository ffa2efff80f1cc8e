/// An account's credential at its backend (an OAuth token for the MCP channel, session cookies for a device
/// hub), resolved from `accounts.vault_ref` just before a publish. Never printed: its description is redacted.
public struct AccountCredential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<credential>" }
    public var debugDescription: String { "<credential>" }
}
