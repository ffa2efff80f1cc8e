import ArgumentParser
import Domain
import Foundation
import Intake
import Store

/// `submit`: an operator files a post request from the terminal (source `operator`).
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "File a post request for a talent.",
        discussion: "Example: drsocial-intake submit --talent aurora-lee --prompt 'Studio tour' --platforms IG,TT --file clip.mp4"
    )

    @Option(help: "The talent's slug.")
    var talent: String

    @Option(help: "What the post should say. Empty: drafts come from the talent's content pillars.")
    var prompt: String?

    @Option(help: "Target platforms, comma-separated: IG, TT, LI. Default: the talent's last selection, else all.")
    var platforms: String?

    @Option(name: .customLong("file"), help: "A media file to attach (repeatable).")
    var files: [String] = []

    @Option(help: "A key that makes submitting twice create one request.")
    var idempotencyKey: String?

    @Flag(help: "Print the receipt as JSON.")
    var json = false

    func run() async throws {
        let parsedPlatforms = try platforms.map { list in
            try list.split(separator: ",").map { raw -> Platform in
                guard let platform = Platform(tagOrName: String(raw)) else { throw IntakeError.unknownPlatform(String(raw)) }
                return platform
            }
        }
        let runtime = try await Runtime.start(label: "drsocial.submit")
        try await runtime.closingPool { try await submit(runtime, platforms: parsedPlatforms) }
    }

    private func submit(_ runtime: Runtime, platforms parsedPlatforms: [Platform]?) async throws {
        let intake = try runtime.postRequestIntake(blobs: try await runtime.blobStore(), queue: try runtime.queue())
        do {
            let receipt = try await intake.submit(
                .init(
                    talent: .slug(talent),
                    source: .operator,
                    prompt: prompt,
                    platforms: parsedPlatforms,
                    files: files.map { .init(url: URL(filePath: $0)) },
                    provenance: .init { $0.intakeKey = idempotencyKey.map { "operator:\($0)" } }
                )
            )
            if json {
                print(
                    #"{"post_request_id":"\#(receipt.requestID.uuidString.lowercased())","created":\#(receipt.created),"targets":\#(receipt.targetAccountIDs.count)}"#
                )
            } else {
                print(
                    "\(receipt.created ? "filed" : "already filed") post request \(receipt.requestID.uuidString.lowercased()) for \(receipt.targetAccountIDs.count) account(s)"
                )
            }
        } catch let error as IntakeError {
            throw ValidationError(error.description)
        }
    }
}
