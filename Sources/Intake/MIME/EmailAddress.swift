/// One mailbox from an address header: `Aurora Lee <aurora@example.com>`.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The display name, decoded to UTF-8; nil when the header gave none.
    public var name: String?
    /// The address as the sender wrote it (`Aurora@Example.com`).
    public var address: String

    /// The address lower-cased, for comparing and looking up (`aurora@example.com`).
    public var normalized: String { address.lowercased() }

    public var description: String {
        guard let name, !name.isEmpty else { return address }
        return "\(name) <\(address)>"
    }
}
