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
    }

    /// A reel the `compose` stage made for a platform.
    public struct Reel: Sendable, Equatable, Decodable {
        public var template: String
        public var path: String
        public var seconds: Double
    }

    public var requestID: UUID
    public var talent: TalentSnapshot
    public var prompt: String?
    public var targets: [AccountSnapshot]
    public var media: [Media]
    public var presets: PlatformPresets
    /// Composed reels by platform (only those that succeeded).
    public var reels: [Platform: Reel] = [:]

    /// Builds the brief from a stage context, reading each attachment's `probe` output when it succeeded.
    public init(context: StageContext) throws {
        requestID = context.request.id
        talent = context.talent
        struct Heard: Decodable { var text: String }
        func transcript(of attachment: AttachmentSnapshot) -> String? {
            let text = (try? context.output(of: "transcribe", attachmentID: attachment.id, as: Heard.self))??.text
            return text?.isEmpty == false ? text : nil
        }
        func onScreenText(of attachment: AttachmentSnapshot) -> String? {
            let text = (try? context.output(of: "ocr", attachmentID: attachment.id, as: Heard.self))??.text
            return text?.isEmpty == false ? text : nil
        }
        // A request without a prompt takes its voice memo's transcript (the transcribe stage also stores it).
        if let given = context.request.promptText, !given.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            prompt = given
        } else {
            prompt = context.attachments.filter { $0.role == .voiceMemo }.compactMap(transcript(of:)).first
        }
        targets = context.targets
        presets = context.platforms
        struct Composed: Decodable {
            struct Entry: Decodable {
                struct Made: Decodable { var seconds: Double }
                var platform: Platform
                var template: String
                var path: String?
                var reel: Made?
            }
            var reels: [Entry]
        }
        for entry in (try context.output(of: "compose", as: Composed.self))?.reels ?? [] {
            if let path = entry.path, let made = entry.reel {
                reels[entry.platform] = Reel(template: entry.template, path: path, seconds: made.seconds)
            }
        }
        media = try context.attachments.filter { $0.role == .media }.map { attachment in
            struct Probe: Decodable {
                struct Stream: Decodable { var type: String; var width: Int?; var height: Int? }
                var kind: String
                var durationSeconds: Double?
                var streams: [Stream]
            }
            let probe = try context.output(of: "probe", attachmentID: attachment.id, as: Probe.self)
            let picture = probe?.streams.first { $0.type == "video" }
            return Media(
                attachmentID: attachment.id, kind: probe?.kind ?? "unknown", durationSeconds: probe?.durationSeconds,
                width: picture?.width, height: picture?.height,
                transcript: transcript(of: attachment), onScreenText: onScreenText(of: attachment))
        }
    }
}

/// Drafts one variant per target account. The offline drafter is the default; an LLM-backed agent
/// (through the Anthropic-compatible router) will implement the same protocol.
public protocol ContentAgent: Sendable {
    func draft(_ brief: ContentBrief) async throws -> [DraftVariant]
}
