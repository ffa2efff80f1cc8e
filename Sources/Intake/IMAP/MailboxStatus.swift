/// What the server reports about a mailbox without selecting it (IMAP `STATUS`).
public struct MailboxStatus: Sendable, Equatable {
    /// The mailbox's UIDVALIDITY; when it changes, every UID remembered for the mailbox is void.
    public var uidValidity: UInt32
    /// The UID the next message will get, when the server said.
    public var uidNext: UInt32?
    /// How many messages the mailbox holds.
    public var exists: Int
}
