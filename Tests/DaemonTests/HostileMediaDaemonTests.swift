import Blobs
import Domain
import Foundation
import Intake
import Store
import TestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The whole hostile set in one request to a running daemon: every hostile file fails its own stages with
/// a clear message, the good file beside them is analysed, the request completes and the daemon still serves.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && TestEnvironment.executable != nil)))
struct HostileMediaDaemonTests {
    static let hostile = [
        // (hostile/zero.mp4 never gets this far: intake refuses an empty file.)
        "truncated.mp4", "hostile/random.mp4", "hostile/hls-file.mp4", "hostile/hls-http.mp4",
        "hostile/huge-dimensions.png", "hostile/long-duration.mp4",
    ]

    @Test
    func aRequestFullOfHostileFilesFailsOnlyTheirStages() async throws {
        let database = try await IsolatedDatabase.make("hostile")
        let pool = database.pool
        let fixture = try await TenantFixture.make(on: pool)
        let storage = try TestEnvironment.temporaryDirectory("hostile-storage")
        let intake = PostRequestIntake(
            pool: pool,
            blobs: try LocalBlobStore(root: storage),
            queue: JobQueue(pool: pool),
            logger: TestEnvironment.logger
        )
        // Types are sniffed from the bytes: each file reaches the stages its bytes claim (at least `probe`).
        let files =
            Self.hostile.map { name in
                PostRequestIntake.LocalFile(url: TestEnvironment.testmedia(name))
            } + [PostRequestIntake.LocalFile(url: TestEnvironment.testmedia("caption-video.mp4"))]
        let receipt = try await intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Hostile set",
                platforms: [.tiktok],
                files: files
            )
        )

        let daemon = try DaemonProcess(
            arguments: ["serve"],
            environment: [
                "DATABASE_URL": database.url, "STORAGE_DIR": storage.path,
                "OPS_TOKEN": "hostile-test-operator-token", "HTTP_PORT": "0", "WORKERS": "2", "LOG_LEVEL": "info",
                "PIPELINES_DIR": TestEnvironment.pipelinesDirectory.path,
            ]
        )
        defer { daemon.kill() }
        #expect(await daemon.waitForOutput(containing: "listening", within: 60), "\(daemon.output.suffix(2000))")

        var status = ""
        let ending = try await daemon.watch.wait(
            until: {
                status = try await pool.withConnection {
                    try $0.query("SELECT status FROM post_requests WHERE id = $1", [receipt.requestID]).first!.decode("status")
                }
                return status == "complete" || status == "failed"
            },
            progress: { try await ProgressWatch.databaseActivity(pool) }
        )
        #expect(status == "complete", "\(ending)\n\(daemon.output.suffix(3000))")

        let stages = try await pool.withConnection { connection in
            try connection.query(
                """
                SELECT a.filename, s.stage, s.status, coalesce(s.error, '') AS error
                FROM stage_runs s JOIN post_request_attachments a ON a.id = s.attachment_id
                JOIN pipeline_runs r ON r.id = s.pipeline_run_id WHERE r.post_request_id = $1
                """,
                [receipt.requestID]
            ).rows.map {
                (
                    try $0.decode("filename", as: String.self), try $0.decode("stage", as: String.self),
                    try $0.decode("status", as: String.self), try $0.decode("error", as: String.self)
                )
            }
        }
        for name in Self.hostile.map({ URL(filePath: $0).lastPathComponent }) {
            let mine = stages.filter { $0.0 == name }
            #expect(!mine.isEmpty, "\(name) was not analysed at all")
            for (_, stage, status, error) in mine {
                #expect(status == "failed", "\(name) \(stage) \(status)")
                #expect(error.count > 10 && !error.contains("crashed"), "\(name) \(stage): '\(error)'")
            }
        }
        let good = stages.filter { $0.0 == "caption-video.mp4" }
        #expect(Set(good.map(\.1)).isSuperset(of: ["probe", "scenes", "keyframes", "ocr"]))
        #expect(good.allSatisfy { $0.2 == "succeeded" }, "\(good)")

        // Still serving.
        #expect(daemon.isRunning)
        let port = try #require(daemon.listeningPort)
        let (_, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(await daemon.terminate(within: 60) == 0)
        await pool.close()
    }

}
