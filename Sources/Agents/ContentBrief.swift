public import Contracts
public import Domain
public import Foundation
public import Pipeline

/// What ContentAgent drafts from: the talent, the prompt, the targets and what analysis found in the media.
public struct ContentBrief: Sendable {
    /// One analysed attachment.
    public struct Media: Sendable, Equatable {
        public var attachmentID: UUID
        /// `image`, `video`, `audio` or `unknown` (probing failed).
        public var kind: String
        public var durationSeconds: Double?
        public var width: Int?
        public var height: Int?
        /// Speech heard in it (`transcribe`) and text shown in it (`ocr`), when found.
        public var transcript: String?
        public var onScreenText: String?
        /// A video's scenes (`scenes`): their lengths in seconds, and the text read in each, where any was.
        public var sceneSeconds: [Double]? = nil
        public var sceneTexts: [SceneText] = []
    }

    /// Text read in one scene of a video.
    public struct SceneText: Sendable, Equatable {
        public var scene: Int
        public var seconds: Double
        public var text: String
    }

    /// A reel the `compose` stage made for a platform, or its text card made as one picture.
    public struct Reel: Sendable, Equatable {
        public var template: String
        public var path: String
        public var seconds: Double
        /// A picture (a JPEG card posted as an image), not an MP4 reel.
        public var picture = false
    }

    public var requestID: UUID
    public var talent: TalentSnapshot
    public var prompt: String?
    /// Whether `prompt` is a voice memo's transcript (an instruction to write from, not a caption to copy).
    public var promptFromVoiceMemo = false
    /// What the request's voice memos say, transcribed.
    public var voiceMemos: [String] = []
    public var targets: [AccountSnapshot]
    public var media: [Media]
    public var presets: PlatformPresets
    /// Composed reels by platform (only those that succeeded).
    public var reels: [Platform: Reel] = [:]

    /// The analysis outputs a brief is made from.
    public static let reads: [StageRead] = [
        .required(ProbeResult.self), .optional(SceneAnalysis.self), .optional(Transcript.self), .optional(OnScreenText.self),
        .optional(ComposedReels.self),
    ]

    /// A brief made by hand (benchmarks, tests, a regeneration outside a pipeline run).
    public init(
        requestID: UUID,
        talent: TalentSnapshot,
        prompt: String?,
        targets: [AccountSnapshot],
        media: [Media] = [],
        presets: PlatformPresets,
        reels: [Platform: Reel] = [:],
        voiceMemos: [String] = []
    ) {
        self.requestID = requestID
        self.talent = talent
        self.prompt = prompt
        self.targets = targets
        self.media = media
        self.presets = presets
        self.reels = reels
        self.voiceMemos = voiceMemos
    }

    /// Builds the brief from a stage context: each attachment's probe, transcript and on-screen text, and the
    /// composed reels, where those stages succeeded.
    public init(context: StageContext) throws {
        requestID = context.request.id
        talent = context.talent
        func nonEmpty(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }
        func transcript(of attachment: AttachmentSnapshot) throws -> String? {
            nonEmpty(try context.output(Transcript.self, for: attachment)?.text)
        }
        voiceMemos = try context.attachments.filter { $0.role == .voiceMemo }.compactMap(transcript(of:))
        // A request without a prompt takes its voice memo's transcript (the transcribe stage also stores it).
        if let given = context.request.promptText, !given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            prompt = given
            promptFromVoiceMemo = voiceMemos.contains(given)
        } else {
            prompt = voiceMemos.first
            promptFromVoiceMemo = prompt != nil
        }
        targets = context.targets
        presets = context.platforms
        for entry in try context.output(ComposedReels.self)?.reels ?? [] {
            if let path = entry.path, let made = entry.reel {
                reels[entry.platform] = Reel(template: entry.template, path: path, seconds: made.seconds, picture: made.isPicture)
            }
        }
        media = try context.attachments.filter { $0.role == .media }.map { attachment in
            let probe = try context.output(ProbeResult.self, for: attachment)
            let scenes = try context.output(SceneAnalysis.self, for: attachment)
            let text = try context.output(OnScreenText.self, for: attachment)
            return Media(
                attachmentID: attachment.id,
                kind: probe?.kind ?? "unknown",
                durationSeconds: probe?.durationSeconds,
                width: probe?.video?.width,
                height: probe?.video?.height,
                transcript: try transcript(of: attachment),
                onScreenText: nonEmpty(text?.text),
                sceneSeconds: scenes.map { $0.scenes.map { ($0.endSeconds - $0.startSeconds) } },
                sceneTexts: (text?.scenes ?? []).filter { !$0.text.isEmpty }.map { SceneText(scene: $0.scene, seconds: $0.seconds, text: $0.text) }
            )
        }
    }
}

/// Drafts one variant per target account: the offline drafter without a router, `LLMContentAgent` with one.
public protocol ContentAgent: Sendable {
    /// One variant per target account. An error that is not a `StageFailure` (the router unreachable) fails
    /// the attempt and the job is tried again later.
    /// - Parameter progress: takes the draft so far, for the run page's live view (agents that stream call it).
    func draft(_ brief: ContentBrief, progress: @escaping @Sendable (String) -> Void) async throws -> DraftOutput
}

extension ContentAgent {
    public func draft(_ brief: ContentBrief) async throws -> DraftOutput { try await draft(brief, progress: { _ in }) }
}
