public import Blobs
public import Contracts
import Domain
public import Foundation
public import Isolation
import Logging
public import Media
public import Pipeline

/// `compose`: per target platform, a reel from the request's stills (with the voice memo, or the prompt
/// narrated, and subtitles) or a cut of its video, composed in the media worker, probed back, and stored in
/// the blob store for the `draft` stage to attach. Platforms whose templates make the same render (the same
/// size, frame rate and style, and a length limit that does not shorten it) share one file, its subtitles
/// kept clear of all their overlays; distinct renders are composed together in one child, so their encoders
/// overlap and reels cut from one video share its decode. One platform's failure (a corrupt still, a voice that
/// will not decode, a failed check) is recorded with its reason; the other platforms' reels still complete
/// and the failed one's variant keeps the original media.
public struct ComposeStage: Stage {
    public struct Configuration: StageConfiguration {
        /// Which template each platform gets (`instagram: instagram-reels`).
        public var templates: [String: String] = ["tiktok": "tiktok", "instagram": "instagram-reels", "linkedin": "linkedin"]
        /// The fewest stills that make a slideshow reel (one photo stays a photo). Default 2.
        public var minStills = 2
        /// A music bed (a path, relative to the pipelines folder); empty for none.
        public var music = ""
        /// Whether templates that narrate may speak the prompt when there is no voice. Default true.
        public var narrate = true
        /// Whether platforms whose jobs make the same render share one file, and a request's distinct renders
        /// are composed together in one child (reels cut from one video decode it once). Default true.
        public var shareRenders = true
        /// Platforms whose text card is one picture rather than a narrated reel, and the template whose size
        /// and style the picture takes (`instagram: instagram-feed`: a 4:5 feed post). Default Instagram's.
        public var stillCards: [String: String] = ["instagram": "instagram-feed"]

        public static let options: [StageOption<Self>] = [
            .init("templates", \.templates),
            .init("min_stills", \.minStills),
            .init("music", \.music),
            .init("narrate", \.narrate),
            .init("share_renders", \.shareRenders),
            .init("still_cards", \.stillCards),
        ]

        public init() {}

        public func validate() throws {
            for key in templates.keys where Platform(rawValue: key) == nil {
                throw Self.invalid("unknown platform '\(key)'", at: \.templates)
            }
            for key in stillCards.keys where Platform(rawValue: key) == nil {
                throw Self.invalid("unknown platform '\(key)'", at: \.stillCards)
            }
            guard minStills >= 1 else { throw Self.invalid("min_stills must be at least 1", at: \.minStills) }
        }
    }

    public static let kind = "compose"
    public static let scope = StageScope.request
    public static let reads: [StageRead] = [.required(ProbeResult.self), .optional(SceneAnalysis.self), .optional(Transcript.self)]

    let configuration: Configuration
    let templates: ReelTemplates
    let worker: MediaWorkerClient
    let blobs: any BlobStore
    /// The bed when the talent has none of their own: a file's path, `MusicBed.builtin`, or nil for none.
    let music: String?

    public init(
        configuration: Configuration,
        templates: ReelTemplates,
        pipelinesDirectory: URL,
        worker: MediaWorkerClient,
        blobs: any BlobStore
    ) throws {
        self.configuration = configuration
        self.templates = templates
        self.worker = worker
        self.blobs = blobs
        for name in Set(configuration.templates.values).union(configuration.stillCards.values) where templates[name] == nil {
            throw PipelineConfigurationError(file: "compose options", line: nil, message: "no reel template '\(name)' in pipelines/reels")
        }
        if configuration.music.isEmpty {
            music = nil
        } else if configuration.music == "builtin" {
            music = MusicBed.builtin
        } else {
            let url = pipelinesDirectory.appending(path: configuration.music)
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw PipelineConfigurationError(file: "compose options", line: nil, message: "the music file \(url.path) does not exist")
            }
            music = url.path
        }
    }

    public func run(_ context: StageContext) async throws -> StageResult<ComposedReels> {
        var kinds: [UUID: String] = [:]
        for attachment in context.attachments {
            kinds[attachment.id] = try context.output(ProbeResult.self, for: attachment)?.kind
        }
        func words(_ attachment: AttachmentSnapshot) throws -> [TimedWord]? {
            try context.output(Transcript.self, for: attachment)?.words
        }
        let media = context.attachments.filter { $0.role == .media }
        let stills = media.filter { kinds[$0.id] == "image" }
        let video = media.first { kinds[$0.id] == "video" }
        let voiceMemo = context.attachments.first { $0.role == .voiceMemo && kinds[$0.id] == "audio" }
        // What each platform gets: the video cut for it; a slideshow of enough stills; on TikTok (video only)
        // even one still; and where a platform cannot post text alone (Instagram, TikTok) and nothing usable
        // came, a text card: one picture where the platform posts pictures (`still_cards`), else a narrated
        // reel. LinkedIn posts a lone photo or text as it is.
        func plan(_ platform: Platform) -> String? {
            if video != nil { return "video" }
            if stills.count >= configuration.minStills || (platform == .tiktok && !stills.isEmpty) { return "stills" }
            if stills.isEmpty && platform != .linkedin { return "card" }
            return nil
        }
        let platforms = Array(Set(context.targets.map(\.platform))).filter { plan($0) != nil }.sorted { $0.rawValue < $1.rawValue }
        guard !platforms.isEmpty else {
            let output = ComposedReels(reels: [], skipped: "no video and fewer than \(configuration.minStills) stills")
            return StageResult(summary: "nothing to compose", output: output)
        }
        var names: [String: String] = [:]
        func file(_ attachment: AttachmentSnapshot) async throws -> String {
            let path = try await blobs.localFile(for: attachment.storagePath).path
            names[path] = attachment.filename
            return path
        }

        // The talent's own bed (their latest `bgm` asset) beats the pipeline's; one that cannot be read is
        // reported and the pipeline's bed plays instead.
        var ownMusic: String?
        if let path = context.talent.musicBedPath {
            do { ownMusic = try await blobs.localFile(for: path).path } catch {
                context.logger.warning(
                    "the talent's music bed cannot be read; using the pipeline's",
                    metadata: ["path": "\(path)", "error": "\(error)"]
                )
            }
        }
        // One job per platform, then one render per group of identical jobs (see `ReelJob.renderKey`).
        var planned: [(platform: Platform, template: String, job: ReelJob)] = []
        let folder = FileManager.default.temporaryDirectory.appending(path: "drsocial-reel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for platform in platforms {
            let pictureCard = plan(platform) == "card" ? configuration.stillCards[platform.rawValue] : nil
            guard let name = pictureCard ?? configuration.templates[platform.rawValue], let template = templates[name] else { continue }
            let output = folder.appending(path: "\(name).\(pictureCard == nil ? "mp4" : "jpg")").path
            var job = ReelJob(template: template, platform: context.platforms[platform], output: output)
            job.picture = pictureCard != nil
            if let video {
                job.video = try await file(video)
                job.words = try words(video)
                job.sceneStarts = (try context.output(SceneAnalysis.self, for: video)?.scenes ?? []).map(\.startSeconds)
            } else {
                if plan(platform) == "card" {
                    let brand = context.talent.brandKit
                    let heard = try voiceMemo.flatMap { try context.output(Transcript.self, for: $0)?.text }
                    let said = context.request.promptText ?? heard
                    let line =
                        said.map { InstructionText.keyLine(of: $0) }.flatMap { $0.isEmpty ? nil : $0 }
                        ?? context.talent.contentPillars.first.map { InstructionText.keyLine(of: $0) } ?? context.talent.displayName
                    job.card = TextCard(text: line, background: brand?.background, colour: brand?.text, font: brand?.font)
                } else {
                    var paths: [String] = []
                    for still in stills { paths.append(try await file(still)) }
                    job.stills = paths
                }
                // A picture has no sound.
                if let voiceMemo, !job.picture {
                    job.voice = try await file(voiceMemo)
                    job.words = try words(voiceMemo)
                } else if configuration.narrate, !job.picture {
                    job.narration = context.request.promptText
                }
            }
            job.music = job.picture ? nil : ownMusic ?? music
            job.displayNames = names
            planned.append((platform, name, job))
        }
        let namespace = BlobNamespace.talent(tenantID: context.request.tenantID, talentID: context.talent.id)
        var outcomes: [ComposedReels.Reel?] = Array(repeating: nil, count: planned.count)
        let groups = configuration.shareRenders ? try ReelJob.renderGroups(planned.map(\.job)) : planned.indices.map { [$0] }
        // In rounds: each group's longest limit renders, its subtitles clear of every platform still waiting in
        // its group; the jobs its render also serves take it; any left (a limit shortened it, or it failed)
        // render in the next round. With sharing on, a round's renders are composed together in one child (the
        // encoders overlap, and reels cut from one video decode it once); with it off, one after another.
        var waiting = groups.filter { !$0.isEmpty }
        while !waiting.isEmpty {
            let round = waiting.map { group in
                var job = planned[group[0]].job
                job.platform.safeArea = ReelJob.safeArea(clearOfAll: group.map { planned[$0].job }) ?? job.platform.safeArea
                return (index: group[0], job: job)
            }
            waiting = waiting.map { Array($0.dropFirst()) }
            let results: [Result<ComposedReel, any Error>]
            if configuration.shareRenders && round.count > 1 {
                results = await worker.composeTogether(round.map(\.job))
            } else {
                var alone: [Result<ComposedReel, any Error>] = []
                for entry in round {
                    do { alone.append(.success(try await worker.compose(entry.job))) } catch { alone.append(.failure(error)) }
                }
                results = alone
            }
            for (group, (entry, result)) in zip(waiting.indices, zip(round, results)) {
                let (platform, name, _) = planned[entry.index]
                do {
                    let composed = try result.get()
                    let stored = try await blobs.store(file: URL(filePath: entry.job.output), in: namespace)
                    outcomes[entry.index] = ComposedReels.Reel(platform: platform, template: name, path: stored.path, reel: composed, error: nil)
                    waiting[group] = waiting[group].filter { index in
                        guard planned[index].job.isServed(by: composed) else { return true }
                        var shared = composed
                        shared.template = planned[index].template
                        shared.platform = planned[index].platform.rawValue
                        shared.sharedFrom = name
                        shared.elapsedSeconds = 0
                        outcomes[index] = ComposedReels.Reel(
                            platform: planned[index].platform,
                            template: planned[index].template,
                            path: stored.path,
                            reel: shared,
                            error: nil
                        )
                        return false
                    }
                } catch {
                    context.logger.warning("composing a reel failed", metadata: ["template": "\(name)", "error": "\(error)"])
                    outcomes[entry.index] = ComposedReels.Reel(platform: platform, template: name, path: nil, reel: nil, error: "\(error)")
                }
            }
            waiting = waiting.filter { !$0.isEmpty }
        }
        let reels = outcomes.compactMap { $0 }
        let made = reels.filter { $0.path != nil }
        var summary = "\(made.count) reel\(made.count == 1 ? "" : "s")"
        if !made.isEmpty {
            let described = made.map { reel in
                let what = reel.reel?.isPicture == true ? "card picture" : "\(String(format: "%.1f", reel.reel?.seconds ?? 0)) s"
                return "\(reel.template) \(what)" + (reel.reel?.sharedFrom.map { ", \($0)'s render" } ?? "")
            }
            summary += " (" + described.joined(separator: "; ") + ")"
        }
        let failed = reels.filter { $0.error != nil }
        if !failed.isEmpty { summary += "; \(failed.count) failed: " + failed.map { "\($0.template): \($0.error ?? "")" }.joined(separator: "; ") }
        return StageResult(summary: summary, output: ComposedReels(reels: reels, skipped: nil))
    }
}

/// `compose`: one reel, encoded and checked.
public enum ComposeTask: IsolatedTask {
    public static let verb = "compose"
    public static func perform(_ input: ReelJob) throws -> ComposedReel { try ReelComposer(job: input).compose() }
}

/// `compose-together`: a request's distinct reels, composed at once in one child (`ReelComposer.composeTogether`);
/// each reel's own outcome.
public enum ComposeTogetherTask: IsolatedTask {
    public struct Outcome: Codable, Sendable {
        public var reel: ComposedReel?
        public var error: String?
    }

    public static let verb = "compose-together"
    public static func perform(_ input: [ReelJob]) throws -> [Outcome] {
        ReelComposer.composeTogether(input).map { result in
            switch result {
            case .success(let reel): Outcome(reel: reel, error: nil)
            case .failure(let error): Outcome(reel: nil, error: error.description)
            }
        }
    }
}

extension IsolatedWorkers {
    /// Composes a reel in a worker child (longer limits than analysis: encoding takes a while).
    public func compose(_ job: ReelJob) async throws -> ComposedReel {
        let budget = Self.composeBudget(job)
        return try await run(ComposeTask.self, job, cpuSeconds: budget, wallSeconds: Double(budget))
    }

    /// Composes several reels at once in one worker child, each with its own outcome. When the child dies
    /// (a crash, or a hang inside a C library, which the stall watchdog ends), each reel is composed again in a
    /// child of its own, so the one that killed it fails alone; each reel's notes then say why.
    public func composeTogether(_ jobs: [ReelJob]) async -> [Result<ComposedReel, any Error>] {
        let budget = jobs.map(Self.composeBudget).reduce(0, +)
        do {
            let outcomes = try await run(ComposeTogetherTask.self, jobs, cpuSeconds: budget, wallSeconds: Double(budget))
            guard outcomes.count == jobs.count else { throw ReelError("the worker answered for \(outcomes.count) reels of \(jobs.count)") }
            return outcomes.map { outcome in
                if let reel = outcome.reel { return .success(reel) }
                return .failure(ReelError(outcome.error ?? "the reel was not composed"))
            }
        } catch let together {
            var results: [Result<ComposedReel, any Error>] = []
            for job in jobs {
                do {
                    var reel = try await compose(job)
                    reel.notes.append("composed alone: composing together failed (\(together))")
                    results.append(.success(reel))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    /// CPU and wall seconds one reel may take: encoding takes a while.
    private static func composeBudget(_ job: ReelJob) -> Int { Int(job.template.maxSeconds * 20) + 120 }
}
