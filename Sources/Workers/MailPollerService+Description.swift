import Intake

extension MailPollerService: CustomStringConvertible {
    /// The mailbox and interval only: ServiceLifecycle logs every service's description at `debug`, and a
    /// reflected dump would reach the IMAP client's configuration.
    public var description: String { "MailPollerService(mailbox: \(intake.configuration.mailbox), interval: \(interval))" }
}
