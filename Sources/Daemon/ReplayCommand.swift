import ArgumentParser
import Foundation
import Intake
import Store

/// `replay`: files new post requests from an email kept in the blob store.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "File new post requests from a stored email.",
        discussion: """
            ID is an email's id (from /ops/mail) or the id of a request made from an email. The raw message is read \
            again from the blob store, routed and filed as new requests; the original stays as it was. Use it after \
            fixing what made a message fail (a talent added, a slug corrected). Needs INTAKE_DOMAIN.
            """
    )

    @Argument(help: "The email's id, or a post request's id.")
    var id: String

    func run() async throws {
        guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not an id") }
        let runtime = try await Runtime.start(label: "drsocial.replay")
        try await runtime.closingPool { try await replay(uuid, runtime) }
    }

    private func replay(_ uuid: UUID, _ runtime: Runtime) async throws {
        var environment = runtime.environment.values
        // Replay reads the blob store, not the mailbox: IMAP settings are optional here.
        if environment["IMAP_URL"] == nil {
            environment["IMAP_URL"] = "imap://127.0.0.1/INBOX"
            environment["IMAP_USER"] = environment["IMAP_USER"] ?? "-"
            environment["IMAP_PASSWORD"] = environment["IMAP_PASSWORD"] ?? "-"
        }
        let replayRuntime = Runtime(
            environment: DaemonEnvironment(environment),
            logger: runtime.logger,
            pool: runtime.pool,
            workers: runtime.workers
        )
        guard
            let mail = try replayRuntime.mailIntake(
                blobs: try await runtime.blobStore(),
                queue: try runtime.queue(),
                needsMailbox: false
            )
        else { throw ValidationError("INTAKE_DOMAIN is not set") }
        do {
            let ids = try await mail.intake.replay(uuid)
            for requestID in ids { print("filed post request \(requestID.uuidString.lowercased())") }
        } catch let error as MailIntakeError {
            throw ValidationError(error.description)
        }
    }
}
