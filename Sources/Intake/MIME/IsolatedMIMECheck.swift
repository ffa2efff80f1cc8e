public import Foundation

/// Parses a stored message once in a separate process before the daemon parses it itself, so a message
/// that crashes or hangs the MIME library (GMime, C) costs a child process, not the daemon.
///
/// GMime is deterministic: a message the child parsed without dying is parsed in the daemon the same
/// way. The daemon's own count of unfinished parses stays behind it as a second guard.
public protocol IsolatedMIMECheck: Sendable {
    /// - Returns: `.crashed` with words for operators when the child died or hung on the message;
    ///   `.survived` when it finished (whether or not the message could be read);
    ///   `.unavailable` when the check itself could not run (the daemon then parses under its own guard).
    func check(rawMessage file: URL, limits: MIMELimits) async -> IsolatedMIMECheckVerdict
}

public enum IsolatedMIMECheckVerdict: Sendable, Equatable {
    case survived
    case crashed(String)
    case unavailable(String)
}
