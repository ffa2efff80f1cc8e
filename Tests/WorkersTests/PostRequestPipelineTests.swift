import Blobs
import Contracts
import Crypto
import Domain
import Foundation
import Intake
import Isolation
import Media
import Pipeline
import Store
import TestSupport
import Testing
import Workers

/// Requests filed through intake, run through the real pipeline: real PostgreSQL, real files, the real media worker.
@Suite(.enabled(if: TestEnvironment.available(TestEnvironment.hasDatabase && TestEnvironment.executable != nil)))
struct PostRequestPipelineTests {
    struct Harness {
        let pool: PostgresPool
        let blobs: LocalBlobStore
        let intake: PostRequestIntake
        let runner: PipelineRunner
    }

    func harness(pipelines: URL = TestEnvironment.pipelinesDirectory) async throws -> Harness {
        let pool = try await TestDatabase.shared.pool()
        let blobs = try LocalBlobStore(root: try TestEnvironment.temporaryDirectory("blobs"))
        let queue = JobQueue(pool: pool)
        let worker = MediaWorkerClient(configuration: .init(executable: TestEnvironment.executable, wallSeconds: 60))
        let runner = try PipelineFactory.loadPostRequestRunner(
            directory: pipelines,
            pool: pool,
            blobs: blobs,
            queue: queue,
            mediaWorker: worker
        )
        let intake = PostRequestIntake(pool: pool, blobs: blobs, queue: queue, logger: TestEnvironment.logger)
        return Harness(pool: pool, blobs: blobs, intake: intake, runner: runner)
    }

    func status(_ id: UUID, _ pool: PostgresPool) async throws -> String {
        try await pool.withConnection { try $0.query("SELECT status FROM post_requests WHERE id = $1", [id]).first!.decode("status") }
    }

    func queueRows(_ id: UUID, _ pool: PostgresPool) async throws -> [(account: UUID, state: String, caption: String)] {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT q.account_id, q.state, c.caption FROM content_queue q JOIN content c ON c.id = q.content_id WHERE q.post_request_id = $1",
                [id]
            ).rows.map { (try $0.decode("account_id"), try $0.decode("state"), try $0.decode("caption")) }
        }
    }

    /// The latest run's stage runs: stage (with the attachment's file name) → status and whether it was reused.
    func latestRunStages(_ id: UUID, _ pool: PostgresPool) async throws -> [String: (status: String, reused: Bool)] {
        try await pool.withConnection { connection in
            var stages: [String: (String, Bool)] = [:]
            for row in try connection.query(
                """
                SELECT s.stage || coalesce('@' || a.filename, '') AS key, s.status, s.reused_from IS NOT NULL AS reused
                FROM stage_runs s LEFT JOIN post_request_attachments a ON a.id = s.attachment_id
                WHERE s.pipeline_run_id = (SELECT id FROM pipeline_runs WHERE post_request_id = $1 ORDER BY started_at DESC LIMIT 1)
                """,
                [id]
            ).rows {
                stages[try row.decode("key")] = (try row.decode("status"), try row.decode("reused"))
            }
            return stages
        }
    }

    @Test func rerunningOCRRunsItAndWhatNeedsItReplacesAwaitingVariantsAndKeepsApprovedOnes() async throws {
        let h = try await harness(pipelines: try TestEnvironment.pipelinesWithoutReels())
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Studio notes",
                platforms: [.instagram, .linkedin],
                files: [.init(url: TestEnvironment.testmedia("caption-plain.png")), .init(url: TestEnvironment.testmedia("short.mp4"))]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let instagram = try #require(fixture.accounts.first { $0.platform == .instagram }?.id)
        let linkedin = try #require(fixture.accounts.first { $0.platform == .linkedin }?.id)
        func content(_ account: UUID) async throws -> (content: UUID, state: String, hashtags: [String]) {
            try await h.pool.withConnection { connection in
                let row = try #require(
                    try connection.query(
                        """
                        SELECT q.content_id, q.state, c.hashtags FROM content_queue q JOIN content c ON c.id = q.content_id
                        WHERE q.post_request_id = $1 AND q.account_id = $2
                        """,
                        [receipt.requestID, account]
                    ).first
                )
                return (try row.decode("content_id"), try row.decode("state"), try row.decode("hashtags"))
            }
        }
        let approvedBefore = try await content(instagram)
        let awaitingBefore = try await content(linkedin)
        // The talent approves Instagram's variant, then changes their hashtags: a fresh draft reads differently.
        try await h.pool.withConnection { connection in
            try connection.query(
                "UPDATE content_queue SET state = 'approved', approved_at = now() WHERE post_request_id = $1 AND account_id = $2",
                [receipt.requestID, instagram]
            )
            try connection.query(
                """
                INSERT INTO talent_profile (talent_id, tenant_id, hashtag_preferences) VALUES ($1, $2, ARRAY['rerunproof'])
                ON CONFLICT (talent_id) DO UPDATE SET hashtag_preferences = excluded.hashtag_preferences
                """,
                [fixture.talentID, fixture.tenantID]
            )
        }

        let reruns = PipelineRerunner(pool: h.pool, pipeline: h.runner.pipeline)
        let rerun = try await reruns.rerun(requestID: receipt.requestID, stage: "ocr", requestedBy: "test")
        #expect(rerun.stages == ["ocr", "draft", "moderate", "enqueue"])
        #expect(!rerun.waiting)
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        #expect(try await status(receipt.requestID, h.pool) == "complete")

        let stages = try await latestRunStages(receipt.requestID, h.pool)
        for ran in ["ocr@caption-plain.png", "ocr@short.mp4", "draft", "moderate", "enqueue"] {
            #expect(stages[ran]?.status == "succeeded" && stages[ran]?.reused == false, "\(ran): \(String(describing: stages[ran]))")
        }
        for reused in ["probe@caption-plain.png", "probe@short.mp4", "scenes@short.mp4", "keyframes@short.mp4", "transcribe@short.mp4"] {
            #expect(stages[reused]?.status == "skipped" && stages[reused]?.reused == true, "\(reused): \(String(describing: stages[reused]))")
        }
        let approvedAfter = try await content(instagram)
        let awaitingAfter = try await content(linkedin)
        #expect(approvedAfter.content == approvedBefore.content && approvedAfter.state == "approved", "the approved variant is untouched")
        #expect(awaitingAfter.content != awaitingBefore.content, "the awaiting variant shows the new draft")
        #expect(awaitingAfter.state == "awaiting_owner_approval" && awaitingAfter.hashtags.first == "#rerunproof", "\(awaitingAfter.hashtags)")
        // Both runs stay on the run page, the rerun shown, its reused stages saying where they came from.
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        #expect(detail.runs.count == 2 && detail.runs.map(\.status) == ["succeeded", "succeeded"])
        #expect(detail.runID == detail.runs.first?.id && detail.runs.first?.rerunStages == ["ocr", "draft", "moderate", "enqueue"])
        #expect(detail.stages.first { $0.stage == "probe" }?.reusedFromRun == detail.runs.last?.id)
    }

    @Test func rerunsWaitTheirTurnAndRunInOrder() async throws {
        let h = try await harness(pipelines: try TestEnvironment.pipelinesWithoutReels())
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Queue me",
                platforms: [.linkedin],
                files: []
            )
        )
        let reruns = PipelineRerunner(pool: h.pool, pipeline: h.runner.pipeline)
        // The first run has not even started: this rerun waits for it.
        let first = try await reruns.rerun(requestID: receipt.requestID, stage: "moderate", requestedBy: "test")
        #expect(first.waiting && first.stages == ["moderate", "enqueue"])
        await #expect(throws: RerunError.self) { try await reruns.rerun(requestID: receipt.requestID, stage: "sparkle", requestedBy: "test") }
        await #expect(throws: RerunError.noRequest(fixture.tenantID)) {
            try await reruns.rerun(requestID: fixture.tenantID, stage: "draft", requestedBy: "test")
        }
        // Three runs of the job: the first run, then the rerun; then nothing is left to do.
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let runs = { try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) }?.runs ?? [] }
        #expect(try await runs().map(\.status) == ["queued", "succeeded"])
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        #expect(try await runs().map(\.status) == ["succeeded", "succeeded"])
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .nothingToDo)
        let jobs: Int = try await h.pool.withConnection {
            try $0.query("SELECT count(*) AS n FROM jobs WHERE serial_key = $1", [PostRequestIntake.pipelineSerialKey(receipt.requestID)])
                .first!.decode("n")
        }
        #expect(jobs == 2, "the first run's job and the rerun's, under one serial key")
    }

    @Test func requestWithMediaEndsInTheApprovalQueue() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let files = ["photo.jpg", "short.mp4", "truncated.mp4"].map { TestEnvironment.testmedia($0) }
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Sunset shoot at the pier",
                platforms: [.instagram, .tiktok],
                files: files.map { .init(url: $0) }
            )
        )
        #expect(receipt.created)
        #expect(try await status(receipt.requestID, h.pool) == "received")

        let outcome = try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger)
        #expect(outcome == .complete)
        #expect(try await status(receipt.requestID, h.pool) == "complete")

        let rows = try await queueRows(receipt.requestID, h.pool)
        let targets = Set(fixture.accounts.filter { $0.platform != .linkedin }.map(\.id))
        #expect(rows.count == 2)
        #expect(Set(rows.map(\.account)) == targets)
        #expect(rows.allSatisfy { $0.state == "awaiting_owner_approval" && $0.caption.contains("Sunset shoot at the pier") })

        // Stored bytes are the originals, byte for byte.
        let attachments = try await h.pool.withConnection { try PostRequestRepository().attachments(requestID: receipt.requestID, on: $0) }
        #expect(attachments.map(\.filename) == ["photo.jpg", "short.mp4", "truncated.mp4"])
        for (attachment, original) in zip(attachments, files) {
            let stored = try await h.blobs.read(attachment.storagePath)
            let originalData = try Data(contentsOf: original)
            #expect(stored == originalData)
            #expect(attachment.sha256 == SHA256.hash(data: originalData).map { String(format: "%02x", $0) }.joined())
        }

        // The broken file failed its own stage; the others were probed.
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        let probes = detail.stages.filter { $0.stage == "probe" }
        #expect(probes.count == 3)
        #expect(probes.filter { $0.status == "succeeded" }.count == 2)
        let failed = try #require(probes.first { $0.status == "failed" })
        #expect(failed.attachmentID == attachments[2].id)
        #expect(failed.error?.contains("Invalid data") == true)
        #expect(detail.attachments[1].analysisJSON.contains("\"h264\""))
        #expect(detail.attachments[2].analysisJSON.contains("error"))

        // Running again changes nothing.
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .nothingToDo)
        #expect(try await queueRows(receipt.requestID, h.pool).count == 2)
    }

    @Test func videoScenesAreFoundInTheMediaWorker() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Cut reel",
                platforms: [.tiktok],
                files: [.init(url: TestEnvironment.testmedia("cuts-720p.mp4")), .init(url: TestEnvironment.testmedia("photo.jpg"))]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        let scenes = detail.stages.filter { $0.stage == "scenes" }
        #expect(scenes.count == 1, "only the video is analysed for scenes")
        #expect(scenes.first?.status == "succeeded")
        #expect(scenes.first?.summary?.hasPrefix("5 scenes: 4 cuts, 0 dissolves") == true, "\(scenes.first?.summary ?? "")")
        let analysis = try #require(detail.attachments.first?.analysisJSON.data(using: .utf8))
        let json = try #require(try JSONSerialization.jsonObject(with: analysis) as? [String: Any])
        let found = try #require(json["scenes"] as? [String: Any])
        let frames = (found["transitions"] as? [[String: Any]])?.compactMap { $0["frame"] as? Int }
        #expect(frames == [60, 150, 195, 300])
    }

    @Test func aVoiceMemoOnlyRequestTakesItsPromptFromTheTranscript() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: nil,
                platforms: [.instagram],
                files: [.init(url: TestEnvironment.testmedia("voice-memo.m4a"), role: .voiceMemo)]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let (prompt, transcript) = try await h.pool.withConnection { connection in
            let row = try #require(
                try connection.query(
                    """
                    SELECT r.prompt_text, a.transcript_text FROM post_requests r
                    JOIN post_request_attachments a ON a.post_request_id = r.id WHERE r.id = $1
                    """,
                    [receipt.requestID]
                ).first
            )
            return (try row.decodeIfPresent("prompt_text", as: String.self), try row.decodeIfPresent("transcript_text", as: String.self))
        }
        let heard = try #require(transcript)
        #expect(prompt == heard)
        // "Please post about my morning run by the river."
        #expect(TextAccuracy.wordErrorRate(found: heard, truth: "Please post about my morning run by the river.") <= 0.5, "heard '\(heard)'")
        let rows = try await queueRows(receipt.requestID, h.pool)
        #expect(rows.count == 1)
        #expect(rows.first?.caption.lowercased().contains("river") == true, "the draft uses the spoken prompt: \(rows.first?.caption ?? "")")
    }

    @Test func videoKeyframesAndOnScreenTextAreStored() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Summer video",
                platforms: [.tiktok],
                files: [.init(url: TestEnvironment.testmedia("caption-video.mp4")), .init(url: TestEnvironment.testmedia("caption-yellow-bars.png"))]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        for stage in ["keyframes", "ocr"] {
            #expect(
                detail.stages.filter { $0.stage == stage && $0.status == "succeeded" }.count == (stage == "ocr" ? 2 : 1),
                "\(stage): \(detail.stages.filter { $0.stage == stage }.map { "\($0.status) \($0.error ?? "")" })"
            )
        }
        let video = try #require(try JSONSerialization.jsonObject(with: Data(detail.attachments[0].analysisJSON.utf8)) as? [String: Any])
        let keyframes = try #require((video["keyframes"] as? [String: Any])?["keyframes"] as? [[String: Any]])
        #expect(keyframes.count == 1)
        let thumbnail = try #require(keyframes.first?["thumbnail"] as? String)
        #expect(try await h.blobs.read(thumbnail).prefix(2) == Data([0xFF, 0xD8]), "the thumbnail is a JPEG in the blob store")
        let ocr = try #require(video["ocr"] as? [String: Any])
        #expect((ocr["text"] as? String)?.contains("summer video") == true, "\(ocr)")
        let picture = try #require(try JSONSerialization.jsonObject(with: Data(detail.attachments[1].analysisJSON.utf8)) as? [String: Any])
        #expect(((picture["ocr"] as? [String: Any])?["text"] as? String)?.contains("beach tonight") == true)
    }

    func contentRows(_ id: UUID, _ pool: PostgresPool) async throws -> [(type: String, asset: String?, state: String)] {
        try await pool.withConnection { connection in
            try connection.query(
                "SELECT c.type, c.asset_url, q.state FROM content_queue q JOIN content c ON c.id = q.content_id WHERE q.post_request_id = $1",
                [id]
            ).rows.map { (try $0.decode("type"), try $0.decodeIfPresent("asset_url"), try $0.decode("state")) }
        }
    }

    @Test(.timeLimit(.minutes(20)))
    func stillsAndAVoiceMemoBecomeAReelPerPlatform() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "New collection",
                platforms: [.tiktok, .instagram, .linkedin],
                files: [
                    .init(url: TestEnvironment.testmedia("photo.jpg")), .init(url: TestEnvironment.testmedia("photo2.jpg")),
                    .init(url: TestEnvironment.testmedia("voice-memo.m4a"), role: .voiceMemo),
                ]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        let compose = try #require(detail.stages.first { $0.stage == "compose" })
        #expect(compose.status == "succeeded" && compose.summary?.hasPrefix("3 reels") == true, "\(compose.summary ?? "") \(compose.error ?? "")")
        let rows = try await contentRows(receipt.requestID, h.pool)
        #expect(rows.count == 3)
        for row in rows {
            #expect(row.type == "reel" && row.state == "awaiting_owner_approval")
            let reel = try await h.blobs.read(try #require(row.asset))
            #expect(reel.count > 10_000 && reel[4..<8] == Data("ftyp".utf8), "an MP4 in the blob store")
        }
        // TikTok's and Instagram Reels' templates differ only in their length limit, which a voice memo of a
        // few seconds does not reach: one render serves both. LinkedIn's square reel is its own.
        let assets: [String: String] = try await h.pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT a.platform, c.asset_url FROM content_queue q JOIN content c ON c.id = q.content_id
                JOIN accounts a ON a.id = q.account_id WHERE q.post_request_id = $1
                """,
                [receipt.requestID]
            ).rows
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.decode("platform"), try $0.decode("asset_url")) })
        }
        #expect(assets["tiktok"] != nil && assets["tiktok"] == assets["instagram"], "\(assets)")
        #expect(assets["linkedin"] != nil && assets["linkedin"] != assets["tiktok"], "\(assets)")
        // The voice memo's words are the subtitles.
        let output = try await h.pool.withConnection { connection -> String in
            let row = try #require(
                try connection.query(
                    """
                    SELECT s.output_json::text AS output FROM stage_runs s JOIN pipeline_runs r ON r.id = s.pipeline_run_id
                    WHERE r.post_request_id = $1 AND s.stage = 'compose'
                    """,
                    [receipt.requestID]
                ).first
            )
            return try row.decode("output")
        }
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let reels = try #require(document["reels"] as? [[String: Any]])
        #expect(reels.count == 3)
        for reel in reels {
            let made = try #require(reel["reel"] as? [String: Any], "\(reel)")
            #expect((made["subtitles"] as? [Any])?.isEmpty == false, "\(made)")
        }
        let shared = reels.compactMap { ($0["reel"] as? [String: Any])?["shared_from"] ?? ($0["reel"] as? [String: Any])?["sharedFrom"] }
        #expect(shared.count == 1, "one reel names the render it shares: \(reels.map { $0["template"] ?? "" })")
    }

    @Test(.timeLimit(.minutes(20)))
    func aCorruptStillFailsItsReelsWithTheReasonAndTheVariantsStillComplete() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        var bytes = [UInt8](try Data(contentsOf: TestEnvironment.testmedia("pattern.png")))
        let idat = try #require(bytes.indices.dropLast(4).first { bytes[$0...].starts(with: Array("IDAT".utf8)) })
        for index in (idat + 8)..<min(bytes.count - 12, idat + 4000) { bytes[index] ^= 0x5A }
        let broken = try TestEnvironment.temporaryDirectory("corrupt").appending(path: "broken.png")
        try Data(bytes).write(to: broken)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Studio day",
                platforms: [.instagram, .linkedin],
                files: [.init(url: TestEnvironment.testmedia("photo.jpg")), .init(url: broken)]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        let compose = try #require(detail.stages.first { $0.stage == "compose" })
        #expect(compose.summary?.contains("2 failed") == true, "\(compose.summary ?? "")")
        #expect(compose.summary?.contains("still 2 'broken.png' cannot be used") == true, "\(compose.summary ?? "")")
        let rows = try await contentRows(receipt.requestID, h.pool)
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.type == "image" && $0.state == "awaiting_owner_approval" }, "\(rows)")
    }

    @Test func requestWhoseOnlyFileIsCorruptStillCompletes() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Tour",
                platforms: [.linkedin],
                files: [.init(url: TestEnvironment.testmedia("not-media.mp4"))]
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let rows = try await queueRows(receipt.requestID, h.pool)
        #expect(rows.count == 1)
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        #expect(detail.stages.first { $0.stage == "probe" }?.status == "failed")
    }

    /// Instagram and TikTok cannot post text alone: every variant of theirs carries media the platform takes.
    @Test(.timeLimit(.minutes(20)))
    func everyInstagramAndTikTokVariantCarriesMedia() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        try await h.pool.withConnection { connection in
            try connection.query(
                """
                INSERT INTO talent_profile (talent_id, tenant_id, brand_kit_json) VALUES ($1, $2, '{"background": "#6A1B9A", "text": "#FFFFFF"}')
                ON CONFLICT (talent_id) DO UPDATE SET brand_kit_json = excluded.brand_kit_json
                """,
                [fixture.talentID, fixture.tenantID]
            )
        }
        var requestID = UUID()
        func platformsAndTypes(_ files: [PostRequestIntake.LocalFile]) async throws -> [String: String] {
            let receipt = try await h.intake.submit(
                .init(talent: .slug(fixture.slug), source: .operator, prompt: "Open studio this Sunday", platforms: Platform.allCases, files: files)
            )
            requestID = receipt.requestID
            #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
            return try await h.pool.withConnection { connection in
                Dictionary(
                    uniqueKeysWithValues: try connection.query(
                        """
                        SELECT a.platform, c.type FROM content_queue q JOIN content c ON c.id = q.content_id
                        JOIN accounts a ON a.id = q.account_id WHERE q.post_request_id = $1
                        """,
                        [receipt.requestID]
                    ).rows.map { (try $0.decode("platform", as: String.self), try $0.decode("type", as: String.self)) }
                )
            }
        }
        func variants() async throws -> [OpsQueries.VariantView] {
            let id = requestID
            return try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: id, on: $0) }).variants
        }
        func composed() async throws -> [String: Bool] {
            Dictionary(uniqueKeysWithValues: try await variants().map { ($0.platform, $0.hasComposedAsset) })
        }
        // A prompt alone: where text cannot go, a text card: a picture on Instagram (its feed posts pictures), a
        // narrated reel on TikTok; text on LinkedIn.
        #expect(try await platformsAndTypes([]) == ["instagram": "image", "tiktok": "reel", "linkedin": "text"])
        #expect(try await composed() == ["instagram": true, "tiktok": true, "linkedin": false])
        let card = try #require(try await variants().first { $0.platform == "instagram" })
        let picture = try MediaProber().probe(path: try await h.blobs.localFile(for: try #require(card.assetPath)).path)
        #expect(picture.video?.codec == "mjpeg" && picture.video?.width == 1080 && picture.video?.height == 1350, "the card as a 4:5 JPEG")
        // One photo: a photo on Instagram and LinkedIn (the attachment itself, nothing composed), a reel on TikTok
        // (video only).
        #expect(try await platformsAndTypes([.init(url: TestEnvironment.testmedia("photo2.jpg"))]) == ["instagram": "image", "tiktok": "reel", "linkedin": "image"])
        #expect(try await composed() == ["instagram": false, "tiktok": true, "linkedin": false])
    }

    @Test func promptOnlyRequestDraftsFromThePillars() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool, pillars: ["vintage denim care"])
        let receipt = try await h.intake.submit(.init(talent: .slug(fixture.slug), source: .operator, prompt: nil, platforms: nil, files: []))
        // No platforms named and none ever used: every active account.
        #expect(receipt.targetAccountIDs.count == 3)
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        let rows = try await queueRows(receipt.requestID, h.pool)
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.caption.contains("vintage denim care") })
    }

    @Test func neverSayHitIsBlockedWithTheReason() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool, doNotSay: ["fast fashion"])
        let receipt = try await h.intake.submit(
            .init(
                talent: .slug(fixture.slug),
                source: .operator,
                prompt: "Why I love Fast Fashion hauls",
                platforms: [.instagram],
                files: []
            )
        )
        #expect(try await h.runner.run(requestID: receipt.requestID, fencing: nil, logger: TestEnvironment.logger) == .complete)
        #expect(try await queueRows(receipt.requestID, h.pool).isEmpty)
        let detail = try #require(try await h.pool.withConnection { try OpsQueries().run(requestID: receipt.requestID, on: $0) })
        let blocked = try #require(detail.events.first { $0.kind == "variant.blocked" })
        #expect(blocked.payloadJSON.contains("never-say list"))
        #expect(detail.stages.first { $0.stage == "moderate" }?.summary?.contains("1 blocked") == true)
    }

    @Test func lastUsedSelectionIsRemembered() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        _ = try await h.intake.submit(.init(talent: .slug(fixture.slug), source: .operator, prompt: "a", platforms: [.linkedin], files: []))
        let second = try await h.intake.submit(.init(talent: .slug(fixture.slug), source: .operator, prompt: "b", platforms: nil, files: []))
        #expect(second.targetAccountIDs == fixture.accounts.filter { $0.platform == .linkedin }.map(\.id))
    }

    @Test func aResolvedTalentIsCheckedOnceAndNotReadAgain() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let other = try await TenantFixture.make(on: h.pool)
        await #expect(throws: IntakeError.self, "another talent's account") {
            try await h.intake.resolve(.slug(fixture.slug), accountIDs: [other.accounts[0].id])
        }
        let chosen = fixture.accounts[1].id
        let resolved = try await h.intake.resolve(.slug(fixture.slug), accountIDs: [chosen])
        #expect(resolved.talent.id == fixture.talentID)
        #expect(Set(resolved.accounts.map(\.id)) == Set(fixture.accounts.map(\.id)))
        // Renamed after it was read: a submission by slug no longer finds it, one carrying what was read does.
        try await h.pool.withConnection { try $0.query("UPDATE talents SET slug = $1 WHERE id = $2", [fixture.slug + "-renamed", fixture.talentID]) }
        await #expect(throws: IntakeError.self) {
            try await h.intake.submit(.init(talent: .slug(fixture.slug), source: .operator, prompt: "a", platforms: nil, files: []))
        }
        let receipt = try await h.intake.submit(
            .init(talent: .resolved(resolved), source: .operator, prompt: "a", platforms: nil, files: [], accountIDs: [chosen])
        )
        #expect(receipt.created && receipt.targetAccountIDs == [chosen])
    }

    @Test func sameIntakeKeyFilesOnce() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let key = "operator:\(UUID())"
        let keyed = RequestProvenance { $0.intakeKey = key }
        let first = try await h.intake.submit(
            .init(talent: .slug(fixture.slug), source: .operator, prompt: "x", platforms: [.tiktok], files: [], provenance: keyed)
        )
        let second = try await h.intake.submit(
            .init(talent: .slug(fixture.slug), source: .operator, prompt: "x", platforms: [.tiktok], files: [], provenance: keyed)
        )
        #expect(first.created && !second.created)
        #expect(first.requestID == second.requestID)
    }

    @Test func badSubmissionsAreRefusedClearly() async throws {
        let h = try await harness()
        let fixture = try await TenantFixture.make(on: h.pool)
        let empty = try TestEnvironment.temporaryDirectory().appending(path: "empty.mp4")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        let cases: [(PostRequestIntake.Submission, String)] = [
            (
                .init(talent: .slug("nobody-\(UUID().uuidString.prefix(6))"), source: .operator, prompt: "x", platforms: nil, files: []),
                "no talent has the slug"
            ),
            (
                .init(
                    talent: .slug(fixture.slug),
                    source: .operator,
                    prompt: "x",
                    platforms: nil,
                    files: [.init(url: URL(filePath: "/nonexistent/clip.mp4"))]
                ), "missing or not readable"
            ),
            (.init(talent: .slug(fixture.slug), source: .operator, prompt: "x", platforms: nil, files: [.init(url: empty)]), "empty (0 bytes)"),
        ]
        for (submission, fragment) in cases {
            let error = await #expect(throws: IntakeError.self) { try await h.intake.submit(submission) }
            #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
        }
        // A platform the talent has no active account on.
        try await h.pool.withConnection {
            try $0.query("UPDATE accounts SET status = 'paused' WHERE talent_id = $1 AND platform = 'linkedin'", [fixture.talentID])
        }
        let noAccount = await #expect(throws: IntakeError.self) {
            try await h.intake.submit(.init(talent: .slug(fixture.slug), source: .operator, prompt: "x", platforms: [.linkedin], files: []))
        }
        #expect(noAccount?.description.contains("no active linkedin account") == true)
        // Nothing was recorded for any of them.
        let count: Int = try await h.pool.withConnection {
            try $0.query("SELECT count(*) AS n FROM post_requests WHERE talent_id = $1", [fixture.talentID]).first!.decode("n")
        }
        #expect(count == 0)
    }
}
