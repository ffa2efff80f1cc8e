import ArgumentParser
import Foundation
import Pipeline
import Store
import Web
import Workers

/// `runs list` / `runs show ID` / `runs rerun ID --stage NAME` / `runs revive JOB`: what the operator pages show and do, in the terminal.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "Inspect pipeline runs.",
        subcommands: [List.self, Show.self, Rerun.self, Revive.self]
    )

    struct Rerun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a stage of a request again, with every stage that needs it; the others reuse their latest output."
        )
        @Argument(help: "The post request's id.") var request: String
        @Option(help: "The stage to run again (a name from pipelines/post-request.yaml).") var stage: String
        @Flag(help: "Print the receipt as JSON.") var json = false

        func run() async throws {
            guard let requestID = UUID(uuidString: request) else { throw ValidationError("'\(request)' is not a request id") }
            let runtime = try await Runtime.start(label: "drsocial.runs")
            let receipt: RerunReceipt
            do {
                receipt = try await runtime.closingPool {
                    let runner = try await runtime.postRequestRunner(queue: try runtime.queue())
                    return try await PipelineRerunner(pool: runtime.pool, pipeline: runner.pipeline)
                        .rerun(requestID: requestID, stage: stage, requestedBy: "cli")
                }
            } catch let error as RerunError {
                throw ValidationError(error.description)
            }
            if json {
                print(String(decoding: try JSONResponse.encoder().encode(receipt), as: UTF8.self))
                return
            }
            print(
                "run \(receipt.runID.uuidString.lowercased()) queued: \(receipt.stages.joined(separator: ", ")) run again; the other stages reuse their latest output"
            )
            if receipt.waiting { print("another run of this request is in progress: this one starts when it ends") }
        }
    }

    struct Revive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give a dead job more attempts, once its cause is fixed; its failed request goes back to received."
        )
        @Argument(help: "The dead job's id (runs on /ops/runs, or /api/jobs/troubled).") var job: Int64

        func run() async throws {
            let runtime = try await Runtime.start(label: "drsocial.runs")
            let revived = try await runtime.closingPool {
                let queue = try runtime.queue()
                let handler = PostRequestPipelineHandler(
                    kind: PostRequestIntakeKinds.pipeline,
                    runner: try await runtime.postRequestRunner(queue: queue),
                    pool: runtime.pool
                )
                return try await JobReviver(queue: queue, handlers: [handler]).revive(jobID: job)
            }
            guard let revived else { throw ValidationError("job \(job) is not dead: only a dead job can be revived") }
            print("job \(revived.id) (\(revived.kind)) is pending again with \(revived.attemptsAdded) more attempts")
            if let request = revived.reopenedRequestID {
                print("request \(request.uuidString.lowercased()) is back to received; its pipeline resumes where it stopped")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recent post requests and their status.")
        @Option(help: "How many.") var limit = 20
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            let runtime = try await Runtime.start(label: "drsocial.runs")
            let limit = self.limit
            let runs = try await runtime.closingPool { try await runtime.pool.withConnection { try OpsQueries().recentRuns(limit: limit, on: $0) } }
            if json {
                print(String(decoding: try JSONResponse.encoder().encode(runs), as: UTF8.self))
                return
            }
            print("REQUEST                               TALENT          SOURCE    STATUS     FILES VARIANTS  DURATION")
            for run in runs {
                let duration = run.durationSeconds.map { String(format: "%.1fs", $0) } ?? "-"
                print(
                    run.requestID.uuidString.lowercased().padding(toLength: 38, withPad: " ", startingAt: 0)
                        + run.talentSlug.padding(toLength: 16, withPad: " ", startingAt: 0)
                        + run.source.padding(toLength: 10, withPad: " ", startingAt: 0)
                        + run.status.padding(toLength: 11, withPad: " ", startingAt: 0)
                        + String(run.attachmentCount).padding(toLength: 6, withPad: " ", startingAt: 0)
                        + String(run.variantCount).padding(toLength: 10, withPad: " ", startingAt: 0) + duration
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One request: stages, attachments, variants.")
        @Argument(help: "The post request id.") var id: String
        @Flag(help: "JSON for scripts.") var json = false

        func run() async throws {
            guard let requestID = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a request id") }
            let runtime = try await Runtime.start(label: "drsocial.runs")
            let detail = try await runtime.closingPool {
                try await runtime.pool.withConnection { try OpsQueries().run(requestID: requestID, on: $0) }
            }
            guard let detail else { throw ValidationError("no post request \(id)") }
            if json {
                print(String(decoding: try JSONResponse.encoder().encode(detail), as: UTF8.self))
                return
            }
            let summary = detail.summary
            print("request  \(summary.requestID.uuidString.lowercased())")
            print("talent   \(summary.talentSlug)   source \(summary.source)   status \(summary.status)")
            if let prompt = summary.prompt { print("prompt   \(prompt)") }
            if let reason = detail.failureReason { print("failed   \(reason)") }
            print("\nstages:")
            for stage in detail.stages {
                let subject = stage.attachmentID.flatMap { id in detail.attachments.first { $0.id == id }?.filename } ?? "request"
                let time = stage.durationMs.map { String(format: "%.0f ms", $0) } ?? "-"
                print(
                    "  \(stage.stage.padding(toLength: 10, withPad: " ", startingAt: 0)) \(subject.padding(toLength: 20, withPad: " ", startingAt: 0)) \(stage.status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(time.padding(toLength: 10, withPad: " ", startingAt: 0)) \(stage.error ?? stage.summary ?? "")"
                )
            }
            print("\nattachments:")
            for attachment in detail.attachments {
                print("  \(attachment.filename)  \(attachment.mime)  \(attachment.bytes) bytes  sha256 \(attachment.sha256.prefix(16))…")
            }
            print("\nvariants:")
            for variant in detail.variants {
                print("  [\(variant.state)] \(variant.platform) @\(variant.handle): \(variant.caption.replacingOccurrences(of: "\n", with: " ⏎ "))")
            }
        }
    }
}
